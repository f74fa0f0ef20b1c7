/**
 * Versioned schema of the SQLite history store. Each migration runs once, in order, inside a
 * transaction, and is recorded in `schema_migrations`. Append new migrations; never edit one
 * that has shipped.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'snapshots, per-account aggregates, de-duplicated tag sets, per-resource state',
    sql: `
      CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        taken_at TEXT NOT NULL,
        scope_key TEXT NOT NULL,
        scope_json TEXT NOT NULL,
        compliance_score REAL NOT NULL,
        total_resources INTEGER NOT NULL,
        compliant_resources INTEGER NOT NULL,
        violation_count INTEGER NOT NULL,
        error_count INTEGER NOT NULL,
        warning_count INTEGER NOT NULL,
        cost_attribution_gap REAL NOT NULL,
        data_quality_status TEXT NOT NULL CHECK (data_quality_status IN ('complete', 'partial')),
        aggregates_json TEXT NOT NULL
      );
      CREATE INDEX snapshots_taken_at ON snapshots (taken_at);
      CREATE INDEX snapshots_scope_taken_at ON snapshots (scope_key, taken_at);

      CREATE TABLE snapshot_accounts (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        total_resources INTEGER NOT NULL,
        compliant_resources INTEGER NOT NULL,
        violation_count INTEGER NOT NULL,
        cost_attribution_gap REAL NOT NULL,
        PRIMARY KEY (snapshot_id, account_id)
      ) WITHOUT ROWID;
      CREATE INDEX snapshot_accounts_account ON snapshot_accounts (account_id);

      CREATE TABLE tag_sets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT NOT NULL UNIQUE,
        tags_json TEXT NOT NULL
      );

      CREATE TABLE snapshot_resources (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
        arn TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        tag_set_id INTEGER NOT NULL REFERENCES tag_sets (id),
        compliant INTEGER NOT NULL CHECK (compliant IN (0, 1)),
        PRIMARY KEY (snapshot_id, arn)
      ) WITHOUT ROWID;
      CREATE INDEX snapshot_resources_tag_set ON snapshot_resources (tag_set_id);
    `,
  },
  {
    version: 2,
    name: 'scheduled compliance audits and one run row per occurrence (the cross-replica claim)',
    sql: `
      CREATE TABLE audit_schedules (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
        time_of_day TEXT NOT NULL,
        timezone TEXT NOT NULL,
        day_of_week TEXT,
        day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
        spec_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (owner, name)
      );
      CREATE INDEX audit_schedules_created ON audit_schedules (created_at, id);

      CREATE TABLE audit_runs (
        schedule_id TEXT NOT NULL REFERENCES audit_schedules (id) ON DELETE CASCADE,
        occurrence TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
        claimed_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        result_json TEXT,
        PRIMARY KEY (schedule_id, occurrence)
      ) WITHOUT ROWID;
      CREATE INDEX audit_runs_occurrence ON audit_runs (occurrence);
    `,
  },
];

/** Applies pending migrations; returns the versions applied now. */
export function migrate(db: Database.Database, now: () => Date = () => new Date()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
