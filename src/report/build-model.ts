/**
 * Builds a ReportModel from plain compliance facts (pure). The caller supplies the aggregates it
 * already computed (summary, per-region and per-account rows) and the full violation list; this
 * module derives the per-tag/per-type counts, the bounded top lists, the tag gaps and, on request,
 * the recommendations.
 */
import type { DataQuality, Violation } from '../core/types.js';
import { recommend } from './recommendations.js';
import {
  REPORT_ROW_LIMIT,
  type AccountErrorRow,
  type BoundedRows,
  type CostGapRow,
  type CountBreakdownRow,
  type ReportModel,
  type ReportScope,
  type ReportViolationRow,
  type ScoreBreakdownRow,
  type TagGapRow,
} from './model.js';

export type BreakdownInput = Omit<ScoreBreakdownRow, 'label'> & { label?: string };

export interface ReportInput {
  title?: string;
  generated_at: string;
  scope: ReportScope;
  summary: {
    compliance_score: number;
    total_resources: number;
    compliant_resources: number;
    cost_attribution_gap: number;
  };
  by_region: BreakdownInput[];
  by_account: BreakdownInput[];
  /** Account id → alias or name (optional). */
  account_names: Record<string, string | null>;
  /** Every violation of the run (not a page). */
  violations: Violation[];
  data_quality: DataQuality;
  /** Accounts that failed, were partial or skipped (label filled in here). */
  account_errors?: Omit<AccountErrorRow, 'account_label'>[];
  include_recommendations: boolean;
  /** Rows listed per table (default 100). */
  row_limit?: number;
}

export const DEFAULT_REPORT_TITLE = 'Tag compliance report';

