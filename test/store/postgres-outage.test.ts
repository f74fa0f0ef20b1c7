import { createServer, connect, type Server, type Socket } from 'node:net';
import pino from 'pino';
import t from 'tap';
import { createPostgresHistoryStore } from '../../src/store/postgres.js';
import { SCOPE_A, snapshot } from './contract.js';
import { PG_ADMIN_URL, pgSkipReason, pgTestDatabase } from './postgres-harness.js';

const skip = await pgSkipReason();

/** A TCP relay to PostgreSQL that the test can cut (every connection dropped, port closed) and restore on the same port. */
function relay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const start = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        const addr = s.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const sock of sockets) sock.destroy();
      if (server === null) return resolve();
      server.close(() => resolve());
      server = null;
    });
  return { start, stop };
}

t.test('a PostgreSQL outage: calls fail with a 503 UserError, /health-style check says why, recovery is automatic', { skip }, async (t) => {
  const db = await pgTestDatabase(t);
  const target = new URL(PG_ADMIN_URL);
  const r = relay(target);
  t.teardown(r.stop);
  const port = await r.start(0);
  const url = new URL(db.url);
  url.host = `127.0.0.1:${port}`;
  const store = await createPostgresHistoryStore({ url: url.toString(), logger: pino({ level: 'silent' }), connect_timeout_ms: 1_000 });
  t.teardown(() => store.close());
  const saved = await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5));

  await r.stop();
  await t.rejects(store.listSnapshots({ since: '2026-11-01T00:00:00Z' }), {
    name: 'UserError',
    statusCode: 503,
    code: 'history_unavailable',
    message: 'The compliance history database (PostgreSQL) cannot be reached right now; try again later (GET /health shows when it is back).',
  });
  await t.rejects(store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 0.6)), { code: 'history_unavailable' });
  const down = await store.health();
  t.equal(down.ok, false);
  t.match(down.detail, /ECONNREFUSED/);

  await r.start(port);
  t.same(await store.health(), { ok: true }, 'healthy again once the database is back');
  t.same((await store.listSnapshots({ since: '2026-11-01T00:00:00Z' })).map((s) => s.id), [saved.id], 'nothing saved during the outage');
});
