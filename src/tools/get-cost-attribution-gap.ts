/**
 * get_cost_attribution_gap: how much spend cannot be attributed because resources break the
 * tagging policy. Service totals are actual Cost Explorer figures; per-resource figures are
 * allocated from them (src/costs/allocate.ts).
 */
import Type, { type Static } from 'typebox';
import { getResourceType } from '../aws/registry.js';
import { roundMoney, roundTo } from '../compliance/index.js';
import { servicesForTypes } from '../costs/allocate.js';
import { accountSections } from './common/accounts.js';
import { defaultCostPeriod, validatePeriod } from './common/costs.js';
import { runCompliance } from './common/run-compliance.js';
import { AccountErrorSchema, AccountIdsInput, AccountMetadataSchema, DataQualitySchema, ForceRefreshInput, RegionsInput, ResourceTypesInput } from './common/schemas.js';
import { resolveScope } from './common/scope.js';
import { defineTool } from './types.js';

const DateString = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });

const GroupBy = Type.Union([Type.Literal('resource_type'), Type.Literal('region'), Type.Literal('account'), Type.Literal('service')], {
  default: 'resource_type',
  description: 'How to break the figures down (default resource_type).',
});

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    time_period: Type.Optional(
      Type.Object(
        { start: DateString, end: DateString },
        { additionalProperties: false, description: 'YYYY-MM-DD; start inclusive, end exclusive, at most 366 days. Default: the last 30 full days before today.' },
      ),
    ),
    group_by: Type.Optional(GroupBy),
    account_ids: Type.Optional(AccountIdsInput),
    regions: Type.Optional(RegionsInput),
    force_refresh: Type.Optional(ForceRefreshInput),
  },
  { additionalProperties: false },
);

const CostSource = Type.Union([Type.Literal('actual'), Type.Literal('allocated_from_service_total')]);

const GroupSchema = Type.Object(
  {
    group: Type.String(),
    total_spend: Type.Number(),
    total_spend_source: CostSource,
    attributable_spend: Type.Number(),
    attribution_gap: Type.Number(),
    gap_percentage: Type.Number(),
    unallocated_spend: Type.Number({ description: 'Spend of the group\'s services with no scanned resource to carry it.' }),
    resource_count: Type.Integer({ minimum: 0 }),
    non_compliant_resources: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    time_period: Type.Object({ start: Type.String(), end: Type.String(), days: Type.Integer() }, { additionalProperties: false }),
    currency: Type.Literal('USD'),
    total_spend: Type.Number({ description: 'Actual Cost Explorer spend of the services the requested resource types are billed under.' }),
    attributable_spend: Type.Number({ description: 'Part of total_spend allocated to resources with no error violation.' }),
    attribution_gap: Type.Number({ description: 'Part of total_spend allocated to resources with at least one error violation.' }),
    gap_percentage: Type.Number({ description: 'attribution_gap / total_spend × 100.' }),
    unallocated_spend: Type.Number({ description: 'Part of total_spend no scanned resource could carry (total = attributable + gap + unallocated).' }),
    other_services_spend: Type.Number({ description: 'Spend of services outside the requested resource types (not in total_spend).' }),
    cost_source: Type.Object(
      { total_spend: CostSource, attributable_spend: CostSource, attribution_gap: CostSource, unallocated_spend: CostSource },
      { additionalProperties: false },
    ),
    group_by: GroupBy,
    breakdown: Type.Array(GroupSchema),
    unallocated: Type.Array(
      Type.Object({ account_id: Type.String(), service: Type.String(), amount: Type.Number(), reason: Type.String() }, { additionalProperties: false }),
    ),
    top_gap_resources: Type.Array(
      Type.Object(
        { resource_arn: Type.String(), resource_type: Type.String(), account_id: Type.String(), region: Type.String(), cost: Type.Number(), cost_source: Type.Literal('allocated_from_service_total'), violated_tags: Type.Array(Type.String()) },
        { additionalProperties: false },
      ),
      { description: 'Up to 10 non-compliant resources carrying the most spend.' },
    ),
    cost_explorer_requests: Type.Integer({ minimum: 0, description: 'Cost Explorer requests made for this answer (0 when served from cache).' }),
    scan_timestamp: Type.String(),
    data_quality: DataQualitySchema,
    note: Type.String(),
    account_metadata: Type.Optional(AccountMetadataSchema),
    account_errors: Type.Optional(Type.Array(AccountErrorSchema)),
  },
  { additionalProperties: false },
);

type Group = Static<typeof GroupSchema>;
type GroupByValue = Static<typeof GroupBy>;

interface Acc {
  total: number;
  attributable: number;
  gap: number;
  unallocated: number;
  resources: number;
  noncompliant: number;
}

const acc = (): Acc => ({ total: 0, attributable: 0, gap: 0, unallocated: 0, resources: 0, noncompliant: 0 });

function pct(part: number, whole: number): number {
  return whole > 0 ? roundTo((part / whole) * 100, 2) : 0;
}

