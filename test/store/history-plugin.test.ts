import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import pino from 'pino';
import t from 'tap';
import historyPlugin, { retentionCutoff } from '../../plugins/history.js';
import { testConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { createMemoryHistoryStore } from '../../src/store/memory.js';
import { createSqliteHistoryStore } from '../../src/store/sqlite.js';
import { SCOPE_A, snapshot } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'history-plugin-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date('2026-11-22T12:00:00.000Z');

/** Stand-in for the real 'config' plugin: decorates app.config. */
function configStub(config: AppConfig) {
  return fp(async (app) => {
    app.decorate('config', config);
  }, { name: 'config' });
}

t.test('retention cutoff', async (t) => {
  t.equal(retentionCutoff(NOW, 90), '2026-08-24T12:00:00.000Z');
  t.equal(retentionCutoff(NOW, 1), '2026-11-21T12:00:00.000Z');
});

t.test('opens SQLite at db_path, prunes at start, closes onClose', async (t) => {
  const path = join(dir, 'sub', 'history.db');
  const seed = createSqliteHistoryStore({ path, logger: pino({ level: 'silent' }) });
  await seed.saveSnapshot(snapshot('2026-10-01T00:00:00Z', SCOPE_A, 0.1));
  const recent = await seed.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.9));
  await seed.close();

  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig({ history: { db_path: path, retention_days: 30 } })));
  await app.register(historyPlugin, { now: () => NOW });
  await app.ready();
  t.equal(app.history.backend, 'sqlite');
  const left = await app.history.listSnapshots({ since: '2000-01-01T00:00:00Z' });
  t.same(left.map((s) => s.id), [recent.id], 'the 2026-10-01 snapshot (older than 30 days) was pruned');
  await app.close();
  t.same((await app.history.health()).ok, false, 'store closed with the app');
});

t.test(':memory: works (test config default)', async (t) => {
  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig()));
  await app.register(historyPlugin);
  await app.ready();
  t.same(await app.history.health(), { ok: true });
  const s = await app.history.saveSnapshot(snapshot(new Date().toISOString(), SCOPE_A, 0.5));
  t.equal((await app.history.listSnapshots({ since: '2000-01-01T00:00:00Z' }))[0]?.id, s.id);
  await app.close();
});

t.test('prunes again on the interval with the moving clock; timer cleared on close', async (t) => {
  const store = createMemoryHistoryStore();
  await store.saveSnapshot(snapshot('2026-11-10T00:00:00Z', SCOPE_A, 0.5));
  let now = NOW;
  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig({ history: { retention_days: 30 } })));
  await app.register(historyPlugin, { store, now: () => now, pruneIntervalMs: 5 });
  await app.ready();
  t.equal((await store.listSnapshots({ since: '2000-01-01T00:00:00Z' })).length, 1, 'kept at start');
  now = new Date('2026-12-20T00:00:00Z');
  for (let i = 0; i < 400 && (await store.listSnapshots({ since: '2000-01-01T00:00:00Z' })).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  t.equal((await store.listSnapshots({ since: '2000-01-01T00:00:00Z' })).length, 0, 'pruned by the periodic run');
  await app.close();
});

t.test('an unreachable HISTORY_DATABASE_URL stops start-up, naming the variable but not the password', async (t) => {
  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig({ history: { database_url: 'postgres://finops:pa55word@127.0.0.1:1/history' } })));
  const err = await (async () => {
    await app.register(historyPlugin);
    await app.ready();
  })().then(() => null, (e: unknown) => e);
  t.match(err, { message: /^Cannot use the PostgreSQL history database at postgres:\/\/finops@127\.0\.0\.1:1\/history \(HISTORY_DATABASE_URL\): / });
  t.notMatch(err instanceof Error ? err.message : '', /pa55word/);
  await app.close();
});

t.test('an unopenable db_path stops start-up', async (t) => {
  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig({ history: { db_path: join(dir, 'is-a-dir') } })));
  rmSync(join(dir, 'is-a-dir'), { recursive: true, force: true });
  mkdirSync(join(dir, 'is-a-dir'));
  await t.rejects(async () => {
    await app.register(historyPlugin);
    await app.ready();
  }, { message: /Cannot open the history database at .*is-a-dir/ });
  await app.close();
});

t.test('requires the config plugin', async (t) => {
  const app = Fastify({ logger: false });
  await t.rejects(async () => {
    await app.register(historyPlugin);
    await app.ready();
  }, { message: /dependency 'config' of plugin 'history'/ });
  await app.close();
});
