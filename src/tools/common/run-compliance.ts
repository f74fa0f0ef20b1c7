/**
 * The shared compliance pipeline used by check_tag_compliance, compare_accounts and the report
 * tool: inventory (through ctx.inventory, cached) → evaluation against the current policy
 * (src/compliance) → costs (one Cost Explorer query, allocated per resource) → aggregates.
 */
import { aggregateAccounts, evaluateResources, roundMoney } from '../../compliance/index.js';
import type { AccountMetadata, AccountOutcomeLike, Evaluated, EvaluatedResource, MultiAccountAggregate, SeverityFilter } from '../../compliance/types.js';
import type { DataQuality, ResourceRecord, Violation } from '../../core/types.js';
import type { CompiledPolicy } from '../../policy/types.js';
import type { CostService, Inventory } from '../../scan/types.js';
import type { ToolContext } from '../types.js';
import { defaultCostPeriod, loadCosts, scannedAccountIds, type CostOutcome, type CostPeriod } from './costs.js';
import type { ResolvedScope } from './scope.js';

export type { CostOutcome, CostPeriod } from './costs.js';

/** Tag filter: key → accepted values (empty list or "*" = the key is present with any value). */
export type TagFilter = Record<string, string | string[]>;

export interface RunComplianceOptions {
  scope: ResolvedScope;
  force_refresh?: boolean;
  /** Keep only resources whose tags match every given key. */
  tag_filter?: TagFilter | null;
  /** Which violations `summary` counts (scores and cost never depend on it). Default `all`. */
  severity?: SeverityFilter;
  /** Read Cost Explorer (default true). */
  include_costs?: boolean;
  /** Default: the last full 30 days (figures are then monthly). */
  cost_period?: CostPeriod;
  /** Let a Cost Explorer failure fail the call (tools whose answer IS the cost). Default false. */
  costs_required?: boolean;
}

export interface RunComplianceResult {
  policy: CompiledPolicy;
  inventory: Inventory;
  /** Every resource after the tag filter (in scope or not), stable order (account, region, type, arn). */
  evaluated: Evaluated;
  /** In-scope resources only, same order. */
  evaluation: EvaluatedResource[];
  /** Violations passing the severity filter, stable order (compareViolations), money rounded to cents. */
  violations: Violation[];
  /** Aggregates for the severity filter; account_metadata covers scanned, failed and skipped accounts. */
  summary: MultiAccountAggregate;
  /** Aggregates over every violation (what history snapshots store). Same object when severity is `all`. */
  summary_all: MultiAccountAggregate;
  account_metadata: AccountMetadata;
  costs: CostOutcome;
  /** Inventory data_quality plus cost and filter notes. */
  data_quality: DataQuality;
}

