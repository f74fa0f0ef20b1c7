/**
 * The result-cache contract every backend passes (memory, Redis): values with timestamps, TTLs,
 * prefix deletes, copies, getOrLoad with single flight, abort and force refresh.
 */
import type { Test } from 'tap';
import type { CacheStore, ResultCache } from '../../src/cache/types.js';

export interface ContractFixture {
  cache: ResultCache;
  store: CacheStore;
  /** Let `ms` pass for expiry (memory: moves the clock; Redis: waits). Also moves the stored_at clock. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Every fixture starts its stored_at clock here. */
export const CONTRACT_START = Date.parse('2026-01-01T00:00:00Z');

export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Lets pending cache I/O (a real Redis round trip) settle before the gate opens. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
}

export function cacheContract(t: Test, backend: 'memory' | 'redis', make: () => Promise<ContractFixture>): void {
  const use = async (t: Test): Promise<ContractFixture> => {
    const f = await make();
    t.teardown(() => f.close());
    return f;
  };

  t.test(`${backend}: get/set/delete/deleteByPrefix with timestamps`, async (t) => {
    const { cache } = await use(t);
    await cache.set('v1:inv:1:r:a', [{ x: 1 }], 60);
    await cache.set('v1:inv:1:r:b', 2, 60);
    await cache.set('v1:inv:2:r:a', 3, 60);
    t.same(await cache.get('v1:inv:1:r:a'), { value: [{ x: 1 }], stored_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:01:00.000Z' });
    t.equal(await cache.deleteByPrefix('v1:inv:1:'), 2);
    t.equal(await cache.get('v1:inv:1:r:b'), undefined);
    t.equal((await cache.get<number>('v1:inv:2:r:a'))?.value, 3);
    t.equal(await cache.deleteByPrefix('v1:inv:9:'), 0);
    await cache.delete('v1:inv:2:r:a');
    t.equal(await cache.get('v1:inv:2:r:a'), undefined);
    await cache.delete('v1:inv:never-there');
    t.same(cache.health(), { backend, status: 'ok' });
  });

  t.test(`${backend}: prefix deletes match literally (glob characters are not wildcards)`, async (t) => {
    const { cache } = await use(t);
    await cache.set('v1:ce:a*b', 1, 60);
    await cache.set('v1:ce:axb', 2, 60);
    await cache.set('v1:ce:a?', 3, 60);
    t.equal(await cache.deleteByPrefix('v1:ce:a*'), 1);
    t.equal((await cache.get<number>('v1:ce:axb'))?.value, 2);
    t.equal(await cache.deleteByPrefix('v1:ce:a?'), 1);
    t.equal((await cache.get<number>('v1:ce:axb'))?.value, 2);
  });

  t.test(`${backend}: entries expire after their TTL; TTL 0 stores nothing`, async (t) => {
    const { cache, elapse } = await use(t);
    await cache.set('k', 'v', 1);
    t.equal((await cache.get<string>('k'))?.value, 'v');
    await elapse(1100);
    t.equal(await cache.get('k'), undefined);
    await cache.set('k0', 'v', 0);
    t.equal(await cache.get('k0'), undefined);
    t.same(await cache.getOrLoad('k0', 0, async () => 'loaded'), { value: 'loaded', stored_at: '2026-01-01T00:00:01.100Z', source: 'loaded' });
    t.equal(await cache.get('k0'), undefined);
  });

  t.test(`${backend}: returned values are copies: mutating them cannot change the cache`, async (t) => {
    const { cache } = await use(t);
    await cache.set('k', { tags: { a: '1' } }, 60);
    const got = await cache.get<{ tags: Record<string, string> }>('k');
    if (got !== undefined) got.value.tags.a = 'changed';
    t.same((await cache.get('k'))?.value, { tags: { a: '1' } });
  });

  t.test(`${backend}: getOrLoad: miss loads, hit serves, failures are not stored`, async (t) => {
    const { cache } = await use(t);
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

  t.test(`${backend}: single flight: concurrent identical loads share one loader call`, async (t) => {
    const { cache } = await use(t);
    const gate = deferred<string>();
    let calls = 0;
    const loader = async (): Promise<string> => {
      calls += 1;
      return gate.promise;
    };
    const p = [cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader, { forceRefresh: true })];
    await settle();
    gate.resolve('v');
    const results = await Promise.all(p);
    t.equal(calls, 1);
    // The forced call skips the cache read, so it reaches the flight table first and starts the load.
    t.same(results.map((r) => [r.value, r.source]), [['v', 'joined'], ['v', 'joined'], ['v', 'loaded']]);
  });

  t.test(`${backend}: single flight: a failed load rejects every waiter`, async (t) => {
    const { cache } = await use(t);
    const gate = deferred<string>();
    const loader = (): Promise<string> => gate.promise;
    const p = [cache.getOrLoad('k', 60, loader), cache.getOrLoad('k', 60, loader)];
    await settle();
    gate.reject(new Error('denied'));
    const settled = await Promise.allSettled(p);
    t.same(settled.map((s) => s.status), ['rejected', 'rejected']);
    t.equal(await cache.get('k'), undefined);
  });

  t.test(`${backend}: forceRefresh replaces the entry`, async (t) => {
    const { cache, elapse } = await use(t);
    await cache.getOrLoad('k', 60, async () => 'old');
    await elapse(50);
    const fresh = await cache.getOrLoad('k', 60, async () => 'new', { forceRefresh: true });
    t.same(fresh, { value: 'new', stored_at: '2026-01-01T00:00:00.050Z', source: 'loaded' });
    t.same(await cache.get('k'), { value: 'new', stored_at: '2026-01-01T00:00:00.050Z', expires_at: '2026-01-01T00:01:00.050Z' });
  });

  t.test(`${backend}: abort: the shared load stops only when every waiter has left`, async (t) => {
    const { cache } = await use(t);
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
    await settle();
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
    await settle();
    c3.abort(new Error('gone'));
    await t.rejects(p3, { message: 'gone' });
    t.equal(loadSignal?.aborted, true, 'last waiter left: the load is aborted');
    gate2.resolve('late');
    await tick();
    await t.rejects(cache.getOrLoad('k3', 60, async () => 'x', { signal: c3.signal }), { message: 'gone' }, 'an aborted signal is refused up front');
  });
}
