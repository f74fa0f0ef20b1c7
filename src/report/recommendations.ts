/**
 * Recommendations (pure): concrete actions derived from a report model.
 *
 * Ranking: access problems come first — until they are fixed the other numbers are incomplete
 * and the hidden spend is unknown (`monthly_cost_impact: null`). Then tag fixes by the monthly
 * cost they make attributable (largest first), then by resource count; warnings (case issues)
 * come last because they do not break compliance.
 */
import type { CellFailure } from '../core/types.js';
import { formatUsd, plural } from './format.js';
import type { Recommendation, ReportModel, TagGapRow } from './model.js';

/** At most this many recommendations (the smallest are dropped; `detail` of the last says so). */
export const MAX_RECOMMENDATIONS = 15;

const ACCESS_CODES = new Set(['AccessDenied', 'AssumeRoleFailed', 'UnauthorizedOperation', 'AccessDeniedException', 'InvalidClientTokenId', 'ExpiredToken']);

type Draft = Omit<Recommendation, 'rank'> & { order: number };

function accessDrafts(model: ReportModel): Draft[] {
  const byAccount = new Map<string, CellFailure[]>();
  for (const f of model.data_quality.failed) {
    const list = byAccount.get(f.account_id) ?? [];
    list.push(f);
    byAccount.set(f.account_id, list);
  }
  for (const a of model.account_errors) if (a.status === 'failed' && !byAccount.has(a.account_id)) byAccount.set(a.account_id, []);
  const drafts: Draft[] = [];
  for (const [accountId, failures] of [...byAccount.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const label = model.account_labels[accountId] ?? accountId;
    const accountError = model.account_errors.find((a) => a.account_id === accountId && a.status !== 'skipped');
    const access = failures.filter((f) => ACCESS_CODES.has(f.error_code));
    const other = failures.filter((f) => !ACCESS_CODES.has(f.error_code));
    const accountDenied = accountError !== undefined && ACCESS_CODES.has(accountError.code);
    if (access.length > 0 || accountDenied) {
      const role = accountError?.role_arn ? `Check that ${accountError.role_arn} exists and trusts the server's role. ` : '';
      const why = accountError?.message ?? access[0]?.message ?? '';
      const what = accountError?.status === 'failed' ? 'no resource could be read' : `${plural(access.length, 'region/type cell')} could not be read`;
      drafts.push({
        order: 0,
        kind: 'fix_access',
        title: `Fix the read-only role in account ${label} — ${what}`,
        detail: `${role}${why ? `${why}. ` : ''}Until access works, this account's resources and spend are missing from every number in this report.`.replace('.. ', '. '),
        account_id: accountId,
        tag_name: null,
        resource_count: 0,
        monthly_cost_impact: null,
      });
    } else if (accountError?.status === 'failed' && other.length === 0) {
      other.push({ account_id: accountId, region: '*', resource_type: '*', error_code: accountError.code, message: accountError.message });
    }
    if (other.length > 0) {
      const codes = [...new Set(other.map((f) => f.error_code))].sort().join(', ');
      drafts.push({
        order: 1,
        kind: 'rescan',
        title: `Re-run the scan for account ${label} — ${plural(other.length, 'region/type cell')} failed (${codes})`,
        detail: 'These failures look transient (throttling, timeouts, disabled regions); run the report again with force_refresh true, or narrow the regions.',
        account_id: accountId,
        tag_name: null,
        resource_count: 0,
        monthly_cost_impact: null,
      });
    }
  }
  return drafts;
}

function costSuffix(cost: number): string {
  return cost > 0 ? ` — ${formatUsd(cost)}/month unattributed` : '';
}

function tagDraft(g: TagGapRow): Draft {
  const n = plural(g.resource_count, 'resource');
  const where = `in ${g.account_label}`;
  const base = { account_id: g.account_id, tag_name: g.tag_name, resource_count: g.resource_count, monthly_cost_impact: g.monthly_cost };
  switch (g.violation_type) {
    case 'missing_required_tag':
      return {
        ...base,
        order: 2,
        kind: 'tag_resources',
        title: `Tag ${g.resource_count === 1 ? '' : 'the '}${n} missing ${g.tag_name} ${where}${costSuffix(g.monthly_cost)}`,
        detail: `Add the required ${g.tag_name} tag; find_untagged_resources lists them, suggest_tags proposes values.`,
      };
    case 'invalid_value':
    case 'invalid_format':
      return {
        ...base,
        order: 2,
        kind: 'fix_values',
        title: `Correct the ${g.tag_name} value on ${n} ${where}${costSuffix(g.monthly_cost)}`,
        detail: `The current ${g.tag_name} values are not ${g.violation_type === 'invalid_value' ? 'among the allowed values' : 'in the required format'} of the policy.`,
      };
    case 'prohibited_tag':
      return {
        ...base,
        order: 2,
        kind: 'remove_prohibited',
        title: `Remove the prohibited tag ${g.tag_name} from ${n} ${where}${costSuffix(g.monthly_cost)}`,
        detail: `The policy forbids the ${g.tag_name} key on every resource.`,
      };
    case 'wrong_key_case':
    case 'wrong_value_case':
      return {
        ...base,
        order: 3,
        kind: 'normalise_case',
        title: `Normalise the case of ${g.tag_name} on ${n} ${where}`,
        detail: `The ${g.violation_type === 'wrong_key_case' ? 'key' : 'value'} differs from the policy only by case (a warning: compliance is not affected, cost allocation reports may split).`,
        monthly_cost_impact: g.severity === 'error' ? g.monthly_cost : 0,
      };
  }
}

export function recommend(model: ReportModel): Recommendation[] {
  const drafts = [...accessDrafts(model), ...model.tag_gaps.map(tagDraft)];
  drafts.sort(
    (a, b) =>
      a.order - b.order ||
      (b.monthly_cost_impact ?? 0) - (a.monthly_cost_impact ?? 0) ||
      b.resource_count - a.resource_count ||
      (a.account_id ?? '').localeCompare(b.account_id ?? '') ||
      (a.tag_name ?? '').localeCompare(b.tag_name ?? ''),
  );
  const kept = drafts.slice(0, MAX_RECOMMENDATIONS);
  const dropped = drafts.length - kept.length;
  const out = kept.map(({ order: _order, ...rest }, i) => ({ rank: i + 1, ...rest }));
  const last = out[out.length - 1];
  if (dropped > 0 && last) last.detail = `${last.detail} (${plural(dropped, 'smaller action')} not listed.)`;
  return out;
}