export function accountLabel(accountId: string, name: string | null | undefined): string {
  return name && name !== accountId ? `${name} (${accountId})` : accountId;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function bounded<T>(all: T[], limit: number): BoundedRows<T> {
  const rows = all.slice(0, limit);
  return { rows, total: all.length, omitted: all.length - rows.length };
}

function countBy(violations: Violation[], key: (v: Violation) => string): CountBreakdownRow[] {
  const counts = new Map<string, number>();
  for (const v of violations) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
  return [...counts.entries()]
    .map(([k, n]) => ({ key: k, violation_count: n }))
    .sort((a, b) => b.violation_count - a.violation_count || a.key.localeCompare(b.key));
}

function violationRow(v: Violation): ReportViolationRow {
  return {
    resource_id: v.resource_id,
    resource_arn: v.resource_arn,
    resource_type: v.resource_type,
    account_id: v.account_id,
    region: v.region,
    tag_name: v.tag_name,
    violation_type: v.violation_type,
    severity: v.severity,
    current_value: v.current_value,
    message: v.message,
    cost_impact_monthly: round2(v.cost_impact_monthly),
  };
}

/** Errors before warnings, then by cost, then by a stable location order. */
function compareViolations(a: Violation, b: Violation): number {
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return (
    b.cost_impact_monthly - a.cost_impact_monthly ||
    a.account_id.localeCompare(b.account_id) ||
    a.region.localeCompare(b.region) ||
    a.resource_id.localeCompare(b.resource_id) ||
    a.tag_name.localeCompare(b.tag_name)
  );
}

/** Non-compliant resources (at least one error) with their monthly cost, largest first. */
export function costGaps(violations: Violation[], labels: Record<string, string>): CostGapRow[] {
  const byArn = new Map<string, CostGapRow>();
  for (const v of violations) {
    if (v.severity !== 'error') continue;
    let row = byArn.get(v.resource_arn);
    if (!row) {
      row = {
        resource_id: v.resource_id,
        resource_arn: v.resource_arn,
        resource_type: v.resource_type,
        account_id: v.account_id,
        account_label: labels[v.account_id] ?? v.account_id,
        region: v.region,
        monthly_cost: 0,
        violation_count: 0,
        tags_at_fault: [],
      };
      byArn.set(v.resource_arn, row);
    }
    row.monthly_cost = Math.max(row.monthly_cost, round2(v.cost_impact_monthly));
    row.violation_count += 1;
    if (!row.tags_at_fault.includes(v.tag_name)) row.tags_at_fault.push(v.tag_name);
  }
  const rows = [...byArn.values()];
  for (const r of rows) r.tags_at_fault.sort();
  return rows.sort(
    (a, b) => b.monthly_cost - a.monthly_cost || a.account_id.localeCompare(b.account_id) || a.resource_arn.localeCompare(b.resource_arn),
  );
}

/** Violations grouped by account × tag × violation type; cost counts each resource once. */
export function tagGaps(violations: Violation[], labels: Record<string, string>): TagGapRow[] {
  const groups = new Map<string, { row: TagGapRow; costs: Map<string, number> }>();
  for (const v of violations) {
    const key = JSON.stringify([v.account_id, v.tag_name, v.violation_type]);
    let g = groups.get(key);
    if (!g) {
      g = {
        row: {
          account_id: v.account_id,
          account_label: labels[v.account_id] ?? v.account_id,
          tag_name: v.tag_name,
          violation_type: v.violation_type,
          severity: v.severity,
          resource_count: 0,
          monthly_cost: 0,
        },
        costs: new Map(),
      };
      groups.set(key, g);
    }
    if (v.severity === 'error') g.row.severity = 'error';
    g.costs.set(v.resource_arn, Math.max(g.costs.get(v.resource_arn) ?? 0, v.cost_impact_monthly));
  }
  const rows: TagGapRow[] = [];
  for (const { row, costs } of groups.values()) {
    row.resource_count = costs.size;
    row.monthly_cost = round2([...costs.values()].reduce((s, c) => s + c, 0));
    rows.push(row);
  }
  return rows.sort(
    (a, b) =>
      b.monthly_cost - a.monthly_cost ||
      b.resource_count - a.resource_count ||
      a.account_id.localeCompare(b.account_id) ||
      a.tag_name.localeCompare(b.tag_name) ||
      a.violation_type.localeCompare(b.violation_type),
  );
}

function withLabel(rows: BreakdownInput[], label: (key: string) => string): ScoreBreakdownRow[] {
  return rows.map((r) => ({
    key: r.key,
    label: r.label ?? label(r.key),
    total_resources: r.total_resources,
    compliant_resources: r.compliant_resources,
    compliance_score: r.compliance_score,
    violation_count: r.violation_count,
    cost_attribution_gap: round2(r.cost_attribution_gap),
  }));
}

export function buildReportModel(input: ReportInput): ReportModel {
  const limit = input.row_limit ?? REPORT_ROW_LIMIT;
  const labels: Record<string, string> = {};
  const ids = new Set([...input.scope.account_ids, ...(input.account_errors ?? []).map((a) => a.account_id), ...input.by_account.map((r) => r.key), ...input.violations.map((v) => v.account_id)]);
  for (const id of [...ids].sort()) labels[id] = accountLabel(id, input.account_names[id]);

  const sortedViolations = [...input.violations].sort(compareViolations);
  const byScore = (a: ScoreBreakdownRow, b: ScoreBreakdownRow): number =>
    a.compliance_score - b.compliance_score || b.cost_attribution_gap - a.cost_attribution_gap || a.key.localeCompare(b.key);

  const model: ReportModel = {
    title: input.title ?? DEFAULT_REPORT_TITLE,
    generated_at: input.generated_at,
    scope: {
      account_ids: [...input.scope.account_ids].sort(),
      regions: [...input.scope.regions].sort(),
      resource_types: [...input.scope.resource_types].sort(),
      policy_version: input.scope.policy_version,
    },
    summary: {
      compliance_score: input.summary.compliance_score,
      total_resources: input.summary.total_resources,
      compliant_resources: input.summary.compliant_resources,
      non_compliant_resources: input.summary.total_resources - input.summary.compliant_resources,
      violation_count: input.violations.length,
      cost_attribution_gap: round2(input.summary.cost_attribution_gap),
    },
    breakdowns: {
      by_region: withLabel(input.by_region, (k) => k).sort(byScore),
      by_account: withLabel(input.by_account, (k) => labels[k] ?? k).sort(byScore),
      by_tag: countBy(input.violations, (v) => v.tag_name),
      by_type: countBy(input.violations, (v) => v.violation_type),
    },
    top_violations: bounded(sortedViolations.map(violationRow), limit),
    top_cost_gaps: bounded(costGaps(input.violations, labels), limit),
    tag_gaps: tagGaps(input.violations, labels),
    data_quality: input.data_quality,
    account_errors: (input.account_errors ?? []).map((a) => ({ ...a, account_label: labels[a.account_id] ?? a.account_id })),
    account_labels: labels,
    recommendations: [],
  };
  if (input.include_recommendations) model.recommendations = recommend(model);
  return model;
}
