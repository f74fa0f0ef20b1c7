/**
 * The Redis backend against a real Redis: the shared contract, the stored form (JSON with
 * stored_at, PX TTL), SCAN+UNLINK prefix deletes, cross-replica single flight through the load
 * lock (waiting, a dead holder, a failed holder, forced refreshes), an unreachable Redis, and a
 * password-protected private server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { Redis } from 'ioredis';
import { createRedisClient, reconnectDelay } from '../../src/cache/redis-client.js';
import { CacheUnavailableError, createRedisStore, globPrefix } from '../../src/cache/redis-store.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { cacheContract, CONTRACT_START, deferred, type ContractFixture } from './contract.js';
import { eventually, freePort, purge, redisServerOrSkip, runPrefix, sharedRedisOrSkip, SHARED_REDIS_URL, startPrivateRedis } from './redis-helpers.js';

interface Logged {
  level: string;
  msg: string;
}

function recorder(): { logs: Logged[]; logger: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; debug: (o: object, m: string) => void } } {
  const logs: Logged[] = [];
  return {
    logs,
    logger: {
      info: (_o, msg) => void logs.push({ level: 'info', msg }),
      warn: (_o, msg) => void logs.push({ level: 'warn', msg }),
      debug: () => undefined,
    },
  };
}

/** One "replica": its own client, store and ResultCache on the given prefix. */
async function replica(prefix: string, url = SHARED_REDIS_URL, ca?: string) {
  const client = createRedisClient({ url, connectTimeoutMs: 1000, commandTimeoutMs: 1000, maxBackoffMs: 200, ...(ca === undefined ? {} : { tls: { ca } }) });
  const rec = recorder();
  const store = createRedisStore({ client, prefix, logger: rec.logger });
  await store.waitUntilReady(2000);
  let clock = CONTRACT_START;
  const cache = createResultCache(store, { now: () => new Date(clock), sharedFlight: { firstPollMs: 10, maxPollMs: 50 } });
  return { client, store, cache, logs: rec.logs, advance: (ms: number) => void (clock += ms) };
}

t.test('pure parts', async (t) => {
  t.equal(globPrefix('p:v1:ce:a*b?[x]\\'), 'p:v1:ce:a\\*b\\?\\[x\\]\\\\*');
  t.same([1, 2, 3, 10, 100].map((n) => reconnectDelay(n, 2000, () => 1)), [50, 100, 200, 2000, 2000]);
  t.same([1, 5].map((n) => reconnectDelay(n, 2000, () => 0)), [40, 640]);
});

