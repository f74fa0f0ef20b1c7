/**
 * Versioned schema of the PostgreSQL history store (same data model as sqlite-migrations.ts).
 * Pending migrations run in ONE transaction that first takes a transaction-level advisory lock,
 * so replicas starting at the same moment queue up: the first applies, the others then find
 * every version recorded in `schema_migrations` and apply nothing. Append new migrations; never
 * edit one that has shipped.
 *
 * Text keys that are sorted on (ARN, account id) use the "C" collation: byte order, the same
 * order as SQLite's BINARY collation, so both backends list rows identically.
 */
import type { Pool } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Advisory lock keys (per database): migrations, and save-vs-prune of shared tag sets. */
export const MIGRATION_LOCK_KEY = 4_044_417_001;
export const TAG_SET_LOCK_KEY = 4_044_417_002;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'snapshots, per-account aggregates, de-duplicated tag sets, per-resource state',
    sql: `
      CREATE TABLE snapshots (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        taken_at TIMESTAMPTZ NOT NULL,
        scope_key TEXT NOT NULL,
        account_ids TEXT[] COLLATE "C" NOT NULL,
        regions TEXT[] COLLATE "C" NOT NULL,
        resource_types TEXT[] COLLATE "C" NOT NULL,
        policy_hash TEXT NOT NULL,
        compliance_score DOUBLE PRECISION NOT NULL CHECK (compliance_score BETWEEN 0 AND 1),
        total_resources INTEGER NOT NULL CHECK (total_resources >= 0),
        compliant_resources INTEGER NOT NULL CHECK (compliant_resources >= 0),
        violation_count INTEGER NOT NULL CHECK (violation_count >= 0),
        error_count INTEGER NOT NULL CHECK (error_count >= 0),
        warning_count INTEGER NOT NULL CHECK (warning_count >= 0),
        cost_attribution_gap DOUBLE PRECISION NOT NULL CHECK (cost_attribution_gap >= 0),
        data_quality_status TEXT NOT NULL CHECK (data_quality_status IN ('complete', 'partial')),
        violations_by_tag JSON NOT NULL
      );
      CREATE INDEX snapshots_taken_at ON snapshots (taken_at);
      CREATE INDEX snapshots_scope_taken_at ON snapshots (scope_key, taken_at);
      CREATE INDEX snapshots_account_ids ON snapshots USING GIN (account_ids);

      CREATE TABLE snapshot_accounts (
        snapshot_id BIGINT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
        account_id TEXT COLLATE "C" NOT NULL,
        total_resources INTEGER NOT NULL,
        compliant_resources INTEGER NOT NULL,
        violation_count INTEGER NOT NULL,
        cost_attribution_gap DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (snapshot_id, account_id)
      );
      CREATE INDEX snapshot_accounts_account ON snapshot_accounts (account_id);

      CREATE TABLE tag_sets (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        tags JSONB NOT NULL
      );

      CREATE TABLE snapshot_resources (
        snapshot_id BIGINT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
        arn TEXT COLLATE "C" NOT NULL,
        resource_type TEXT NOT NULL,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        tag_set_id BIGINT NOT NULL REFERENCES tag_sets (id),
        compliant BOOLEAN NOT NULL,
        PRIMARY KEY (snapshot_id, arn)
      );
      CREATE INDEX snapshot_resources_tag_set ON snapshot_resources (tag_set_id);
    `,
  },
  {
    version: 2,
    name: 'scheduled compliance audits and one run row per occurrence (the cross-replica claim)',
    sql: `
      CREATE TABLE audit_schedules (
        id TEXT COLLATE "C" PRIMARY KEY,
        owner TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
        time_of_day TEXT NOT NULL,
        timezone TEXT NOT NULL,
        day_of_week TEXT,
        day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
        spec JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        UNIQUE (owner, name)
      );
      CREATE INDEX audit_schedules_created ON audit_schedules (created_at, id);

      CREATE TABLE audit_runs (
        schedule_id TEXT COLLATE "C" NOT NULL REFERENCES audit_schedules (id) ON DELETE CASCADE,
        occurrence TIMESTAMPTZ NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
        claimed_by TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        result JSONB,
        PRIMARY KEY (schedule_id, occurrence)
      );
      CREATE INDEX audit_runs_occurrence ON audit_runs (occurrence);
    `,
  },
];

/**
 * Applies pending migrations under the advisory lock; returns the versions applied now.
 * Versions recorded in the database but unknown to this build (a newer replica migrated it)
 * are returned in `unknown` so the caller can warn.
 */
export async function migratePostgres(
  pool: Pool,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
  now: () => Date = () => new Date(),
): Promise<{ applied: number[]; unknown: number[] }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL
      )`);
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now().toISOString()]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      const known = new Set(migrations.map((m) => m.version));
      return { applied, unknown: [...done].filter((v) => !known.has(v)).sort((a, b) => a - b) };
    } catch (err) {
      // The original error is what the caller needs; a failed ROLLBACK only means the
      // connection is unusable, so it is discarded instead of returned to the pool.
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
