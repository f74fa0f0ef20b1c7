/**
 * Multi-account aggregation (seed Phase 4 `_aggregate_results`, property tests REQ-MA-1..6),
 * computed from resources rather than from `compliant + len(violations)` (a resource with two
 * violations is still one resource).
 *
 * - successful = status `succeeded` or `partial` (partial data is flagged by data_quality);
 *   failed and skipped accounts contribute nothing to the numbers.
 * - overall score = compliant / total over successful accounts; 1.0 when that is 0.
 * - account_breakdown has one entry per successful account, even with no resource in scope.
 * - An account id listed twice keeps its first outcome, so the three lists are disjoint.
 */
import { filterBySeverity } from './severity.js';
import { summarize } from './summarize.js';
import type { AccountMetadata, AccountOutcomeLike, Evaluated, MultiAccountAggregate, SeverityFilter } from './types.js';

export function accountMetadata(outcomes: readonly AccountOutcomeLike[]): AccountMetadata {
  const seen = new Set<string>();
  const meta: AccountMetadata = { total_accounts: 0, successful_accounts: [], failed_accounts: [], skipped_accounts: [] };
  for (const o of outcomes) {
    if (seen.has(o.account_id)) continue;
    seen.add(o.account_id);
    if (o.status === 'succeeded' || o.status === 'partial') meta.successful_accounts.push(o.account_id);
    else if (o.status === 'failed') meta.failed_accounts.push(o.account_id);
    else meta.skipped_accounts.push(o.account_id);
  }
  meta.total_accounts = seen.size;
  return meta;
}

export function aggregateAccounts(
  outcomes: readonly AccountOutcomeLike[],
  evaluated: Evaluated,
  options: { severity?: SeverityFilter } = {},
): MultiAccountAggregate {
  const meta = accountMetadata(outcomes);
  const ok = new Set(meta.successful_accounts);
  const aliases: Record<string, string | null> = {};
  for (const o of outcomes) if (ok.has(o.account_id) && !(o.account_id in aliases)) aliases[o.account_id] = o.account_alias ?? null;
  const scoped: Evaluated = {
    policy_hash: evaluated.policy_hash,
    resources: evaluated.resources.filter((e) => ok.has(e.resource.account_id)),
    violations: evaluated.violations.filter((v) => ok.has(v.account_id)),
  };
  const severity = options.severity ?? 'all';
  const summary = summarize(scoped, { severity, accounts: meta.successful_accounts, aliases });
  return { ...summary, account_metadata: meta, violations: filterBySeverity(scoped.violations, severity) };
}