t.test('Redis backend', async (t) => {
  if (!(await sharedRedisOrSkip(t, 'Redis cache backend tests'))) return;
  const admin = new Redis(SHARED_REDIS_URL);
  const prefixes: string[] = [];
  const fresh = (): string => {
    const p = runPrefix('cache');
    prefixes.push(p);
    return p;
  };
  t.teardown(async () => {
    for (const p of prefixes) await purge(SHARED_REDIS_URL, p);
    admin.disconnect();
  });

  cacheContract(t, 'redis', async (): Promise<ContractFixture> => {
    const r = await replica(fresh());
    return {
      cache: r.cache,
      store: r.store,
      elapse: async (ms) => {
        r.advance(ms);
        await new Promise((res) => setTimeout(res, ms));
      },
      close: () => r.cache.close(),
    };
  });

  t.test('stored form: prefixed key, JSON with stored_at, PX TTL', async (t) => {
    const prefix = fresh();
    const r = await replica(prefix);
    t.teardown(() => r.cache.close());
    await r.cache.set('v1:inv:111111111111:us-east-1:ec2:instance', [{ id: 'i-1' }], 60);
    const raw = await admin.get(`${prefix}v1:inv:111111111111:us-east-1:ec2:instance`);
    const { stamp, ...stored } = JSON.parse(raw ?? 'null') as { stamp?: unknown };
    t.same(stored, { value: [{ id: 'i-1' }], stored_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:01:00.000Z' });
    t.match(raw, /^\{"stamp":"[A-Za-z0-9_.-]+"/, 'the write stamp comes first (stamps() reads it with GETRANGE)');
    const stamps = await r.cache.stamps?.(['v1:inv:111111111111:us-east-1:ec2:instance', 'v1:inv:absent']);
    t.same(stamps, [stamp, null], 'stamps: the entry\'s stamp, null for an absent key');
    const pttl = await admin.pttl(`${prefix}v1:inv:111111111111:us-east-1:ec2:instance`);
    t.ok(pttl > 55_000 && pttl <= 60_000, `PTTL ${pttl} ms of 60 000`);
    await admin.set(`${prefix}v1:broken`, '{not json', 'PX', 60_000);
    t.equal(await r.cache.get('v1:broken'), undefined, 'an unreadable entry is a miss');
    t.same(r.logs.filter((l) => l.level === 'warn').map((l) => l.msg), ['unreadable Redis cache entry ignored']);
  });

  t.test('deleteByPrefix walks SCAN over many keys, keeps other prefixes and load locks', async (t) => {
    const prefix = fresh();
    const r = await replica(prefix);
    t.teardown(() => r.cache.close());
    const pipeline = admin.pipeline();
    for (let i = 0; i < 1200; i++) pipeline.set(`${prefix}v1:inv:111111111111:r:${i}`, '{}', 'PX', 60_000);
    pipeline.set(`${prefix}v1:inv:222222222222:r:0`, '{}', 'PX', 60_000);
    pipeline.set(`${prefix}~lock:v1:inv:111111111111:r:0`, 'someone', 'PX', 60_000);
    await pipeline.exec();
    t.equal(await r.cache.deleteByPrefix('v1:inv:111111111111:'), 1200);
    t.equal(await admin.exists(`${prefix}v1:inv:222222222222:r:0`), 1);
    t.equal(await r.cache.deleteByPrefix(''), 1, 'the whole namespace: one entry left, the lock is not an entry');
    t.equal(await admin.get(`${prefix}~lock:v1:inv:111111111111:r:0`), 'someone');
  });

  t.test('two replicas: the second waits for the first one\'s load instead of loading', async (t) => {
    const prefix = fresh();
    const a = await replica(prefix);
    const b = await replica(prefix);
    t.teardown(async () => {
      await a.cache.close();
      await b.cache.close();
    });
    const gate = deferred<string>();
    let loadsA = 0;
    let loadsB = 0;
    const pa = a.cache.getOrLoad('k', 60, async () => {
      loadsA += 1;
      return gate.promise;
    });
    t.ok(await eventually(async () => (await admin.exists(`${prefix}~lock:k`)) === 1), 'A holds the load lock');
    const pb = b.cache.getOrLoad('k', 60, async () => {
      loadsB += 1;
      return 'from B';
    });
    await new Promise((r) => setTimeout(r, 100));
    t.equal(loadsB, 0, 'B is waiting, not loading');
    gate.resolve('from A');
    t.same(await pa, { value: 'from A', stored_at: '2026-01-01T00:00:00.000Z', source: 'loaded' });
    t.same(await pb, { value: 'from A', stored_at: '2026-01-01T00:00:00.000Z', source: 'cache' });
    t.same([loadsA, loadsB], [1, 0]);
    t.equal(await admin.exists(`${prefix}~lock:k`), 0, 'the lock is released');
  });

  t.test('a dead holder: its lock expires and one waiter takes over', async (t) => {
    const prefix = fresh();
    const b = await replica(prefix);
    const c = await replica(prefix);
    t.teardown(async () => {
      await b.cache.close();
      await c.cache.close();
    });
    await admin.set(`${prefix}~lock:k`, 'dead-replica', 'PX', 300);
    let loads = 0;
    const loader = async (): Promise<string> => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 50));
      return 'taken over';
    };
    const [rb, rc] = await Promise.all([b.cache.getOrLoad('k', 60, loader), c.cache.getOrLoad('k', 60, loader)]);
    t.equal(loads, 1, 'exactly one waiter loaded');
    t.same([rb.value, rc.value], ['taken over', 'taken over']);
    t.same([rb.source, rc.source].sort(), ['cache', 'loaded']);
  });

  t.test('a holder that keeps its lock too long: the waiter gives up after maxWaitMs and loads', async (t) => {
    const prefix = fresh();
    const client = createRedisClient({ url: SHARED_REDIS_URL, connectTimeoutMs: 1000, commandTimeoutMs: 1000 });
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(String((JSON.parse(line) as { msg?: unknown }).msg)) });
    const store = createRedisStore({ client, prefix, logger });
    await store.waitUntilReady(2000);
    const cache = createResultCache(store, { logger, now: () => new Date(CONTRACT_START), sharedFlight: { firstPollMs: 10, maxPollMs: 20, maxWaitMs: 200 } });
    t.teardown(() => cache.close());
    await admin.set(`${prefix}~lock:k`, 'stuck-replica', 'PX', 10_000);
    t.same(await cache.getOrLoad('k', 60, async () => 'loaded here'), { value: 'loaded here', stored_at: '2026-01-01T00:00:00.000Z', source: 'loaded' });
    t.same(warnings, ['another replica holds this load for too long; loading here']);
    t.equal(await admin.get(`${prefix}~lock:k`), 'stuck-replica', 'a lock it does not own is left alone');
  });

  t.test('a failed holder: the waiter loads itself; the failure is not stored', async (t) => {
    const prefix = fresh();
    const a = await replica(prefix);
    const b = await replica(prefix);
    t.teardown(async () => {
      await a.cache.close();
      await b.cache.close();
    });
    const gate = deferred<string>();
    const pa = a.cache.getOrLoad('k', 60, () => gate.promise);
    t.ok(await eventually(async () => (await admin.exists(`${prefix}~lock:k`)) === 1));
    const pb = b.cache.getOrLoad('k', 60, async () => 'B loaded');
    gate.reject(new Error('AccessDenied'));
    await t.rejects(pa, { message: 'AccessDenied' });
    t.same(await pb, { value: 'B loaded', stored_at: '2026-01-01T00:00:00.000Z', source: 'loaded' });
  });

  t.test('forced refreshes on two replicas: the waiter takes the new value, never the old one', async (t) => {
    const prefix = fresh();
    const a = await replica(prefix);
    const b = await replica(prefix);
    t.teardown(async () => {
      await a.cache.close();
      await b.cache.close();
    });
    await a.cache.set('k', 'old', 60);
    a.advance(1000);
    const gate = deferred<string>();
    const pa = a.cache.getOrLoad('k', 60, () => gate.promise, { forceRefresh: true });
    t.ok(await eventually(async () => (await admin.exists(`${prefix}~lock:k`)) === 1));
    let loadsB = 0;
    const pb = b.cache.getOrLoad('k', 60, async () => {
      loadsB += 1;
      return 'B';
    }, { forceRefresh: true });
    await new Promise((r) => setTimeout(r, 100));
    gate.resolve('new');
    t.same(await pa, { value: 'new', stored_at: '2026-01-01T00:00:01.000Z', source: 'loaded' });
    t.same(await pb, { value: 'new', stored_at: '2026-01-01T00:00:01.000Z', source: 'cache' });
    t.equal(loadsB, 0);
  });
});

