import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import t from 'tap';
import { createSqliteHistoryStore } from '../../src/store/sqlite.js';
import type { SnapshotResourceState } from '../../src/store/types.js';
import { MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { historyStoreContract, SCOPE_A, snapshot } from './contract.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'history-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

t.test('sqlite backend (file)', async (t) => {
  let path = '';
  historyStoreContract(t, 'sqlite', {
    open: async () => {
      n += 1;
      path = join(dir, `nested-${n}`, 'deeper', 'history.db');
      return createSqliteHistoryStore({ path, logger });
    },
    reopen: async () => createSqliteHistoryStore({ path, logger }),
  });
});

t.test('sqlite backend (:memory:)', async (t) => {
  historyStoreContract(t, 'sqlite-memory', { open: async () => createSqliteHistoryStore({ path: ':memory:', logger }) });
});

t.test('creates the parent directory, uses WAL and records migrations once', async (t) => {
  const path = join(dir, 'fresh', 'h.db');
  const store = createSqliteHistoryStore({ path, logger });
  t.equal(store.backend, 'sqlite');
  await store.close();
  t.ok(existsSync(path));
  const reopened = createSqliteHistoryStore({ path, logger });
  await reopened.close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
  t.same(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version), 'each migration recorded exactly once');
});

t.test('identical tag sets are stored once', async (t) => {
  const path = join(dir, 'dedupe.db');
  const store = createSqliteHistoryStore({ path, logger });
  const tags: Record<string, string> = { CostCenter: 'cc1', Owner: 'team-a' };
  const resources: SnapshotResourceState[] = Array.from({ length: 50 }, (_, i) => ({
    arn: `arn:aws:ec2:us-east-1:111111111111:instance/i-${String(i).padStart(3, '0')}`,
    resource_type: 'ec2:instance',
    account_id: '111111111111',
    region: 'us-east-1',
    tags: i % 2 === 0 ? tags : { Owner: 'team-a', CostCenter: 'cc1' },
    compliant: true,
  }));
  resources.push({ ...resources[0]!, arn: 'arn:aws:ec2:us-east-1:111111111111:instance/i-odd', tags: { Other: 'x' } });
  await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 1, { resources }));
  await store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 1, { resources }));
  await store.close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal((db.prepare('SELECT COUNT(*) AS c FROM tag_sets').get() as { c: number }).c, 2, 'two distinct tag sets (key order ignored)');
  t.equal((db.prepare('SELECT COUNT(*) AS c FROM snapshot_resources').get() as { c: number }).c, 102);
});

t.test('prune drops tag sets nobody references', async (t) => {
  const path = join(dir, 'prune.db');
  const store = createSqliteHistoryStore({ path, logger });
  const r = { arn: 'arn:x', resource_type: 'ec2:instance', account_id: '111111111111', region: 'us-east-1', compliant: false };
  await store.saveSnapshot(snapshot('2026-01-01T00:00:00Z', SCOPE_A, 1, { resources: [{ ...r, tags: { Gone: '1' } }] }));
  await store.saveSnapshot(snapshot('2026-11-01T00:00:00Z', SCOPE_A, 1, { resources: [{ ...r, tags: { Kept: '1' } }] }));
  t.equal(await store.prune('2026-06-01T00:00:00Z'), 1);
  await store.close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.same(db.prepare('SELECT tags_json FROM tag_sets').all(), [{ tags_json: '{"Kept":"1"}' }]);
  t.equal((db.prepare('SELECT COUNT(*) AS c FROM snapshot_accounts').get() as { c: number }).c, 2, 'account rows cascade');
});

t.test('a file that is not a database is a start-up error naming the path', async (t) => {
  const path = join(dir, 'garbage.db');
  writeFileSync(path, 'this is not sqlite '.repeat(100));
  t.throws(() => createSqliteHistoryStore({ path, logger }), { message: new RegExp(`Cannot open the history database at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
});
