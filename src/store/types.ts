/**
 * History store contract: compliance snapshots over time. Backends: SQLite (embedded default)
 * and PostgreSQL (HISTORY_DATABASE_URL). Both pass the same contract suite (test/store/contract.ts).
 */
import type { AuditScheduleStore } from './audit-types.js';

export type * from './audit-types.js';

export interface SnapshotScope {
  /** Sorted account ids (single-account mode: the local account). */
  account_ids: string[];
  regions: string[];
  resource_types: string[];
  policy_hash: string;
}

export interface SnapshotAccountAggregate {
  account_id: string;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  cost_attribution_gap: number;
}

export interface SnapshotResourceState {
  arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  tags: Record<string, string>;
  compliant: boolean;
}

export interface SnapshotInput {
  taken_at: string;
  scope: SnapshotScope;
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  error_count: number;
  warning_count: number;
  cost_attribution_gap: number;
  violations_by_tag: Record<string, number>;
  data_quality_status: 'complete' | 'partial';
  accounts: SnapshotAccountAggregate[];
  /** Per-resource tag state (for drift detection). */
  resources: SnapshotResourceState[];
}

export interface SnapshotSummary extends Omit<SnapshotInput, 'resources'> {
  id: string;
  /** Stable key of the scope (same scope ⇒ same key) so trends never mix scopes. */
  scope_key: string;
}

export interface HistoryQuery {
  since: string;
  until?: string;
  scope_key?: string;
  /** Only snapshots whose scope includes every one of these accounts. */
  account_ids?: string[];
}

/** Snapshot writes since start (metrics). */
export interface HistoryWriteCounters {
  ok: number;
  failed: number;
}

export interface HistoryStore {
  readonly backend: 'sqlite' | 'postgres' | 'memory';
  saveSnapshot(snapshot: SnapshotInput): Promise<SnapshotSummary>;
  listSnapshots(query: HistoryQuery): Promise<SnapshotSummary[]>;
  /** Per-resource state of one snapshot. */
  snapshotResources(id: string): Promise<SnapshotResourceState[]>;
  /** Delete snapshots older than the retention limit; returns how many were removed. */
  prune(olderThan: string): Promise<number>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  /**
   * Scheduled compliance audits (schedules and their runs). Every bundled backend provides it;
   * optional only so that test doubles of the snapshot part need not implement it.
   */
  readonly audits?: AuditScheduleStore;
  /** saveSnapshot outcomes so far, when the store counts them (plugins/history.ts wraps every store). */
  writeCounters?(): HistoryWriteCounters;
  close(): Promise<void>;
}