t.test('Redis unreachable: loads answer uncached, health degraded, one warning, invalidation refused', async (t) => {
  const port = await freePort(); // nothing listens there
  const client = createRedisClient({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 200, commandTimeoutMs: 200, maxBackoffMs: 100 });
  const rec = recorder();
  const store = createRedisStore({ client, prefix: 'unreachable:', logger: rec.logger });
  const cache = createResultCache(store);
  t.teardown(() => cache.close());
  t.equal(await store.waitUntilReady(300), false);
  let loads = 0;
  for (let i = 0; i < 3; i++) {
    const r = await cache.getOrLoad('k', 60, async () => ++loads);
    t.same([r.value, r.source], [i + 1, 'loaded']);
  }
  t.same(cache.health(), { backend: 'redis', status: 'degraded' });
  await t.rejects(cache.deleteByPrefix('v1:inv:'), CacheUnavailableError);
  await t.rejects(cache.delete('v1:regions:111111111111'), { name: 'CacheUnavailableError', message: /Redis result cache is unreachable/ });
  await new Promise((r) => setTimeout(r, 400)); // several reconnect attempts fail meanwhile
  t.same(rec.logs, [{ level: 'warn', msg: 'Redis result cache unavailable: loading without cache until it returns' }], 'the outage is logged once');
});