export const getCostAttributionGap = defineTool({
  name: 'get_cost_attribution_gap',
  title: 'Get cost attribution gap',
  description: [
    'Answers "how much of our AWS spend cannot be attributed to an owner/cost center because of missing or wrong tags?".',
    'total_spend is the actual Cost Explorer spend (time_period, default the last 30 full days) of the services the resource types are billed under; it is split into attributable_spend (resources with no error violation), attribution_gap (resources with at least one) and unallocated_spend (spend no scanned resource could carry). gap_percentage = gap / total × 100.',
    'Per-resource figures are allocated from service totals, weighted by size (cost_source tells which figures are actual and which allocated). group_by: resource_type, region, account or service. top_gap_resources lists the costliest non-compliant resources.',
    'Pass account_ids for several accounts (one Cost Explorer query covers them all).',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Get cost attribution gap', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{}, { group_by: 'account', account_ids: ['all'] }, { resource_types: ['ec2:instance', 'rds:db'], time_period: { start: '2026-01-01', end: '2026-02-01' }, group_by: 'service' }],
  async handler(ctx, input) {
    const { period, days } = validatePeriod(input.time_period ?? defaultCostPeriod(ctx.now()));
    const scope = await resolveScope(ctx, input);
    const groupBy: GroupByValue = input.group_by ?? 'resource_type';
    const run = await runCompliance(ctx, { scope, force_refresh: input.force_refresh ?? false, cost_period: period, costs_required: true });
    const services = servicesForTypes(scope.resource_types);
    const lines = run.costs.report?.lines ?? [];

    const groups = new Map<string, Acc>();
    const get = (k: string): Acc => {
      let a = groups.get(k);
      if (a === undefined) groups.set(k, (a = acc()));
      return a;
    };
    let total = 0;
    let other = 0;
    for (const l of lines) {
      if (!services.has(l.service)) {
        other += l.amount;
        continue;
      }
      total += l.amount;
      if (groupBy === 'account') get(l.account_id).total += l.amount;
      if (groupBy === 'service') get(l.service).total += l.amount;
    }
    const unallocated = run.costs.allocation.unallocated.filter((u) => services.has(u.service));
    const unallocatedTotal = unallocated.reduce((s, u) => s + u.amount, 0);
    for (const u of unallocated) {
      if (groupBy === 'account') get(u.account_id).unallocated += u.amount;
      if (groupBy === 'service') get(u.service).unallocated += u.amount;
    }
    let attributable = 0;
    let gap = 0;
    // Allocated cost of every scanned resource (types no required tag applies to included: they
    // break no rule, so their spend is attributable), so total = attributable + gap + unallocated.
    const costOf = (arn: string): number => run.costs.allocation.by_arn.get(arn)?.monthly_cost ?? 0;
    for (const e of run.evaluated.resources) {
      const cost = costOf(e.resource.arn);
      const service = getResourceType(e.resource.type)?.cost_service ?? 'unknown';
      const key = groupBy === 'resource_type' ? e.resource.type : groupBy === 'region' ? e.resource.region : groupBy === 'account' ? e.resource.account_id : service;
      const g = get(key);
      g.resources += 1;
      if (e.compliant) {
        attributable += cost;
        g.attributable += cost;
      } else {
        gap += cost;
        g.gap += cost;
        g.noncompliant += 1;
      }
      if (groupBy === 'resource_type' || groupBy === 'region') g.total += cost;
    }
    const actualGroups = groupBy === 'account' || groupBy === 'service';
    const breakdown: Group[] = [...groups.entries()]
      .map(([group, a]) => ({
        group,
        total_spend: roundMoney(a.total),
        total_spend_source: actualGroups ? ('actual' as const) : ('allocated_from_service_total' as const),
        attributable_spend: roundMoney(a.attributable),
        attribution_gap: roundMoney(a.gap),
        gap_percentage: pct(a.gap, a.total),
        unallocated_spend: roundMoney(a.unallocated),
        resource_count: a.resources,
        non_compliant_resources: a.noncompliant,
      }))
      .sort((x, y) => y.attribution_gap - x.attribution_gap || (x.group < y.group ? -1 : x.group > y.group ? 1 : 0));

    const top = run.evaluated.resources
      .filter((e) => !e.compliant && costOf(e.resource.arn) > 0)
      .sort((a, b) => costOf(b.resource.arn) - costOf(a.resource.arn))
      .slice(0, 10)
      .map((e) => ({
        resource_arn: e.resource.arn,
        resource_type: e.resource.type,
        account_id: e.resource.account_id,
        region: e.resource.region,
        cost: roundMoney(costOf(e.resource.arn)),
        cost_source: 'allocated_from_service_total' as const,
        violated_tags: [...new Set(e.violations.filter((v) => v.severity === 'error').map((v) => v.tag_name))].sort(),
      }));

    const notes = [`Figures cover ${period.start} to ${period.end} (end exclusive, ${days} days).`];
    if (unallocatedTotal !== 0) notes.push(`${roundMoney(unallocatedTotal)} USD of spend has no scanned resource to carry it (see unallocated).`);
    if (run.data_quality.status === 'partial') notes.push('Data is partial: resources in unread cells are missing, so their spend shows as unallocated (see data_quality.failed).');
    const out: Static<typeof Output> = {
      time_period: { start: period.start, end: period.end, days },
      currency: 'USD',
      total_spend: roundMoney(total),
      attributable_spend: roundMoney(attributable),
      attribution_gap: roundMoney(gap),
      gap_percentage: pct(gap, total),
      unallocated_spend: roundMoney(unallocatedTotal),
      other_services_spend: roundMoney(other),
      cost_source: { total_spend: 'actual', attributable_spend: 'allocated_from_service_total', attribution_gap: 'allocated_from_service_total', unallocated_spend: 'actual' },
      group_by: groupBy,
      breakdown,
      unallocated: unallocated.map((u) => ({ account_id: u.account_id, service: u.service, amount: roundMoney(u.amount), reason: u.reason })),
      top_gap_resources: top,
      cost_explorer_requests: run.costs.report?.cost_explorer_requests ?? 0,
      scan_timestamp: run.inventory.scanned_at,
      data_quality: run.data_quality,
      note: notes.join(' '),
    };
    if (scope.account_ids !== null) {
      const s = accountSections(run, scope);
      out.account_metadata = s.account_metadata;
      out.account_errors = s.account_errors;
    }
    return out;
  },
});
