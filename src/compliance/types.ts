/**
 * Shapes of the pure compliance aggregation (src/compliance). Field names reach users unchanged
 * (DESIGN.md "Contracts that users see").
 */
import type { ResourceRecord, TagViolation, Violation } from '../core/types.js';

export type SeverityFilter = 'all' | 'errors_only' | 'warnings_only';

/** One resource after evaluation against the policy. */
export interface EvaluatedResource {
  resource: ResourceRecord;
  /** False when no required tag applies to the resource's type (then it is counted nowhere). */
  in_scope: boolean;
  /** No `error` violation (warnings do not break compliance). Always true when out of scope. */
  compliant: boolean;
  /** Read-only: may be a shared frozen empty array. */
  violations: readonly TagViolation[];
  /** Monthly cost of the resource (USD) from `costOf`, 0 when unknown. */
  monthly_cost: number;
}

export interface Evaluated {
  /** Hash of the policy the verdicts come from. */
  policy_hash: string;
  /** Every input resource, in input order, in scope or not. */
  resources: EvaluatedResource[];
  /** Every violation placed on its resource, in the stable order of `compareViolations`.
   * `cost_impact_monthly` is the resource's monthly cost on each of its `error` violations and 0
   * on warnings (so summing it over violations counts a resource once per error; use
   * `cost_attribution_gap` for money, which counts each non-compliant resource once). */
  violations: Violation[];
}

export interface RegionBreakdown {
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
}

export interface AccountBreakdown {
  account_id: string;
  account_alias: string | null;
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  cost_attribution_gap: number;
}

export interface ComplianceSummary {
  /** compliant / in scope, rounded to 4 decimals; 1.0 when nothing is in scope. */
  compliance_score: number;
  /** Resources in scope. */
  total_resources: number;
  compliant_resources: number;
  /** Counts below describe the violations that pass the severity filter. */
  violation_count: number;
  error_count: number;
  warning_count: number;
  /** By tag_name. */
  violations_by_tag: Record<string, number>;
  /** By violation_type (missing_required_tag, invalid_value, …). */
  violations_by_type: Record<string, number>;
  /** By resource type (ec2:instance, …). */
  violations_by_resource_type: Record<string, number>;
  regional_breakdown: Record<string, RegionBreakdown>;
  account_breakdown: Record<string, AccountBreakdown>;
  /** Monthly cost (USD, 2 decimals) of in-scope resources that are not compliant. */
  cost_attribution_gap: number;
}

export interface SummarizeOptions {
  /** Which violations the counts describe (scores and cost never depend on it). Default `all`. */
  severity?: SeverityFilter;
  /** Accounts that must appear in account_breakdown even with no in-scope resource. */
  accounts?: readonly string[];
  /** account_id → alias for account_breakdown. */
  aliases?: Readonly<Record<string, string | null>>;
}

export interface AccountMetadata {
  /** successful + failed + skipped (distinct accounts). */
  total_accounts: number;
  successful_accounts: string[];
  failed_accounts: string[];
  skipped_accounts: string[];
}

/** What aggregation needs from a per-account scan outcome (src/scan AccountScanOutcome fits). */
export interface AccountOutcomeLike {
  account_id: string;
  account_alias?: string | null;
  /** succeeded and partial count as successful (partial data is flagged by data_quality). */
  status: 'succeeded' | 'partial' | 'failed' | 'skipped';
}

export interface MultiAccountAggregate extends ComplianceSummary {
  account_metadata: AccountMetadata;
  /** The violations of successful accounts that pass the severity filter, in stable order:
   * `violation_count === violations.length`. */
  violations: Violation[];
}