t.test('password-protected private Redis: the URL password authenticates; a wrong one degrades', async (t) => {
  if (!(await redisServerOrSkip(t, 'password test'))) return;
  const server = await startPrivateRedis(['--requirepass', 's3cr3t']);
  t.teardown(() => server.stop());
  const good = await replica('pw:', `redis://:s3cr3t@127.0.0.1:${server.port}/0`);
  t.teardown(() => good.cache.close());
  t.same(good.cache.health(), { backend: 'redis', status: 'ok' });
  t.equal((await good.cache.getOrLoad('k', 60, async () => 'v')).source, 'loaded');
  t.equal((await good.cache.getOrLoad('k', 60, async () => 'v')).source, 'cache');

  const bad = await replica('pw:', `redis://:wrong@127.0.0.1:${server.port}/0`);
  t.teardown(() => bad.cache.close());
  t.same(bad.cache.health(), { backend: 'redis', status: 'degraded' });
  t.same(await bad.cache.getOrLoad('k', 60, async () => 'loaded anyway'), { value: 'loaded anyway', stored_at: '2026-01-01T00:00:00.000Z', source: 'loaded' });
});

t.test('rediss:// speaks TLS and verifies the server certificate', async (t) => {
  if (!(await redisServerOrSkip(t, 'TLS test'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = await startPrivateRedis([], { cert, key });
  t.teardown(() => server.stop());
  t.match(server.url, /^rediss:\/\//);
  const ca = readFileSync(cert, 'utf8');

  const tls = await replica('tls:', server.url, ca);
  t.teardown(() => tls.cache.close());
  t.same(tls.cache.health(), { backend: 'redis', status: 'ok' });
  t.equal((await tls.cache.getOrLoad('k', 60, async () => 'v')).source, 'loaded');
  t.equal((await tls.cache.getOrLoad('k', 60, async () => 'v')).source, 'cache');

  const untrusted = await replica('tls:', server.url);
  t.teardown(() => untrusted.cache.close());
  t.same(untrusted.cache.health(), { backend: 'redis', status: 'degraded' }, 'an unknown CA is refused');

  const plain = await replica('tls:', server.url.replace('rediss://', 'redis://'), ca);
  t.teardown(() => plain.cache.close());
  t.same(plain.cache.health(), { backend: 'redis', status: 'degraded' }, 'redis:// does not speak TLS');
  t.equal((await plain.cache.getOrLoad('k', 60, async () => 'uncached')).value, 'uncached');
});

t.test('transitions are logged once each: connected, unavailable, available again', async (t) => {
  if (!(await redisServerOrSkip(t, 'transition log test'))) return;
  const server = await startPrivateRedis();
  t.teardown(() => server.stop());
  const r = await replica('transitions:', server.url);
  t.teardown(() => r.cache.close());
  t.equal((await r.cache.getOrLoad('k', 60, async () => 1)).source, 'loaded');
  await server.kill();
  t.ok(await eventually(() => r.cache.health().status === 'degraded'));
  for (let i = 0; i < 5; i++) t.equal((await r.cache.getOrLoad('k', 60, async () => 2)).source, 'loaded', 'answers without cache');
  await new Promise((res) => setTimeout(res, 500)); // several failed reconnects
  await server.restart();
  t.ok(await eventually(() => r.cache.health().status === 'ok'), 'reconnected by itself');
  t.equal((await r.cache.getOrLoad('k', 60, async () => 3)).source, 'loaded', 'the restarted server is empty');
  t.same(await r.cache.getOrLoad('k', 60, async () => 4), { value: 3, stored_at: '2026-01-01T00:00:00.000Z', source: 'cache' });
  t.same(r.logs, [
    { level: 'info', msg: 'Redis result cache connected' },
    { level: 'warn', msg: 'Redis result cache unavailable: loading without cache until it returns' },
    { level: 'info', msg: 'Redis result cache available again' },
  ]);
});
