import Fastify from 'fastify';
import fp from 'fastify-plugin';
import t from 'tap';
import historyPlugin from '../../plugins/history.js';
import { testConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { createPostgresHistoryStore } from '../../src/store/postgres.js';
import pino from 'pino';
import { SCOPE_A, snapshot } from './contract.js';
import { pgSkipReason, pgTestDatabase } from './postgres-harness.js';

const skip = await pgSkipReason();
const NOW = new Date('2026-11-22T12:00:00.000Z');

function configStub(config: AppConfig) {
  return fp(async (app) => {
    app.decorate('config', config);
  }, { name: 'config' });
}

t.test('HISTORY_DATABASE_URL set: PostgreSQL is used (not SQLite), pruned at start, closed with the app', { skip }, async (t) => {
  const db = await pgTestDatabase(t);
  const seed = await createPostgresHistoryStore({ url: db.url, logger: pino({ level: 'silent' }) });
  await seed.saveSnapshot(snapshot('2026-10-01T00:00:00Z', SCOPE_A, 0.1));
  const recent = await seed.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.9));
  await seed.close();

  const app = Fastify({ logger: false });
  await app.register(configStub(testConfig({ history: { database_url: db.url, db_path: '/nonexistent/never/opened.db', retention_days: 30 } })));
  await app.register(historyPlugin, { now: () => NOW });
  await app.ready();
  t.equal(app.history.backend, 'postgres');
  t.same(await app.history.health(), { ok: true });
  t.same((await app.history.listSnapshots({ since: '2000-01-01T00:00:00Z' })).map((s) => s.id), [recent.id], 'the snapshot older than 30 days was pruned');
  await app.close();
  t.same(await app.history.health(), { ok: false, detail: 'closed' });
});
