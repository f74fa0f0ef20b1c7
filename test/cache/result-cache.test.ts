import t from 'tap';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { accountsKey, costKey, inventoryKey, inventoryPrefix, regionsKey } from '../../src/cache/keys.js';

function clockAt(ms: number): { now: () => number; advance: (d: number) => void } {
  let t0 = ms;
  return { now: () => t0, advance: (d) => void (t0 += d) };
}

function setup(maxBytes = 1024 * 1024) {
  const clock = clockAt(Date.parse('2026-01-01T00:00:00Z'));
  const store = createMemoryStore({ maxBytes, now: clock.now });
  const cache = createResultCache(store, { now: () => new Date(clock.now()) });
  return { clock, store, cache };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

t.test('keys are namespaced, versioned and carry the account', async (t) => {
  t.equal(inventoryKey('111111111111', 'us-east-1', 'ec2:instance'), 'v1:inv:111111111111:us-east-1:ec2:instance');
  t.equal(inventoryPrefix('111111111111'), 'v1:inv:111111111111:');
  t.equal(inventoryPrefix(), 'v1:inv:');
  t.equal(regionsKey('111111111111'), 'v1:regions:111111111111');
  t.equal(accountsKey('org'), 'v1:accounts:org');
  t.equal(costKey('2026-01-01', '2026-02-01'), 'v1:ce:2026-01-01:2026-02-01', 'one Cost Explorer entry per period');
  t.not(costKey('2026-01-01', '2026-02-01'), costKey('2026-01-01', '2026-03-01'));
  t.throws(() => inventoryKey('1:2', 'us-east-1', 'ec2:instance'));
  t.throws(() => regionsKey(''));
});

t.test('get/set/delete/deleteByPrefix with timestamps', async (t) => {
  const { cache } = setup();
  await cache.set('v1:inv:1:r:a', [{ x: 1 }], 60);
  await cache.set('v1:inv:1:r:b', 2, 60);
  await cache.set('v1:inv:2:r:a', 3, 60);
  t.same(await cache.get('v1:inv:1:r:a'), { value: [{ x: 1 }], stored_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:01:00.000Z' });
  t.equal(await cache.deleteByPrefix('v1:inv:1:'), 2);
  t.equal(await cache.get('v1:inv:1:r:b'), undefined);
  t.equal((await cache.get<number>('v1:inv:2:r:a'))?.value, 3);
  await cache.delete('v1:inv:2:r:a');
  t.equal(await cache.get('v1:inv:2:r:a'), undefined);
  t.same(cache.health(), { backend: 'memory', status: 'ok' });
});

t.test('entries expire after their TTL', async (t) => {
  const { cache, clock } = setup();
  await cache.set('k', 'v', 10);
  clock.advance(9_999);
  t.equal((await cache.get<string>('k'))?.value, 'v');
  clock.advance(1);
  t.equal(await cache.get('k'), undefined);
});

t.test('returned values are copies: mutating them cannot change the cache', async (t) => {
  const { cache } = setup();
  await cache.set('k', { tags: { a: '1' } }, 60);
  const got = await cache.get<{ tags: Record<string, string> }>('k');
  if (got !== undefined) got.value.tags.a = 'changed';
  t.same((await cache.get('k'))?.value, { tags: { a: '1' } });
});

t.test('the memory backend is bounded in bytes', async (t) => {
  const { cache, store } = setup(1000);
  const blob = 'x'.repeat(200); // ~202 bytes of JSON + key + overhead
  for (let i = 0; i < 10; i++) await cache.set(`k${i}`, blob, 60);
  const usage = store.usage();
  t.ok(usage.bytes <= 1000, `held ${usage.bytes} bytes`);
  t.equal(usage.entries, 3, '3 entries of ~268 bytes fit in 1000');
  t.equal(await cache.get('k0'), undefined, 'least recently used went first');
  t.equal((await cache.get<string>('k9'))?.value, blob);
  await cache.set('huge', 'y'.repeat(5000), 60);
  t.equal(await cache.get('huge'), undefined, 'an entry larger than the bound is not kept');
  t.equal((await cache.getOrLoad('huge2', 60, async () => 'z'.repeat(5000))).value.length, 5000, 'but its load still answers');
});

t.test('getOrLoad: miss loads, hit serves, failures are not stored', async (t) => {
  const { cache } = setup();
  let calls = 0;
  const a = await cache.getOrLoad('k', 60, async () => ++calls);
  t.same(a, { value: 1, stored_at: '2026-01-01T00:00:00.000Z', source: 'loaded' });
  const b = await cache.getOrLoad('k', 60, async () => ++calls);
  t.same(b, { value: 1, stored_at: '2026-01-01T00:00:00.000Z', source: 'cache' });
  await t.rejects(
    cache.getOrLoad('bad', 60, async () => {
      throw new Error('boom');
    }),
    { message: 'boom' },
  );
  t.equal(await cache.get('bad'), undefined);
  t.equal((await cache.getOrLoad('bad', 60, async () => 'ok')).value, 'ok');
});

t.test('single flight: concurrent identical loads share one loader call', async (t) => {
  const { cache } = setup();
  const gate = deferred<string>();
  let calls = 0;
  const loader = async (): Promise<string> => {
    calls += 1;
    return gate.promise;
  };
  const p = [cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader, { forceRefresh: true })];
  await new Promise((r) => setImmediate(r));
  gate.resolve('v');
  const results = await Promise.all(p);
  t.equal(calls, 1);
  // The forced call skips the cache read, so it reaches the flight table first and starts the load.
  t.same(results.map((r) => [r.value, r.source]), [['v', 'joined'], ['v', 'joined'], ['v', 'loaded']]);
});

t.test('single flight: a failed load rejects every waiter', async (t) => {
  const { cache } = setup();
  const gate = deferred<string>();
  const loader = (): Promise<string> => gate.promise;
  const p = [cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader)];
  await new Promise((r) => setImmediate(r));
  gate.reject(new Error('denied'));
  const settled = await Promise.allSettled(p);
  t.same(settled.map((s) => s.status), ['rejected', 'rejected']);
  t.equal(await cache.get('k'), undefined);
});

t.test('forceRefresh replaces the entry', async (t) => {
  const { cache, clock } = setup();
  await cache.getOrLoad('k', 60, async () => 'old');
  clock.advance(5_000);
  const fresh = await cache.getOrLoad('k', 60, async () => 'new', { forceRefresh: true });
  t.same(fresh, { value: 'new', stored_at: '2026-01-01T00:00:05.000Z', source: 'loaded' });
  t.same(await cache.get('k'), { value: 'new', stored_at: '2026-01-01T00:00:05.000Z', expires_at: '2026-01-01T00:01:05.000Z' });
});

t.test('abort: the shared load stops only when every waiter has left', async (t) => {
  const { cache } = setup();
  let loadSignal: AbortSignal | undefined;
  const gate = deferred<string>();
  const loader = async (s: AbortSignal): Promise<string> => {
    loadSignal = s;
    return gate.promise;
  };
  const c1 = new AbortController();
  const c2 = new AbortController();
  const p1 = cache.getOrLoad('k', 60, loader, { signal: c1.signal });
  const p2 = cache.getOrLoad('k', 60, loader, { signal: c2.signal });
  await new Promise((r) => setImmediate(r));
  c1.abort(new Error('first left'));
  await t.rejects(p1, { message: 'first left' });
  t.equal(loadSignal?.aborted, false, 'still one waiter');
  gate.resolve('v');
  t.equal((await p2).value, 'v');

  const gate2 = deferred<string>();
  const c3 = new AbortController();
  const p3 = cache.getOrLoad('k2', 60, async (s) => {
    loadSignal = s;
    return gate2.promise;
  }, { signal: c3.signal });
  await new Promise((r) => setImmediate(r));
  c3.abort(new Error('gone'));
  await t.rejects(p3, { message: 'gone' });
  t.equal(loadSignal?.aborted, true, 'last waiter left: the load is aborted');
  gate2.resolve('late');
  await new Promise((r) => setImmediate(r));
  await t.rejects(cache.getOrLoad('k3', 60, async () => 'x', { signal: c3.signal }), { message: 'gone' }, 'an aborted signal is refused up front');
});

t.test('a broken store degrades to loading, never fails the answer', async (t) => {
  const warnings: unknown[] = [];
  const base = createMemoryStore({ maxBytes: 1000 });
  const broken = {
    ...base,
    async get(): Promise<undefined> {
      throw new Error('store down');
    },
    async set(): Promise<void> {
      throw new Error('store down');
    },
  };
  const cache = createResultCache(broken, { logger: { warn: (...a: unknown[]) => void warnings.push(a), debug: () => undefined } });
  const r = await cache.getOrLoad('k', 60, async () => 42);
  t.same([r.value, r.source], [42, 'loaded']);
  t.equal(warnings.length, 2);
  await cache.close();
});
