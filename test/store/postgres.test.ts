import pg from 'pg';
import pino from 'pino';
import t from 'tap';
import { migratePostgres, PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { createPostgresHistoryStore } from '../../src/store/postgres.js';
import type { SnapshotResourceState } from '../../src/store/types.js';
import { historyStoreContract, SCOPE_A, SCOPE_B, snapshot } from './contract.js';
import { pgSkipReason, pgTestDatabase } from './postgres-harness.js';

const logger = pino({ level: 'silent' });
const skip = await pgSkipReason();

function resources(n: number, tagsOf: (i: number) => Record<string, string>): SnapshotResourceState[] {
  return Array.from({ length: n }, (_, i) => ({
    arn: `arn:aws:ec2:us-east-1:111111111111:instance/i-${String(i).padStart(6, '0')}`,
    resource_type: 'ec2:instance',
    account_id: '111111111111',
    region: 'us-east-1',
    tags: tagsOf(i),
    compliant: i % 3 !== 0,
  }));
}

t.test('an unreachable database is a start-up error naming HISTORY_DATABASE_URL, never the password', async (t) => {
  const err = await createPostgresHistoryStore({ url: 'postgres://finops:s3cr3t-pw@127.0.0.1:1/history', logger, connect_timeout_ms: 2_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, Error);
  const message = err instanceof Error ? err.message : '';
  t.match(message, /^Cannot use the PostgreSQL history database at postgres:\/\/finops@127\.0\.0\.1:1\/history \(HISTORY_DATABASE_URL\): .*ECONNREFUSED/);
  t.notMatch(message, /s3cr3t/);
});

t.test('postgres backend', { skip }, async (t) => {
  const db = await pgTestDatabase(t);
  const open = async () => {
    const store = await createPostgresHistoryStore({ url: db.url, logger });
    await db.reset();
    return store;
  };

  t.test('contract', async (t) => {
    historyStoreContract(t, 'postgres', { open, reopen: async () => createPostgresHistoryStore({ url: db.url, logger }) });
  });

  t.test('reports its backend; migrations recorded once however often stores open', async (t) => {
    const a = await open();
    const b = await createPostgresHistoryStore({ url: db.url, logger });
    t.equal(a.backend, 'postgres');
    await Promise.all([a.close(), b.close()]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    t.same(rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version));
  });

  t.test('versioned: a later migration is applied once; a newer database is reported, not broken', async (t) => {
    const store = await open();
    await store.close();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    t.teardown(() => pool.end());
    const next = [...PG_MIGRATIONS, { version: 1_000, name: 'test: extra table', sql: 'CREATE TABLE migration_probe (x INTEGER)' }];
    t.same(await migratePostgres(pool, next), { applied: [1_000], unknown: [] });
    t.same(await migratePostgres(pool, next), { applied: [], unknown: [] }, 'nothing left to apply');
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM migration_probe'), [{ c: 0 }]);
    const lines: string[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const older = await createPostgresHistoryStore({ url: db.url, logger: capture });
    await older.close();
    const warned = lines.map((l) => JSON.parse(l) as { msg: string; unknown_migrations?: number[] }).find((l) => l.msg === 'history database has migrations newer than this build');
    t.same(warned?.unknown_migrations, [1_000]);
    await db.query('DROP TABLE migration_probe');
    await db.query('DELETE FROM schema_migrations WHERE version = 1000');
  });

  t.test('a failing migration leaves nothing behind (one transaction)', async (t) => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    t.teardown(() => pool.end());
    const broken = [...PG_MIGRATIONS, { version: 1_001, name: 'test: half good', sql: 'CREATE TABLE half_done (x INTEGER); SELECT no_such_function()' }];
    await t.rejects(migratePostgres(pool, broken), { code: '42883' });
    t.same(await db.query("SELECT to_regclass('half_done') IS NULL AS gone"), [{ gone: true }]);
    t.same(await db.query('SELECT version FROM schema_migrations ORDER BY version'), PG_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  t.test('identical tag sets are stored once; chunked inserts keep every row', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const tags = { CostCenter: 'cc1', Owner: 'team-a' };
    const many = resources(50, (i) => (i % 2 === 0 ? tags : { Owner: 'team-a', CostCenter: 'cc1' }));
    many.push({ ...many[1]!, arn: 'arn:aws:ec2:us-east-1:111111111111:instance/i-odd', tags: { Other: 'x' } });
    const small = await createPostgresHistoryStore({ url: db.url, logger, batch_size: 7 });
    t.teardown(() => small.close());
    const s1 = await small.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 1, { resources: many }));
    await store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 1, { resources: many }));
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM tag_sets'), [{ c: 2 }], 'two distinct tag sets (key order ignored)');
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM snapshot_resources'), [{ c: 102 }]);
    const back = await store.snapshotResources(s1.id);
    t.equal(back.length, 51, 'all 8 chunks of 7 stored');
    t.same(back[0], { ...many[0], tags: { CostCenter: 'cc1', Owner: 'team-a' } });
    t.same(Object.keys(back[1]?.tags ?? {}), ['CostCenter', 'Owner'], 'tags come back in canonical key order');
  });

  t.test('a large snapshot is written in batches and read back whole', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const big = resources(12_000, (i) => ({ Owner: `team-${i % 40}`, CostCenter: `cc-${i % 7}` }));
    const s = await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5, { resources: big }));
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM tag_sets'), [{ c: 280 }], '40 × 7 distinct tag sets');
    const back = await store.snapshotResources(s.id);
    t.equal(back.length, 12_000);
    t.same(back[11_999], big[11_999]);
    t.equal(back.filter((r) => !r.compliant).length, 4_000);
  });

  t.test('prune drops tag sets nobody references; account rows cascade', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const r = { arn: 'arn:x', resource_type: 'ec2:instance', account_id: '111111111111', region: 'us-east-1', compliant: false };
    await store.saveSnapshot(snapshot('2026-01-01T00:00:00Z', SCOPE_A, 1, { resources: [{ ...r, tags: { Gone: '1' } }] }));
    await store.saveSnapshot(snapshot('2026-11-01T00:00:00Z', SCOPE_A, 1, { resources: [{ ...r, tags: { Kept: '1' } }] }));
    t.equal(await store.prune('2026-06-01T00:00:00Z'), 1);
    t.same(await db.query('SELECT tags FROM tag_sets'), [{ tags: { Kept: '1' } }]);
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM snapshot_accounts'), [{ c: 2 }]);
  });

  t.test('concurrent saves sharing tag sets, and a prune running beside them, all succeed', async (t) => {
    const store = await open();
    const other = await createPostgresHistoryStore({ url: db.url, logger, batch_size: 5 });
    t.teardown(async () => {
      await store.close();
      await other.close();
    });
    await store.saveSnapshot(snapshot('2025-01-01T00:00:00Z', SCOPE_B, 0.1, { resources: resources(20, (i) => ({ Old: String(i) })) }));
    const shared = (i: number) => ({ Owner: `o${i % 9}` });
    const saves = Array.from({ length: 6 }, (_, k) =>
      (k % 2 === 0 ? store : other).saveSnapshot(snapshot(`2026-11-2${k}T00:00:00Z`, SCOPE_A, 0.5, { resources: resources(30 + k, shared) })),
    );
    const [pruned, ...saved] = await Promise.all([other.prune('2026-01-01T00:00:00Z'), ...saves]);
    t.equal(pruned, 1);
    t.equal(saved.length, 6);
    t.same(await db.query('SELECT COUNT(*)::int AS c FROM tag_sets'), [{ c: 9 }], 'nine shared tag sets, the 20 old ones pruned');
    t.same((await store.listSnapshots({ since: '2000-01-01T00:00:00Z' })).map((s) => s.taken_at), saves.map((_, k) => `2026-11-2${k}T00:00:00.000Z`));
  });

  t.test('a closed store reports unhealthy; saving after close rejects', async (t) => {
    const store = await open();
    await store.close();
    t.same(await store.health(), { ok: false, detail: 'closed' });
    await t.rejects(store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5)));
  });

  t.test('snapshot ids that cannot exist are not found (no query error)', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    for (const id of ['', '0', '-1', 'abc', '1.5', ' 1', '99999999999999999999']) {
      await t.rejects(store.snapshotResources(id), { name: 'NotFoundError' }, JSON.stringify(id));
    }
  });
});

t.test('two stores starting at once on a fresh database migrate exactly once', { skip }, async (t) => {
  const db = await pgTestDatabase(t);
  const stores = await Promise.all([1, 2, 3].map(() => createPostgresHistoryStore({ url: db.url, logger })));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  t.same(rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version));
  const [first, second] = stores;
  const s = await first!.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5));
  t.same(await second!.listSnapshots({ since: '2026-11-01T00:00:00Z' }), [s], 'replicas share one history');
});
