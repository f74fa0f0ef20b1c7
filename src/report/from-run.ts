/**
 * Maps a compliance run (src/tools/common/run-compliance.ts) to the report builder's plain input.
 * Per-region cost gaps are not part of the run's regional_breakdown, so they are summed here from
 * the evaluated resources (monthly cost of in-scope, non-compliant resources, as the run does).
 */
import type { RunComplianceResult } from '../tools/common/run-compliance.js';
import { buildReportModel, type BreakdownInput } from './build-model.js';
import type { ReportModel } from './model.js';

export interface FromRunOptions {
  generated_at: string;
  include_recommendations: boolean;
  /** Accounts skipped before scanning (suspended, excluded). */
  skipped?: { account_id: string; reason: string }[];
  title?: string;
  row_limit?: number;
}

export function reportModelFromRun(run: RunComplianceResult, opts: FromRunOptions): ReportModel {
  const s = run.summary;
  const regionGap = new Map<string, number>();
  for (const e of run.evaluation) {
    if (!e.compliant) regionGap.set(e.resource.region, (regionGap.get(e.resource.region) ?? 0) + e.monthly_cost);
  }
  const byRegion: BreakdownInput[] = Object.entries(s.regional_breakdown).map(([region, r]) => ({
    key: region,
    total_resources: r.total_resources,
    compliant_resources: r.compliant_resources,
    compliance_score: r.compliance_score,
    violation_count: r.violation_count,
    cost_attribution_gap: regionGap.get(region) ?? 0,
  }));
  const byAccount: BreakdownInput[] = Object.values(s.account_breakdown).map((a) => ({
    key: a.account_id,
    total_resources: a.total_resources,
    compliant_resources: a.compliant_resources,
    compliance_score: a.compliance_score,
    violation_count: a.violation_count,
    cost_attribution_gap: a.cost_attribution_gap,
  }));
  const names: Record<string, string | null> = {};
  for (const o of run.inventory.accounts) names[o.account_id] = o.account_alias ?? o.account_name;
  for (const a of Object.values(s.account_breakdown)) names[a.account_id] = a.account_alias ?? names[a.account_id] ?? null;

  const accountErrors = run.inventory.accounts
    .filter((o) => o.status !== 'succeeded' && o.error !== null)
    .map((o) => ({
      account_id: o.account_id,
      status: o.status === 'skipped' ? ('skipped' as const) : o.status === 'partial' ? ('partial' as const) : ('failed' as const),
      code: o.error?.code ?? 'Unknown',
      message: o.error?.message ?? '',
      role_arn: o.error?.role_arn ?? null,
    }));
  for (const sk of opts.skipped ?? []) {
    accountErrors.push({ account_id: sk.account_id, status: 'skipped', code: 'Skipped', message: sk.reason, role_arn: null });
  }

  return buildReportModel({
    ...(opts.title === undefined ? {} : { title: opts.title }),
    generated_at: opts.generated_at,
    scope: {
      account_ids: [...new Set(run.inventory.accounts.map((a) => a.account_id))],
      regions: run.inventory.regions,
      resource_types: run.inventory.resource_types,
      policy_version: run.policy.version,
    },
    summary: {
      compliance_score: s.compliance_score,
      total_resources: s.total_resources,
      compliant_resources: s.compliant_resources,
      cost_attribution_gap: s.cost_attribution_gap,
    },
    by_region: byRegion,
    by_account: byAccount,
    account_names: names,
    violations: run.violations,
    data_quality: run.data_quality,
    account_errors: accountErrors,
    include_recommendations: opts.include_recommendations,
    ...(opts.row_limit === undefined ? {} : { row_limit: opts.row_limit }),
  });
}
