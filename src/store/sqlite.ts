/**
 * SQLite history store (better-sqlite3): the embedded default. WAL journal, foreign keys on,
 * versioned migrations (sqlite-migrations.ts). Per-resource tag state is stored compactly: each
 * distinct tag set is stored once in `tag_sets` (keyed by the hash of its canonical JSON) and
 * snapshot rows reference it by id. Failing to open the file is a start-up error (thrown).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { NotFoundError } from '../core/errors.js';
import { matchesQuery, normaliseTime, summarise, tagSetKey, uniqueResources } from './snapshot.js';
import { migrate } from './sqlite-migrations.js';
import { createSqliteAuditStore } from './sqlite-audits.js';
import type { HistoryQuery, HistoryStore, SnapshotAccountAggregate, SnapshotInput, SnapshotScope, SnapshotSummary } from './types.js';

export interface SqliteHistoryOptions {
  /** File path, or `:memory:` (tests). The parent directory is created when missing. */
  path: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

interface SnapshotRow {
  id: number;
  taken_at: string;
  scope_key: string;
  scope_json: string;
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  error_count: number;
  warning_count: number;
  cost_attribution_gap: number;
  data_quality_status: 'complete' | 'partial';
  aggregates_json: string;
}

interface ResourceRow {
  arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  compliant: number;
  tags_json: string;
}