export function matchesTagFilter(tags: Record<string, string>, filter: TagFilter | null | undefined): boolean {
  if (filter === null || filter === undefined) return true;
  for (const [key, want] of Object.entries(filter)) {
    const value = tags[key];
    if (value === undefined) return false;
    const list = typeof want === 'string' ? [want] : want;
    if (list.length === 0 || list.includes('*')) continue;
    if (!list.includes(value)) return false;
  }
  return true;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareResources(a: ResourceRecord, b: ResourceRecord): number {
  return cmp(a.account_id, b.account_id) || cmp(a.region, b.region) || cmp(a.type, b.type) || cmp(a.arn, b.arn);
}

/** Scan outcomes plus accounts the directory skipped before scanning. */
export function accountOutcomes(inventory: Inventory, scope: ResolvedScope): AccountOutcomeLike[] {
  const out: AccountOutcomeLike[] = inventory.accounts.map((a) => ({ account_id: a.account_id, account_alias: a.account_alias, status: a.status }));
  for (const s of scope.skipped) {
    if (!out.some((o) => o.account_id === s.account_id)) out.push({ account_id: s.account_id, account_alias: null, status: 'skipped' });
  }
  return out.sort((a, b) => cmp(a.account_id, b.account_id));
}

export async function runCompliance(ctx: ToolContext, opts: RunComplianceOptions): Promise<RunComplianceResult> {
  const policy = ctx.policy.current();
  const force = opts.force_refresh ?? false;
  const period = opts.cost_period ?? defaultCostPeriod(ctx.now());
  const wantCosts = opts.include_costs !== false;
  // Multi-account: the accounts whose spend is read are known before the scan (every account in
  // scope is attempted, failed ones included), so the one Cost Explorer query runs beside the
  // scan instead of after it. Its result is used only if the scan attempted exactly those accounts.
  const early = wantCosts && opts.scope.account_ids !== null && opts.scope.account_ids.length > 0 ? [...opts.scope.account_ids].sort() : null;
  const earlyRequest = early === null ? null : { account_ids: early, start: period.start, end: period.end, force_refresh: force, signal: ctx.signal };
  const earlyReport = earlyRequest === null ? null : ctx.costs.serviceCosts(earlyRequest);
  // Used below or not at all: its failure is reported through loadCosts, never unhandled.
  earlyReport?.catch(() => undefined);
  const inventory = await ctx.inventory.collect({
    account_ids: opts.scope.account_ids,
    regions: opts.scope.regions,
    resource_types: opts.scope.resource_types,
    force_refresh: force,
    signal: ctx.signal,
    progress: ctx.progress,
    ...(opts.scope.skipped.length > 0 ? { skipped_accounts: opts.scope.skipped } : {}),
  });

  const resources = inventory.resources.filter((r) => matchesTagFilter(r.tags, opts.tag_filter)).sort(compareResources);
  const accountIds = scannedAccountIds(inventory);
  // The same request as the early one: loadCosts gets the early answer (or its failure).
  const sameAsEarly = (req: Parameters<CostService['serviceCosts']>[0]): boolean =>
    earlyRequest !== null && req.start === earlyRequest.start && req.end === earlyRequest.end && req.force_refresh === earlyRequest.force_refresh && req.account_ids.join(',') === early?.join(',');
  const costCtx: ToolContext =
    earlyReport === null ? ctx : { ...ctx, costs: { serviceCosts: (req) => (sameAsEarly(req) ? earlyReport : ctx.costs.serviceCosts(req)) } };
  const costs: CostOutcome = !wantCosts
    ? { available: false, period, report: null, allocation: { by_arn: new Map(), unallocated: [], total: 0 }, note: null }
    : await loadCosts(costCtx, { account_ids: accountIds, resources, resource_types: opts.scope.resource_types, period, force_refresh: force, strict: opts.costs_required === true });

  const evaluated = evaluateResources(policy, resources, (r) => costs.allocation.by_arn.get(r.arn)?.monthly_cost ?? 0);
  const outcomes = accountOutcomes(inventory, opts.scope);
  const severity = opts.severity ?? 'all';
  const summary = aggregateAccounts(outcomes, evaluated, { severity });
  const summary_all = severity === 'all' ? summary : aggregateAccounts(outcomes, evaluated, { severity: 'all' });
  const violations = summary.violations.map((v) => ({ ...v, cost_impact_monthly: roundMoney(v.cost_impact_monthly) }));

  const notes = [...inventory.data_quality.coverage_notes];
  if (costs.note !== null) notes.push(costs.note);
  if (opts.tag_filter !== null && opts.tag_filter !== undefined && Object.keys(opts.tag_filter).length > 0) {
    notes.push(`Only resources matching the tag filter (${Object.keys(opts.tag_filter).sort().join(', ')}) are counted: ${resources.length} of ${inventory.resources.length} scanned resources.`);
  }
  const evaluation = evaluated.resources.filter((e) => e.in_scope);
  const outOfScope = resources.length - evaluation.length;
  if (outOfScope > 0) notes.push(`${outOfScope} scanned resource${outOfScope === 1 ? '' : 's'} of types no required tag applies to ${outOfScope === 1 ? 'is' : 'are'} not counted.`);
  return {
    policy,
    inventory,
    evaluated,
    evaluation,
    violations,
    summary,
    summary_all,
    account_metadata: summary.account_metadata,
    costs,
    data_quality: { ...inventory.data_quality, failed: [...inventory.data_quality.failed], coverage_notes: notes },
  };
}
