/**
 * Audit schedules and runs of the PostgreSQL history store (tables of migration 2). The run
 * row's primary key (schedule_id, occurrence) is the claim: every replica sharing the database
 * inserts it with ON CONFLICT DO NOTHING, and only the one whose insert took effect runs the
 * occurrence — no Redis needed for exactly-once per occurrence.
 */
import type { Pool } from 'pg';
import type { AuditRun, AuditRunResult, AuditSchedule, AuditScheduleInput, AuditScheduleStore, AuditWeekday } from './audit-types.js';
import { completedRun, duplicateName, newScheduleId, normaliseScheduleInput, runLimit } from './audit-support.js';
import { normaliseTime } from './snapshot.js';

/** Runs a database operation, turning an outage into the store's 503 UserError (postgres.ts). */
export type Available = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

interface ScheduleRow {
  id: string;
  owner: string;
  name: string;
  frequency: AuditScheduleInput['frequency'];
  time_of_day: string;
  timezone: string;
  day_of_week: string | null;
  day_of_month: number | null;
  spec: Spec;
  created_at: Date;
  run_count: number;
}

interface RunRow {
  schedule_id: string;
  occurrence: Date;
  status: AuditRun['status'];
  claimed_by: string;
  started_at: Date;
  finished_at: Date | null;
  result: StoredResult | null;
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

const SCHEDULE_COLUMNS = `s.id, s.owner, s.name, s.frequency, s.time_of_day, s.timezone, s.day_of_week, s.day_of_month, s.spec, s.created_at,
  (SELECT COUNT(*)::int FROM audit_runs r WHERE r.schedule_id = s.id) AS run_count`;

function toRun(row: RunRow): AuditRun {
  return {
    schedule_id: row.schedule_id,
    occurrence: row.occurrence.toISOString(),
    status: row.status,
    claimed_by: row.claimed_by,
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at === null ? null : row.finished_at.toISOString(),
    ...(row.result ?? EMPTY_RESULT),
  };
}

async function lastRuns(pool: Pool, ids: string[]): Promise<Map<string, AuditRun>> {
  if (ids.length === 0) return new Map();
  const rows = await pool.query<RunRow>(
    `SELECT DISTINCT ON (schedule_id) * FROM audit_runs WHERE schedule_id = ANY($1::text[]) ORDER BY schedule_id, occurrence DESC`,
    [ids],
  );
  return new Map(rows.rows.map((r) => [r.schedule_id, toRun(r)]));
}

async function views(pool: Pool, rows: ScheduleRow[]): Promise<AuditSchedule[]> {
  const last = await lastRuns(pool, rows.map((r) => r.id));
  return rows.map((row) => ({
    id: row.id,
    owner: row.owner,
    name: row.name,
    frequency: row.frequency,
    time_of_day: row.time_of_day,
    timezone: row.timezone,
    day_of_week: row.day_of_week as AuditWeekday | null,
    day_of_month: row.day_of_month,
    owner_allowed_accounts: row.spec.owner_allowed_accounts,
    account_ids: row.spec.account_ids,
    resource_types: row.spec.resource_types,
    recipients: row.spec.recipients,
    notification_format: row.spec.notification_format,
    created_at: row.created_at.toISOString(),
    last_run: last.get(row.id) ?? null,
    run_count: row.run_count,
  }));
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === '23505';
}

export function createPostgresAuditStore(pool: Pool, available: Available): AuditScheduleStore {
  const one = async (id: string): Promise<AuditSchedule | null> => {
    const rows = await pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules s WHERE s.id = $1`, [id]);
    return (await views(pool, rows.rows))[0] ?? null;
  };
  return {
    async createAuditSchedule(input) {
      const s = normaliseScheduleInput(input);
      const id = newScheduleId();
      const spec: Spec = { owner_allowed_accounts: s.owner_allowed_accounts, account_ids: s.account_ids, resource_types: s.resource_types, recipients: s.recipients, notification_format: s.notification_format };
      return available('createAuditSchedule', async () => {
        try {
          await pool.query(
            `INSERT INTO audit_schedules (id, owner, name, frequency, time_of_day, timezone, day_of_week, day_of_month, spec, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [id, s.owner, s.name, s.frequency, s.time_of_day, s.timezone, s.day_of_week, s.day_of_month, JSON.stringify(spec), s.created_at],
          );
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          const clash = await pool.query<{ id: string }>('SELECT id FROM audit_schedules WHERE owner = $1 AND name = $2', [s.owner, s.name]);
          throw duplicateName(s.name, clash.rows[0]?.id ?? null);
        }
        const created = await one(id);
        if (created === null) throw new Error('audit schedule vanished right after INSERT');
        return created;
      });
    },
    async listAuditSchedules(query = {}) {
      return available('listAuditSchedules', async () => {
        const rows =
          query.owner === undefined
            ? await pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules s ORDER BY s.created_at, s.id`)
            : await pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules s WHERE s.owner = $1 ORDER BY s.created_at, s.id`, [query.owner]);
        return views(pool, rows.rows);
      });
    },
    async getAuditSchedule(id) {
      return available('getAuditSchedule', () => one(id));
    },
    async deleteAuditSchedule(id) {
      return available('deleteAuditSchedule', async () => ((await pool.query('DELETE FROM audit_schedules WHERE id = $1', [id])).rowCount ?? 0) > 0);
    },
    async claimAuditOccurrence(scheduleId, occurrence, claimedBy, startedAt) {
      const at = normaliseTime(occurrence, 'occurrence');
      const started = normaliseTime(startedAt, 'started_at');
      return available('claimAuditOccurrence', async () => {
        const res = await pool.query(
          `INSERT INTO audit_runs (schedule_id, occurrence, status, claimed_by, started_at)
           SELECT $1, $2, 'running', $3, $4 WHERE EXISTS (SELECT 1 FROM audit_schedules WHERE id = $1)
           ON CONFLICT (schedule_id, occurrence) DO NOTHING`,
          [scheduleId, at, claimedBy, started],
        );
        return res.rowCount === 1;
      }).catch((err: unknown) => {
        // The schedule was deleted between the EXISTS check and the insert.
        if (err instanceof Error && (err as { code?: unknown }).code === '23503') return false;
        throw err;
      });
    },
    async recordAuditRun(scheduleId, occurrence, result) {
      const at = normaliseTime(occurrence, 'occurrence');
      return available('recordAuditRun', async () => {
        const found = await pool.query<RunRow>('SELECT * FROM audit_runs WHERE schedule_id = $1 AND occurrence = $2', [scheduleId, at]);
        const row = found.rows[0];
        if (row === undefined) return false;
        const done = completedRun(toRun(row), result);
        const { schedule_id: _s, occurrence: _o, status, claimed_by: _c, started_at: _st, finished_at, ...stored } = done;
        const res = await pool.query('UPDATE audit_runs SET status = $1, finished_at = $2, result = $3 WHERE schedule_id = $4 AND occurrence = $5', [
          status,
          finished_at,
          JSON.stringify(stored),
          scheduleId,
          at,
        ]);
        return res.rowCount === 1;
      });
    },
    async listAuditRuns(scheduleId, limit) {
      const n = runLimit(limit);
      return available('listAuditRuns', async () => {
        const rows = await pool.query<RunRow>('SELECT * FROM audit_runs WHERE schedule_id = $1 ORDER BY occurrence DESC LIMIT $2', [scheduleId, n]);
        return rows.rows.map(toRun);
      });
    },
  };
}