function openDatabase(path: string): Database.Database {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function createSqliteHistoryStore(options: SqliteHistoryOptions): HistoryStore {
  let db: Database.Database;
  try {
    db = openDatabase(options.path);
    const applied = migrate(db);
    if (applied.length > 0) options.logger.info({ path: options.path, migrations: applied }, 'history store migrated');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot open the history database at ${options.path} (HISTORY_DB_PATH): ${reason}`, { cause: err });
  }

  const insertSnapshot = db.prepare(`INSERT INTO snapshots (taken_at, scope_key, scope_json, compliance_score, total_resources,
    compliant_resources, violation_count, error_count, warning_count, cost_attribution_gap, data_quality_status, aggregates_json)
    VALUES (@taken_at, @scope_key, @scope_json, @compliance_score, @total_resources, @compliant_resources, @violation_count,
    @error_count, @warning_count, @cost_attribution_gap, @data_quality_status, @aggregates_json)`);
  const insertAccount = db.prepare(`INSERT INTO snapshot_accounts (snapshot_id, account_id, total_resources, compliant_resources,
    violation_count, cost_attribution_gap) VALUES (?, ?, ?, ?, ?, ?)`);
  const upsertTagSet = db.prepare(`INSERT INTO tag_sets (hash, tags_json) VALUES (?, ?)
    ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id`);
  const insertResource = db.prepare(`INSERT INTO snapshot_resources (snapshot_id, arn, resource_type, account_id, region, tag_set_id, compliant)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const selectAccounts = db.prepare(`SELECT account_id, total_resources, compliant_resources, violation_count, cost_attribution_gap
    FROM snapshot_accounts WHERE snapshot_id = ? ORDER BY account_id`);
  const selectExists = db.prepare('SELECT 1 AS found FROM snapshots WHERE id = ?');
  const selectResources = db.prepare(`SELECT r.arn, r.resource_type, r.account_id, r.region, r.compliant, t.tags_json
    FROM snapshot_resources r JOIN tag_sets t ON t.id = r.tag_set_id WHERE r.snapshot_id = ? ORDER BY r.arn`);
  const deleteOld = db.prepare('DELETE FROM snapshots WHERE taken_at < ?');
  const deleteOrphanTagSets = db.prepare(
    'DELETE FROM tag_sets WHERE NOT EXISTS (SELECT 1 FROM snapshot_resources r WHERE r.tag_set_id = tag_sets.id)',
  );

  const audits = createSqliteAuditStore(db);

  const save = db.transaction((input: SnapshotInput): SnapshotSummary => {
    const s = summarise(input);
    const info = insertSnapshot.run({
      taken_at: s.taken_at,
      scope_key: s.scope_key,
      scope_json: JSON.stringify(s.scope),
      compliance_score: s.compliance_score,
      total_resources: s.total_resources,
      compliant_resources: s.compliant_resources,
      violation_count: s.violation_count,
      error_count: s.error_count,
      warning_count: s.warning_count,
      cost_attribution_gap: s.cost_attribution_gap,
      data_quality_status: s.data_quality_status,
      aggregates_json: JSON.stringify({ violations_by_tag: s.violations_by_tag }),
    });
    const id = Number(info.lastInsertRowid);
    for (const a of s.accounts) {
      insertAccount.run(id, a.account_id, a.total_resources, a.compliant_resources, a.violation_count, a.cost_attribution_gap);
    }
    const tagSetIds = new Map<string, number>();
    for (const r of uniqueResources(input.resources)) {
      const { json, hash } = tagSetKey(r.tags);
      let tagSetId = tagSetIds.get(hash);
      if (tagSetId === undefined) {
        tagSetId = (upsertTagSet.get(hash, json) as { id: number }).id;
        tagSetIds.set(hash, tagSetId);
      }
      insertResource.run(id, r.arn, r.resource_type, r.account_id, r.region, tagSetId, r.compliant ? 1 : 0);
    }
    return { id: String(id), ...s };
  });

  function toSummary(row: SnapshotRow): SnapshotSummary {
    const aggregates = JSON.parse(row.aggregates_json) as { violations_by_tag: Record<string, number> };
    return {
      id: String(row.id),
      taken_at: row.taken_at,
      scope: JSON.parse(row.scope_json) as SnapshotScope,
      scope_key: row.scope_key,
      compliance_score: row.compliance_score,
      total_resources: row.total_resources,
      compliant_resources: row.compliant_resources,
      violation_count: row.violation_count,
      error_count: row.error_count,
      warning_count: row.warning_count,
      cost_attribution_gap: row.cost_attribution_gap,
      violations_by_tag: aggregates.violations_by_tag,
      data_quality_status: row.data_quality_status,
      accounts: selectAccounts.all(row.id) as SnapshotAccountAggregate[],
    };
  }

  return {
    backend: 'sqlite',
    audits,
    async saveSnapshot(input) {
      return save(input);
    },
    async listSnapshots(query: HistoryQuery) {
      const params: (string | number)[] = [normaliseTime(query.since, 'since')];
      let sql = 'SELECT * FROM snapshots WHERE taken_at >= ?';
      if (query.until !== undefined) {
        sql += ' AND taken_at <= ?';
        params.push(normaliseTime(query.until, 'until'));
      }
      if (query.scope_key !== undefined) {
        sql += ' AND scope_key = ?';
        params.push(query.scope_key);
      }
      sql += ' ORDER BY taken_at, id';
      const rows = db.prepare(sql).all(...params) as SnapshotRow[];
      return rows.map(toSummary).filter((s) => matchesQuery(s, query));
    },
    async snapshotResources(id: string) {
      const n = Number(id);
      if (!Number.isSafeInteger(n) || !selectExists.get(n)) throw new NotFoundError(`No history snapshot with id ${JSON.stringify(id)}`, 'id');
      return (selectResources.all(n) as ResourceRow[]).map((r) => ({
        arn: r.arn,
        resource_type: r.resource_type,
        account_id: r.account_id,
        region: r.region,
        tags: JSON.parse(r.tags_json) as Record<string, string>,
        compliant: r.compliant === 1,
      }));
    },
    async prune(olderThan: string) {
      const cutoff = normaliseTime(olderThan, 'olderThan');
      return db.transaction(() => {
        const removed = deleteOld.run(cutoff).changes;
        if (removed > 0) deleteOrphanTagSets.run();
        audits.pruneRuns(cutoff);
        return removed;
      })();
    },
    async health() {
      try {
        db.prepare('SELECT 1').get();
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
