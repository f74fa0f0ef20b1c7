import t from 'tap';
import { record } from './fake-gateway.js';
import { harness } from './helpers.js';
import { A, account, B, LOCAL, TYPES } from './fixtures.js';
import type { InventoryRequest } from '../../src/scan/types.js';

function req(account_ids: string[] | null, extra: Partial<InventoryRequest> = {}): InventoryRequest {
  return { account_ids, regions: null, resource_types: TYPES, force_refresh: false, signal: new AbortController().signal, ...extra };
}

const ids = (xs: { id: string }[]): string[] => xs.map((x) => x.id).sort();

t.test('cache isolation: [A, B] then [A] reuses A; B changes never leak into A', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  const first = await h.inventory.collect(req([A, B]));
  t.equal(first.cells_scanned, 6);
  const aFirst = ids(first.resources.filter((r) => r.account_id === A));

  const second = await h.inventory.collect(req([A]));
  t.equal(second.cells_from_cache, 3);
  t.equal(second.cells_scanned, 0);
  t.equal(h.gateway.listCallsOf(A), 3, 'A was not read again');
  t.same(ids(second.resources), aFirst);
  t.same([...new Set(second.resources.map((r) => r.account_id))], [A]);
  t.equal(second.scanned_at, first.scanned_at, 'scanned_at is the time the cached parts were read');

  // A new untagged resource appears in B only.
  h.gateway.options.accounts[B]?.cells['us-east-1|ec2:instance']?.push(record(B, 'us-east-1', 'ec2:instance', 'i-new'));
  const aAgain = await h.inventory.collect(req([A]));
  t.same(ids(aAgain.resources), aFirst, 'A unchanged');
  const bFresh = await h.inventory.collect(req([B], { force_refresh: true }));
  t.equal(bFresh.resources.filter((r) => r.id === 'i-new').length, 1, 'B shows its new resource');
  const aAfter = await h.inventory.collect(req([A]));
  t.same(ids(aAfter.resources), aFirst, 'A cache not polluted by B');
  t.equal(aAfter.resources.some((r) => r.id === 'i-new'), false);
  t.equal(h.gateway.listCallsOf(A), 3);
});

t.test('a record claiming another account is refused and never cached', async (t) => {
  const bad = account(A);
  bad.cells['us-east-1|ec2:instance'] = [record(A, 'us-east-1', 'ec2:instance', 'i-ok'), record(B, 'us-east-1', 'ec2:instance', 'i-foreign')];
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: bad, [B]: account(B) } });
  const inv = await h.inventory.collect(req([A]));
  t.same(inv.data_quality.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code]), [[A, 'us-east-1', 'ec2:instance', 'InconsistentData']]);
  t.equal(inv.resources.some((r) => r.account_id !== A), false);
  t.equal(await h.cache.get(`v1:inv:${A}:us-east-1:ec2:instance`), undefined);
});

t.test('force_refresh reads every cell again and replaces the cache', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  await h.inventory.collect(req([A]));
  h.gateway.options.accounts[A]?.cells['eu-west-1|ec2:instance']?.push(record(A, 'eu-west-1', 'ec2:instance', 'i-late'));
  const cached = await h.inventory.collect(req([A]));
  t.equal(cached.resources.some((r) => r.id === 'i-late'), false, 'cache serves the old inventory');
  const forced = await h.inventory.collect(req([A], { force_refresh: true }));
  t.equal(forced.cells_scanned, 3);
  t.equal(forced.cells_from_cache, 0);
  t.equal(h.gateway.listCallsOf(A), 6);
  t.equal(h.gateway.regionCalls.filter((x) => x === A).length, 2, 'regions are read again too');
  t.equal(forced.resources.some((r) => r.id === 'i-late'), true);
  const after = await h.inventory.collect(req([A]));
  t.equal(after.resources.some((r) => r.id === 'i-late'), true, 'the refreshed entry replaced the old one');
  t.equal(after.cells_from_cache, 3);
});

t.test('single flight: two identical concurrent collects make one listCell per cell', async (t) => {
  const h = harness({ local: LOCAL, delay_ms: 20, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  const [x, y] = await Promise.all([h.inventory.collect(req([A, B])), h.inventory.collect(req([A, B]))]);
  for (const [key, n] of h.gateway.listCalls) t.equal(n, 1, key);
  t.equal(h.gateway.listCalls.size, 6);
  t.equal(x.resources.length, 10);
  t.same(ids(x.resources), ids(y.resources));
  t.equal(x.cells_scanned + x.cells_from_cache, 6);
  t.equal(y.cells_scanned + y.cells_from_cache, 6);
});

t.test('one caller leaving a shared cell load does not break the other', async (t) => {
  const h = harness({ local: LOCAL, delay_ms: 30, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  const leaver = new AbortController();
  const p1 = h.inventory.collect(req([A], { signal: leaver.signal }));
  const p2 = h.inventory.collect(req([A]));
  while (h.gateway.listCalls.size < 3) await new Promise((r) => setImmediate(r));
  leaver.abort();
  await t.rejects(p1, { name: 'CancelledError' });
  const inv = await p2;
  t.equal(inv.data_quality.status, 'complete');
  t.equal(inv.resources.length, 5);
  t.equal(h.gateway.listCallsOf(A), 3);
  t.same(h.gateway.aborted, [], 'the shared loads were not aborted');
});

t.test('invalidate drops one account\'s inventory only', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  await h.inventory.collect(req([A, B]));
  await h.inventory.invalidate(A);
  const inv = await h.inventory.collect(req([A, B]));
  t.equal(h.gateway.listCallsOf(A), 6);
  t.equal(h.gateway.listCallsOf(B), 3);
  t.equal(inv.cells_from_cache, 3);
  await h.inventory.invalidate();
  await h.inventory.collect(req([A, B]));
  t.equal(h.gateway.listCallsOf(B), 6);
  t.equal(h.gateway.regionCalls.length, 5, 'regions: 2 first, 1 after invalidating A, 2 after invalidating all');
});
