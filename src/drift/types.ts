/**
 * Shapes of the pure drift logic (src/drift): tag-level differences between two states of one
 * resource, resource-level changes between two snapshots, and their assessment against a policy.
 */

export type Tags = Record<string, string>;

export interface TagAdded {
  key: string;
  value: string;
}

export interface TagRemoved {
  key: string;
  value: string;
}

export interface TagChanged {
  key: string;
  old_value: string;
  new_value: string;
}

/** What changed in the tracked keys of one tag set (each list sorted by key). */
export interface TagDiff {
  added: TagAdded[];
  removed: TagRemoved[];
  changed: TagChanged[];
}

/** Which tag keys are tracked. */
export type KeyFilter = (key: string) => boolean;

/** One resource's state in a snapshot (the history store's SnapshotResourceState without the stored verdict). */
export interface ResourceState {
  arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  tags: Tags;
}

export type ChangeKind = 'tags_changed' | 'created' | 'deleted';

/** One resource that differs between the baseline and the current state. */
export interface ResourceDrift {
  kind: ChangeKind;
  arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  /** Tracked keys only. created: every tracked tag is `added`; deleted: every tracked tag is `removed`. */
  diff: TagDiff;
  /** Full tag sets (every key), null on the side where the resource does not exist. */
  before: Tags | null;
  after: Tags | null;
}

export interface ResourceDiffResult {
  drifts: ResourceDrift[];
  /** Resources present on both sides (changed or not). */
  compared: number;
  /** Baseline resources absent now whose account × region × type could not be read now (not reported as deleted). */
  unreadable_now: ResourceState[];
}

/**
 * high: the change broke compliance (compliant → non-compliant) or a resource appeared non-compliant;
 * medium: non-compliant before and after; low: compliant before and after (a valid value moved);
 * info: compliance fixed, a compliant resource appeared, or a resource was deleted.
 */
export type DriftSeverity = 'high' | 'medium' | 'low' | 'info';

export type ComplianceChange =
  | 'broke'
  | 'still_non_compliant'
  | 'fixed'
  | 'still_compliant'
  | 'created_non_compliant'
  | 'created_compliant'
  | 'deleted_non_compliant'
  | 'deleted_compliant';

export interface DriftAssessment {
  severity: DriftSeverity;
  compliance_change: ComplianceChange;
  /** Under the current policy; null on the side where the resource does not exist. */
  compliant_before: boolean | null;
  compliant_after: boolean | null;
  /** Required tags with an error violation after the change and none before (sorted). */
  broken_tags: string[];
  /** Required tags with an error violation before the change and none after (sorted). */
  fixed_tags: string[];
}

export const SEVERITY_ORDER: readonly DriftSeverity[] = ['high', 'medium', 'low', 'info'];
