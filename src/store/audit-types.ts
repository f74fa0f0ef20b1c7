/**
 * Scheduled compliance audits in the history store: the schedules (schedule_compliance_audit),
 * one run row per occurrence (the row is also the cross-replica claim: a unique
 * (schedule_id, occurrence) key, so only one replica sharing the store runs an occurrence).
 */

export type AuditFrequency = 'daily' | 'weekly' | 'monthly';
export type AuditWeekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type AuditNotificationFormat = 'slack' | 'markdown' | 'json';

/** When a schedule fires: local wall-clock time in an IANA time zone. */
export interface AuditTiming {
  frequency: AuditFrequency;
  /** "HH:MM", 24-hour, local to `timezone`. */
  time_of_day: string;
  /** IANA zone name (validated with Intl). */
  timezone: string;
  /** Weekly schedules only. */
  day_of_week: AuditWeekday | null;
  /** Monthly schedules only, 1–31 (short months: the last day of the month). */
  day_of_month: number | null;
}

export interface AuditScheduleInput extends AuditTiming {
  name: string;
  /** Principal id of the creator (only they, or an unrestricted principal, see and delete it). */
  owner: string;
  /** The creator's account allow-list when the schedule was made (null = unrestricted). */
  owner_allowed_accounts: string[] | null;
  /** As given (ids, names, aliases or "all"); null = the server's own account. */
  account_ids: string[] | null;
  /** null = every type the policy covers at run time. */
  resource_types: string[] | null;
  /** Webhook URLs and (when SMTP is configured) e-mail addresses. */
  recipients: string[];
  notification_format: AuditNotificationFormat;
  created_at: string;
}

export type AuditRunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface AuditNotificationOutcome {
  /** Redacted recipient (never the webhook's secret path or query). */
  recipient: string;
  ok: boolean;
  /** HTTP status or SMTP reply code when there was one. */
  status: number | null;
  error: string | null;
}

export interface AuditRunResult {
  status: Exclude<AuditRunStatus, 'running'>;
  finished_at: string;
  compliance_score: number | null;
  total_resources: number | null;
  compliant_resources: number | null;
  violation_count: number | null;
  data_quality_status: 'complete' | 'partial' | null;
  snapshot_id: string | null;
  error: string | null;
  notifications: AuditNotificationOutcome[];
}

export interface AuditRun {
  schedule_id: string;
  /** The scheduled instant this run is for (ISO, UTC). */
  occurrence: string;
  status: AuditRunStatus;
  /** Which replica claimed it. */
  claimed_by: string;
  started_at: string;
  finished_at: string | null;
  compliance_score: number | null;
  total_resources: number | null;
  compliant_resources: number | null;
  violation_count: number | null;
  data_quality_status: 'complete' | 'partial' | null;
  snapshot_id: string | null;
  error: string | null;
  notifications: AuditNotificationOutcome[];
}

export interface AuditSchedule extends AuditScheduleInput {
  id: string;
  /** The most recent run (by occurrence), or null before the first. */
  last_run: AuditRun | null;
  run_count: number;
}

export interface AuditScheduleQuery {
  /** Only this owner's schedules (absent: every schedule). */
  owner?: string;
}

/** The audit-schedule part of the HistoryStore contract. */
export interface AuditScheduleStore {
  /** Stores a new schedule (id assigned). A name the owner already uses: UserError 409 (conflict). */
  createAuditSchedule(input: AuditScheduleInput): Promise<AuditSchedule>;
  /** Ordered by created_at, then id. */
  listAuditSchedules(query?: AuditScheduleQuery): Promise<AuditSchedule[]>;
  getAuditSchedule(id: string): Promise<AuditSchedule | null>;
  /** Removes the schedule and its runs; false when there was none. */
  deleteAuditSchedule(id: string): Promise<boolean>;
  /**
   * Claims one occurrence for this replica: inserts its run row (status running). true only for
   * the first claim of (schedule_id, occurrence); false when already claimed or the schedule is gone.
   */
  claimAuditOccurrence(scheduleId: string, occurrence: string, claimedBy: string, startedAt: string): Promise<boolean>;
  /** Completes a claimed run; false when the row no longer exists (schedule deleted meanwhile). */
  recordAuditRun(scheduleId: string, occurrence: string, result: AuditRunResult): Promise<boolean>;
  /** Runs of one schedule, newest occurrence first. */
  listAuditRuns(scheduleId: string, limit?: number): Promise<AuditRun[]>;
}
