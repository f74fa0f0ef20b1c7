/**
 * Shared domain types. Plain data only: every layer (AWS listers, scanner, policy engine,
 * tools, reports, history) speaks in these shapes. Field names are snake_case because they
 * reach users unchanged (see DESIGN.md "Contracts that users see").
 */

export type Tags = Record<string, string>;

/** Pseudo-region used for global resource types (S3 buckets are listed once, CloudFront, Route 53 …). */
export const GLOBAL_REGION = 'global';

/** One AWS resource as seen by a scan. Identified by ARN, never by name. */
export interface ResourceRecord {
  arn: string;
  /** Short id: instance id, bucket name, DB identifier … */
  id: string;
  /** Human name (Name tag, DB identifier, bucket name) when there is one. */
  name: string | null;
  /** Registry type name, e.g. `ec2:instance`. */
  type: string;
  account_id: string;
  /** Real region of the resource. Global types carry their home region or `global`. */
  region: string;
  tags: Tags;
  /** ISO-8601 creation time when the API reports it. */
  created_at: string | null;
  /** Small, type-specific facts used by cost allocation and tag suggestions
   * (instance_type, state, attached_instance_id, size_gb, engine …). */
  attributes: Record<string, string | number | boolean | null>;
}

/** One unit of scanning work: an account × region × resource type. */
export interface CellRef {
  account_id: string;
  /** `global` for global types. */
  region: string;
  resource_type: string;
}

export interface CellFailure extends CellRef {
  /** Stable machine code: AccessDenied, Throttling, Timeout, AssumeRoleFailed, RegionDisabled, … */
  error_code: string;
  /** Safe, human-readable message (no credentials, no raw foreign ARNs). */
  message: string;
  /** How many cells this entry stands for when several failed identically (absent = 1).
   * An account whose every cell failed with one error is one entry with region and
   * resource_type `*`, so a broken role does not fill the answer with copies. */
  cells?: number;
}

export interface DataQuality {
  /** `complete` only when every requested cell was read to the end. */
  status: 'complete' | 'partial';
  cells_requested: number;
  cells_complete: number;
  failed: CellFailure[];
  /** Plain-language notes on what the numbers cannot see (e.g. never-tagged resources of
   * types listed through the Tagging API). */
  coverage_notes: string[];
}

export type Severity = 'error' | 'warning';

export type ViolationType =
  | 'missing_required_tag'
  | 'invalid_value'
  | 'invalid_format'
  | 'wrong_key_case'
  | 'wrong_value_case'
  | 'prohibited_tag';

/** One policy breach on one resource, as produced by the evaluator (no cost yet). */
export interface TagViolation {
  tag_name: string;
  violation_type: ViolationType;
  severity: Severity;
  /** The value found (null when the key is absent). */
  current_value: string | null;
  allowed_values: string[] | null;
  message: string;
}

/** A violation placed on its resource, as tools return it. */
export interface Violation extends TagViolation {
  resource_id: string;
  resource_arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  /** Monthly cost of the resource that this violation leaves unattributed (0 when unknown). */
  cost_impact_monthly: number;
}

/** Result of evaluating one resource against the policy. */
export interface ResourceEvaluation {
  /** False when no required tag applies to the resource's type. */
  in_scope: boolean;
  /** True when there is no `error` violation (warnings do not break compliance). */
  compliant: boolean;
  violations: TagViolation[];
}

/** An account the server may scan. */
export interface AccountInfo {
  account_id: string;
  name: string | null;
  alias: string | null;
  /** Organizational unit id (or path) when known. */
  ou: string | null;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'UNKNOWN';
  /** True for the account whose base credentials the server runs with (no AssumeRole). */
  is_local: boolean;
}

/** Progress callback handed to long operations. `total` may be unknown. */
export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}
export type ProgressReporter = (update: ProgressUpdate) => void;
