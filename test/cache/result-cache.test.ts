import t from 'tap';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { accountsKey, costKey, inventoryKey, inventoryPrefix, regionsKey } from '../../src/cache/keys.js';
import { cacheContract, CONTRACT_START } from './contract.js';

function clockAt(ms: number): { now: () => number; advance: (d: number) => void } {
  let t0 = ms;
  return { now: () => t0, advance: (d) => void (t0 += d) };
}

function setup(maxBytes = 1024 * 1024) {
  const clock = clockAt(CONTRACT_START);
  const store = createMemoryStore({ maxBytes, now: clock.now });
  const cache = createResultCache(store, { now: () => new Date(clock.now()) });
  return { clock, store, cache };
}

cacheContract(t, 'memory', async () => {
  const { clock, store, cache } = setup();
  return {
    cache,
    store,
    elapse: async (ms) => clock.advance(ms),
    close: () => cache.close(),
  };
});

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

t.test('memory: expiry is exact to the millisecond', async (t) => {
  const { cache, clock } = setup();
  await cache.set('k', 'v', 10);
  clock.advance(9_999);
  t.equal((await cache.get<string>('k'))?.value, 'v');
  clock.advance(1);
  t.equal(await cache.get('k'), undefined);
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
