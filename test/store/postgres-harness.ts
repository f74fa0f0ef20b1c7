/**
 * PostgreSQL for the history tests (not a test file itself): a fresh database per test run,
 * created through the `postgres` maintenance database at 127.0.0.1:5432 (user postgres, trust
 * auth; HISTORY_TEST_PG_URL overrides) and dropped in teardown. When the server is absent the
 * callers skip their tests with a visible notice (pgSkipReason) — unless CI=true, where a
 * missing PostgreSQL fails the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';

export const PG_ADMIN_URL = process.env.HISTORY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PgTestDatabase {
  /** URL of the fresh database. */
  url: string;
  name: string;
  /** Runs SQL against the fresh database (assertions on stored rows). */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Empties every history table and restarts ids (a fresh store for the next contract test). */
  reset(): Promise<void>;
}

function urlFor(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Why the PostgreSQL tests must be skipped, or false when they run. Outside CI an unreachable
 * server skips them with a visible notice on stderr; with CI=true they are never skipped (they
 * then fail on the missing server).
 */
export async function pgSkipReason(): Promise<string | false> {
  const probe = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    await probe.end();
    return false;
  } catch (err) {
    await probe.end().catch(() => undefined);
    if (process.env.CI === 'true') return false;
    const reason = err instanceof Error ? err.message || err.name : String(err);
    console.error(`# NOTICE: PostgreSQL at ${PG_ADMIN_URL} is not reachable (${reason}): PostgreSQL history tests SKIPPED`);
    return `PostgreSQL not reachable at ${PG_ADMIN_URL} (${reason})`;
  }
}

/** Creates `history_test_<random>` for this test run; `t`'s teardown drops it. */
export async function pgTestDatabase(t: Test): Promise<PgTestDatabase> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  const name = `history_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = urlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(async () => {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return {
    url,
    name,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await client.query<R>(sql, params)).rows;
    },
    async reset() {
      await client.query('TRUNCATE snapshot_resources, snapshot_accounts, tag_sets, snapshots, audit_runs, audit_schedules RESTART IDENTITY');
    },
  };
}
