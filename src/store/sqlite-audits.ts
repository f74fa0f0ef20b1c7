/**
 * Audit schedules and runs of the SQLite history store (tables of migration 2). The run row's
 * primary key (schedule_id, occurrence) is the claim: replicas sharing the database file insert
 * with ON CONFLICT DO NOTHING and only the one whose insert took effect runs the occurrence.
 */
import type Database from 'better-sqlite3';
import type { AuditRun, AuditRunResult, AuditSchedule, AuditScheduleInput, AuditScheduleStore, AuditWeekday } from './audit-types.js';
import { completedRun, duplicateName, newScheduleId, normaliseScheduleInput, runLimit } from './audit-support.js';
import { normaliseTime } from './snapshot.js';

interface ScheduleRow {
  id: string;
  owner: string;
  name: string;
  frequency: AuditScheduleInput['frequency'];
  time_of_day: string;
  timezone: string;
  day_of_week: string | null;
  day_of_month: number | null;
  spec_json: string;
  created_at: string;
}

interface RunRow {
  schedule_id: string;
  occurrence: string;
  status: AuditRun['status'];
  claimed_by: string;
  started_at: string;
  finished_at: string | null;
  result_json: string | null;
}

type Spec = Pick<AuditScheduleInput, 'owner_allowed_accounts' | 'account_ids' | 'resource_types' | 'recipients' | 'notification_format'>;
type StoredResult = Omit<AuditRunResult, 'status' | 'finished_at'>;

const EMPTY_RESULT: StoredResult = {
  compliance_score: null,
  total_resources: null,
  compliant_resources: null,
  violation_count: null,
  data_quality_status: null,
  snapshot_id: null,
  error: null,
  notifications: [],
};

function toRun(row: RunRow): AuditRun {
  const result = row.result_json === null ? EMPTY_RESULT : (JSON.parse(row.result_json) as StoredResult);
  return { schedule_id: row.schedule_id, occurrence: row.occurrence, status: row.status, claimed_by: row.claimed_by, started_at: row.started_at, finished_at: row.finished_at, ...result };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqliteAuditStore(db: Database.Database): AuditScheduleStore & { pruneRuns(cutoff: string): number } {
  const insert = db.prepare(`INSERT INTO audit_schedules (id, owner, name, frequency, time_of_day, timezone, day_of_week, day_of_month, spec_json, created_at)
    VALUES (@id, @owner, @name, @frequency, @time_of_day, @timezone, @day_of_week, @day_of_month, @spec_json, @created_at)`);
  const selectOne = db.prepare('SELECT * FROM audit_schedules WHERE id = ?');
  const selectByName = db.prepare('SELECT id FROM audit_schedules WHERE owner = ? AND name = ?');
  const selectAll = db.prepare('SELECT * FROM audit_schedules ORDER BY created_at, id');
  const selectOwned = db.prepare('SELECT * FROM audit_schedules WHERE owner = ? ORDER BY created_at, id');
  const deleteOne = db.prepare('DELETE FROM audit_schedules WHERE id = ?');
  const claim = db.prepare(`INSERT INTO audit_runs (schedule_id, occurrence, status, claimed_by, started_at)
    SELECT ?, ?, 'running', ?, ? WHERE EXISTS (SELECT 1 FROM audit_schedules WHERE id = ?)
    ON CONFLICT (schedule_id, occurrence) DO NOTHING`);
  const selectRun = db.prepare('SELECT * FROM audit_runs WHERE schedule_id = ? AND occurrence = ?');
  const complete = db.prepare('UPDATE audit_runs SET status = ?, finished_at = ?, result_json = ? WHERE schedule_id = ? AND occurrence = ?');
  const selectRuns = db.prepare('SELECT * FROM audit_runs WHERE schedule_id = ? ORDER BY occurrence DESC LIMIT ?');
  const countRuns = db.prepare('SELECT COUNT(*) AS n FROM audit_runs WHERE schedule_id = ?');
  const deleteOldRuns = db.prepare('DELETE FROM audit_runs WHERE occurrence < ?');

  const view = (row: ScheduleRow): AuditSchedule => {
    const spec = JSON.parse(row.spec_json) as Spec;
    const last = selectRuns.get(row.id, 1) as RunRow | undefined;
    return {
      id: row.id,
      owner: row.owner,
      name: row.name,
      frequency: row.frequency,
      time_of_day: row.time_of_day,
      timezone: row.timezone,
      day_of_week: row.day_of_week as AuditWeekday | null,
      day_of_month: row.day_of_month,
      ...spec,
      created_at: row.created_at,
      last_run: last === undefined ? null : toRun(last),
      run_count: (countRuns.get(row.id) as { n: number }).n,
    };
  };

  return {
    async createAuditSchedule(input) {
      const s = normaliseScheduleInput(input);
      const id = newScheduleId();
      const spec: Spec = { owner_allowed_accounts: s.owner_allowed_accounts, account_ids: s.account_ids, resource_types: s.resource_types, recipients: s.recipients, notification_format: s.notification_format };
      try {
        insert.run({ id, owner: s.owner, name: s.name, frequency: s.frequency, time_of_day: s.time_of_day, timezone: s.timezone, day_of_week: s.day_of_week, day_of_month: s.day_of_month, spec_json: JSON.stringify(spec), created_at: s.created_at });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateName(s.name, (selectByName.get(s.owner, s.name) as { id: string } | undefined)?.id ?? null);
        throw err;
      }
      return view(selectOne.get(id) as ScheduleRow);
    },
    async listAuditSchedules(query = {}) {
      const rows = (query.owner === undefined ? selectAll.all() : selectOwned.all(query.owner)) as ScheduleRow[];
      return rows.map(view);
    },
    async getAuditSchedule(id) {
      const row = selectOne.get(id) as ScheduleRow | undefined;
      return row === undefined ? null : view(row);
    },
    async deleteAuditSchedule(id) {
      return deleteOne.run(id).changes > 0;
    },
    async claimAuditOccurrence(scheduleId, occurrence, claimedBy, startedAt) {
      return claim.run(scheduleId, normaliseTime(occurrence, 'occurrence'), claimedBy, normaliseTime(startedAt, 'started_at'), scheduleId).changes === 1;
    },
    async recordAuditRun(scheduleId, occurrence, result) {
      const at = normaliseTime(occurrence, 'occurrence');
      const row = selectRun.get(scheduleId, at) as RunRow | undefined;
      if (row === undefined) return false;
      const done = completedRun(toRun(row), result);
      const { schedule_id: _s, occurrence: _o, status, claimed_by: _c, started_at: _st, finished_at, ...stored } = done;
      return complete.run(status, finished_at, JSON.stringify(stored), scheduleId, at).changes === 1;
    },
    async listAuditRuns(scheduleId, limit) {
      return (selectRuns.all(scheduleId, runLimit(limit)) as RunRow[]).map(toRun);
    },
    pruneRuns(cutoff) {
      return deleteOldRuns.run(cutoff).changes;
    },
  };
}
