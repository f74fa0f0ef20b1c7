/**
 * The report model: plain data that every renderer (json, csv, markdown, html) reads. It does not
 * depend on tool internals; `build-model.ts` fills it from a compliance run. Scores are 0.0–1.0,
 * money is USD per month.
 */
import type { DataQuality, Severity, ViolationType } from '../core/types.js';

export type ReportFormat = 'json' | 'csv' | 'markdown' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv', 'markdown', 'html'];

/** Default bound on rows listed in tables (the rest is counted, never silently dropped). */
export const REPORT_ROW_LIMIT = 100;

export interface ReportScope {
  account_ids: string[];
  regions: string[];
  resource_types: string[];
  policy_version: string;
}

export interface ReportSummary {
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  non_compliant_resources: number;
  violation_count: number;
  /** Monthly spend of non-compliant resources that cannot be attributed (USD). */
  cost_attribution_gap: number;
}

/** One row of a score breakdown (per region or per account). */
export interface ScoreBreakdownRow {
  key: string;
  /** Display label (account alias + id, region name). */
  label: string;
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  cost_attribution_gap: number;
}

/** One row of a count breakdown (violations per tag or per violation type). */
export interface CountBreakdownRow {
  key: string;
  violation_count: number;
}

export interface ReportViolationRow {
  resource_id: string;
  resource_arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  tag_name: string;
  violation_type: ViolationType;
  severity: Severity;
  current_value: string | null;
  message: string;
  cost_impact_monthly: number;
}

/** A non-compliant resource and its monthly cost (the cost nobody can attribute). */
export interface CostGapRow {
  resource_id: string;
  resource_arn: string;
  resource_type: string;
  account_id: string;
  account_label: string;
  region: string;
  monthly_cost: number;
  violation_count: number;
  /** Tags the resource breaks (sorted). */
  tags_at_fault: string[];
}

/** Violations of one tag rule in one account (what a team can fix in one sweep). */
export interface TagGapRow {
  account_id: string;
  account_label: string;
  tag_name: string;
  violation_type: ViolationType;
  severity: Severity;
  resource_count: number;
  /** Monthly cost of the distinct resources concerned (USD). */
  monthly_cost: number;
}

/** Bounded list: `rows` holds at most the row limit; `total` counts every item. */
export interface BoundedRows<T> {
  rows: T[];
  total: number;
  omitted: number;
}

export type RecommendationKind =
  | 'fix_access'
  | 'rescan'
  | 'tag_resources'
  | 'fix_values'
  | 'remove_prohibited'
  | 'normalise_case';

export interface Recommendation {
  rank: number;
  kind: RecommendationKind;
  /** One sentence, an action with its impact. */
  title: string;
  detail: string;
  account_id: string | null;
  tag_name: string | null;
  resource_count: number;
  /** Monthly spend this action makes attributable; null when unknown (unread data). */
  monthly_cost_impact: number | null;
}

/** An account that could not be scanned completely (failed, partial or skipped). */
export interface AccountErrorRow {
  account_id: string;
  account_label: string;
  status: 'failed' | 'partial' | 'skipped';
  code: string;
  message: string;
  /** The role to fix when access was denied. */
  role_arn: string | null;
}

export interface ReportModel {
  title: string;
  generated_at: string;
  scope: ReportScope;
  summary: ReportSummary;
  breakdowns: {
    by_region: ScoreBreakdownRow[];
    by_account: ScoreBreakdownRow[];
    by_tag: CountBreakdownRow[];
    by_type: CountBreakdownRow[];
  };
  top_violations: BoundedRows<ReportViolationRow>;
  top_cost_gaps: BoundedRows<CostGapRow>;
  /** Every (account, tag, violation type) group, largest cost first — input of recommendations. */
  tag_gaps: TagGapRow[];
  data_quality: DataQuality;
  account_errors: AccountErrorRow[];
  /** Account id → display label, for renderers. */
  account_labels: Record<string, string>;
  recommendations: Recommendation[];
}
