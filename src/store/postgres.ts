/**
 * PostgreSQL history store (node-postgres Pool): the backend for several replicas sharing one
 * history. Same data model and answers as the SQLite store: snapshots keyed by scope, per-account
 * aggregates, per-resource state referencing de-duplicated tag sets (each distinct tag set stored
 * once, keyed by the hash of its canonical JSON). Per-resource rows are written in batches of
 * multi-row `INSERT … SELECT FROM unnest(…)` so a 100k-resource snapshot takes a few statements.
 *
 * Saves hold a shared advisory lock and prune an exclusive one, so pruning never deletes a tag
 * set a concurrent save is about to reference. Every connection has a connect timeout, a server
 * statement timeout and a client query timeout. Failing to reach or migrate the database is a
 * start-up error naming HISTORY_DATABASE_URL (without its password).
 */
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { NotFoundError, UserError } from '../core/errors.js';
import { migratePostgres, TAG_SET_LOCK_KEY } from './postgres-migrations.js';
import { createPostgresAuditStore } from './postgres-audits.js';
import { listSnapshots, readResources } from './postgres-queries.js';
import { chunks, describeDbError, isUnavailable, redactDatabaseUrl } from './postgres-support.js';
import { normaliseTime, summarise, tagSetKey, uniqueResources } from './snapshot.js';
import type { HistoryQuery, HistoryStore, SnapshotInput, SnapshotSummary } from './types.js';

export interface PostgresHistoryOptions {
  /** postgres:// or postgresql:// URL (HISTORY_DATABASE_URL). */
  url: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Pool size, default 5. */
  max_connections?: number;
  /** Connect timeout, default 5 s. */
  connect_timeout_ms?: number;
  /** Server-side statement timeout, default 30 s (the client gives up 5 s later). */
  statement_timeout_ms?: number;
  /** Rows per multi-row INSERT, default 5,000. */
  batch_size?: number;
}

export const PG_DEFAULTS = { max_connections: 5, connect_timeout_ms: 5_000, statement_timeout_ms: 30_000, batch_size: 5_000 } as const;

/** Snapshot ids are positive bigints; anything else cannot name a snapshot. */
const SNAPSHOT_ID = /^[1-9][0-9]{0,17}$/;

async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // Keep the original error; a connection whose ROLLBACK failed is discarded, not reused.
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/** Inserts the snapshot's distinct tag sets (sorted by hash: concurrent saves lock in one order) and returns hash → id. */
async function upsertTagSets(client: PoolClient, tagSets: Map<string, string>, batch: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const part of chunks([...tagSets.keys()].sort(), batch)) {
    await client.query(
      `INSERT INTO tag_sets (hash, tags) SELECT h, j::jsonb FROM unnest($1::text[], $2::text[]) AS u(h, j) ORDER BY h ON CONFLICT (hash) DO NOTHING`,
      [part, part.map((h) => tagSets.get(h) ?? '{}')],
    );
    const found = await client.query<{ id: string; hash: string }>('SELECT id::text AS id, hash FROM tag_sets WHERE hash = ANY($1::text[])', [part]);
    for (const row of found.rows) ids.set(row.hash, row.id);
  }
  return ids;
}

async function insertSnapshot(client: PoolClient, input: SnapshotInput, batch: number): Promise<SnapshotSummary> {
  const s = summarise(input);
  await client.query('SELECT pg_advisory_xact_lock_shared($1)', [TAG_SET_LOCK_KEY]);
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO snapshots (taken_at, scope_key, account_ids, regions, resource_types, policy_hash, compliance_score, total_resources,
      compliant_resources, violation_count, error_count, warning_count, cost_attribution_gap, data_quality_status, violations_by_tag)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id::text AS id`,
    [
      s.taken_at, s.scope_key, s.scope.account_ids, s.scope.regions, s.scope.resource_types, s.scope.policy_hash, s.compliance_score,
      s.total_resources, s.compliant_resources, s.violation_count, s.error_count, s.warning_count, s.cost_attribution_gap,
      s.data_quality_status, JSON.stringify(s.violations_by_tag),
    ],
  );
  const id = inserted.rows[0]?.id;
  if (id === undefined) throw new Error('INSERT INTO snapshots returned no id');
  if (s.accounts.length > 0) {
    await client.query(
      `INSERT INTO snapshot_accounts (snapshot_id, account_id, total_resources, compliant_resources, violation_count, cost_attribution_gap)
       SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::integer[], $5::integer[], $6::float8[])`,
      [id, s.accounts.map((a) => a.account_id), s.accounts.map((a) => a.total_resources), s.accounts.map((a) => a.compliant_resources),
        s.accounts.map((a) => a.violation_count), s.accounts.map((a) => a.cost_attribution_gap)],
    );
  }
  const resources = uniqueResources(input.resources).map((r) => ({ r, key: tagSetKey(r.tags) }));
  const tagSets = new Map<string, string>();
  for (const { key } of resources) tagSets.set(key.hash, key.json);
  const tagSetIds = await upsertTagSets(client, tagSets, batch);
  for (const part of chunks(resources, batch)) {
    const tagSetId = part.map(({ key }) => {
      const found = tagSetIds.get(key.hash);
      if (found === undefined) throw new Error(`tag set ${key.hash} was not stored`);
      return found;
    });
    await client.query(
      `INSERT INTO snapshot_resources (snapshot_id, arn, resource_type, account_id, region, tag_set_id, compliant)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[])`,
      [id, part.map(({ r }) => r.arn), part.map(({ r }) => r.resource_type), part.map(({ r }) => r.account_id), part.map(({ r }) => r.region),
        tagSetId, part.map(({ r }) => r.compliant)],
    );
  }
  return { id, ...s };
}

async function pruneBefore(pool: Pool, cutoff: string): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [TAG_SET_LOCK_KEY]);
    const removed = (await client.query('DELETE FROM snapshots WHERE taken_at < $1', [cutoff])).rowCount ?? 0;
    if (removed > 0) await client.query('DELETE FROM tag_sets t WHERE NOT EXISTS (SELECT 1 FROM snapshot_resources r WHERE r.tag_set_id = t.id)');
    await client.query('DELETE FROM audit_runs WHERE occurrence < $1', [cutoff]);
    return removed;
  });
}

/** Opens the pool and applies migrations; rejects with a message naming HISTORY_DATABASE_URL when that fails. */
export async function createPostgresHistoryStore(options: PostgresHistoryOptions): Promise<HistoryStore> {
  const statementTimeout = options.statement_timeout_ms ?? PG_DEFAULTS.statement_timeout_ms;
  const batch = options.batch_size ?? PG_DEFAULTS.batch_size;
  const where = redactDatabaseUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max_connections ?? PG_DEFAULTS.max_connections,
    connectionTimeoutMillis: options.connect_timeout_ms ?? PG_DEFAULTS.connect_timeout_ms,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 5_000,
    idle_in_transaction_session_timeout: statementTimeout * 2,
    application_name: 'finops-tag-compliance-history',
    keepAlive: true,
  });
  // An idle pooled connection that breaks (server restart) must not crash the process; the
  // pool replaces it on the next query, and health() reports the outage meanwhile.
  pool.on('error', (err) => options.logger.error({ database: where, reason: describeDbError(err) }, 'history database connection failed'));

  try {
    const { applied, unknown } = await migratePostgres(pool);
    if (applied.length > 0) options.logger.info({ database: where, migrations: applied }, 'history store migrated');
    if (unknown.length > 0) options.logger.warn({ database: where, unknown_migrations: unknown }, 'history database has migrations newer than this build');
  } catch (err) {
    await pool.end().catch((endErr: unknown) => options.logger.warn({ reason: describeDbError(endErr) }, 'closing the history database pool failed'));
    throw new Error(`Cannot use the PostgreSQL history database at ${where} (HISTORY_DATABASE_URL): ${describeDbError(err)}`, { cause: err });
  }

  let closed = false;
  /** Runs a database operation; an outage becomes a 503 UserError the caller can act on (detail logged, not shown). */
  const available = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (closed || !isUnavailable(err)) throw err;
      options.logger.error({ database: where, operation, reason: describeDbError(err) }, 'history database unavailable');
      throw new UserError('The compliance history database (PostgreSQL) cannot be reached right now; try again later (GET /health shows when it is back).', {
        statusCode: 503,
        code: 'history_unavailable',
      });
    }
  };
  const audits = createPostgresAuditStore(pool, available);
  return {
    backend: 'postgres',
    audits,
    async saveSnapshot(input) {
      summarise(input); // refuse bad figures before borrowing a connection
      return available('saveSnapshot', () => inTransaction(pool, (client) => insertSnapshot(client, input, batch)));
    },
    async listSnapshots(query: HistoryQuery) {
      return available('listSnapshots', () => listSnapshots(pool, query));
    },
    async snapshotResources(id: string) {
      if (!SNAPSHOT_ID.test(id)) throw new NotFoundError(`No history snapshot with id ${JSON.stringify(id)}`, 'id');
      return available('snapshotResources', () => readResources(pool, id));
    },
    async prune(olderThan: string) {
      const cutoff = normaliseTime(olderThan, 'olderThan');
      return available('prune', () => pruneBefore(pool, cutoff));
    },
    async health() {
      if (closed) return { ok: false, detail: 'closed' };
      try {
        await pool.query('SELECT 1');
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: describeDbError(err) };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
