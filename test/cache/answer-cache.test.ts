/**
 * The finished-answer cache: unit behaviour (stamps, expiry, refusals) and, through the real app
 * over the simulator, that a cached answer is served only while everything it was built from is
 * unchanged: new inventory, a policy change and another principal's scope each get a new answer.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createAnswerCache, answerJson } from '../../src/cache/answer-cache.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createReadLog, withReadLog } from '../../src/cache/read-log.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import type { TaggingPolicyDocument } from '../../src/policy/types.js';
import { DEMO_ACCOUNTS, startDemo } from '../e2e/harness.js';
import { isolateNetwork } from '../helpers/network.js';

isolateNetwork();

function setup(clock = { ms: Date.parse('2026-01-01T00:00:00Z') }) {
  const store = createMemoryStore({ maxBytes: 1 << 20, now: () => clock.ms });
  const results = createResultCache(store, { now: () => new Date(clock.ms) });
  const stamps = results.stamps;
  if (stamps === undefined) throw new Error('memory store must report stamps');
  const answers = createAnswerCache({ maxBytes: 1 << 20, stamps, now: () => clock.ms });
  /** Build an answer the way the runner does: reads logged, then stored. */
  async function build(key: string, read: () => Promise<object>): Promise<{ value: object; stored: boolean; reason: string | null }> {
    const log = createReadLog();
    const value = await withReadLog(log, read);
    return { value, stored: answers.set(key, value, log), reason: log.reason };
  }
  return { clock, results, answers, build };
}

t.test('an answer is served while its sources hold the same stamps', async (t) => {
  const { results, answers, build } = setup();
  let loads = 0;
  const read = async () => ({ cells: (await results.getOrLoad('v1:inv:a', 60, async () => ++loads)).value });
  const first = await build('k', read);
  t.ok(first.stored, 'stored');
  t.same(await answers.get('k'), { cells: 1 });
  t.equal(await answers.get('k'), first.value, 'the same (frozen) object');
  t.ok(Object.isFrozen(first.value), 'frozen: callers cannot change what others get');
  t.equal(answerJson(first.value), '{"cells":1}', 'its JSON text is kept beside it');
  t.equal(await answers.get('other'), undefined, 'another key: miss');

  await results.getOrLoad('v1:inv:a', 60, async () => ++loads, { forceRefresh: true });
  t.equal(await answers.get('k'), undefined, 'a source rewritten (new stamp): stale');
  t.equal(answers.counters().stale, 1);
  const second = await build('k', read);
  t.same(second.value, { cells: 2 }, 'rebuilt from the new value');
  await results.delete('v1:inv:a');
  t.equal(await answers.get('k'), undefined, 'a source deleted (invalidated): stale');
});

t.test('an answer expires with the earliest entry it read', async (t) => {
  const { clock, results, answers, build } = setup();
  await build('k', async () => {
    await results.getOrLoad('long', 600, async () => 1);
    await results.getOrLoad('short', 30, async () => 2);
    return { ok: true };
  });
  clock.ms += 29_000;
  t.ok(await answers.get('k'), 'before the shortest expiry');
  clock.ms += 2_000;
  t.equal(await answers.get('k'), undefined, 'after it');
});

t.test('absent keys: an answer that saw a key missing is stale once it appears', async (t) => {
  const { results, answers, build } = setup();
  await build('k', async () => ({ hit: (await results.get('v1:ce:x')) !== undefined }));
  t.ok(await answers.get('k'));
  await results.set('v1:ce:x', { lines: [] }, 60);
  t.equal(await answers.get('k'), undefined);
});

t.test('answers built on a failed or uncached load are not kept', async (t) => {
  const { results, answers, build } = setup();
  const failed = await build('f', async () => {
    await results.getOrLoad('v1:inv:bad', 60, async () => {
      throw new Error('AccessDenied');
    }).catch(() => undefined);
    return { partial: true };
  });
  t.notOk(failed.stored, 'a failed load: the next call must try again');
  t.match(failed.reason, /load failed/);
  t.equal(await answers.get('f'), undefined);
  const uncached = await build('u', async () => ({ v: (await results.getOrLoad('v1:inv:ttl0', 0, async () => 1)).value }));
  t.notOk(uncached.stored, 'TTL 0: nothing to validate against');
  t.equal(answers.counters().refused, 2);
});

t.test('the byte bound evicts the least recently used answers', async (t) => {
  const clock = { ms: 0 };
  const store = createMemoryStore({ maxBytes: 1 << 20, now: () => clock.ms });
  const results = createResultCache(store);
  const answers = createAnswerCache({ maxBytes: 4096, stamps: results.stamps ?? (async (k) => k.map(() => null)), now: () => clock.ms });
  for (let i = 0; i < 20; i++) answers.set(`k${i}`, { pad: 'x'.repeat(300), i }, createReadLog());
  t.ok(answers.usage().bytes <= 4096, `bytes ${answers.usage().bytes} within the bound`);
  t.ok(answers.usage().entries < 20, 'older answers evicted');
  t.ok(await answers.get('k19'), 'the newest is kept');
});

const TOOL = '/tools/check_tag_compliance';

t.test('app: cached answers, new inventory, policy change, principal isolation', async (t) => {
  const demo = await startDemo({
    auth: {
      mode: 'api_key',
      api_keys: [
        { id: 'ops', key: 'ops-key-0123456789abcdef' },
        { id: 'prod', key: 'prod-key-0123456789abcdef' },
      ],
      key_accounts: { prod: [DEMO_ACCOUNTS.production] },
    },
  });
  t.teardown(() => demo.close());
  const { app, sim } = demo;
  const ops = { authorization: 'Bearer ops-key-0123456789abcdef' };
  const prod = { authorization: 'Bearer prod-key-0123456789abcdef' };
  const call = async (headers: Record<string, string>, payload: object) => {
    const res = await app.inject({ method: 'POST', url: TOOL, headers, payload });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return { body: res.body, json: JSON.parse(res.body) as { total_resources: number; compliant_resources: number; account_breakdown?: Record<string, unknown>; violations: { resource_arn: string }[] } };
  };
  const reads = () => {
    const c = app.resultCache.counters?.();
    return c === undefined ? 0 : c.hits + c.misses + c.joined;
  };

  // Healthy accounts only: an answer with a failed account is never kept (tested below).
  const healthy = ['production', 'staging', 'development'];
  const first = await call(ops, { account_ids: healthy });
  const before = reads();
  const again = await call(ops, { account_ids: healthy });
  t.equal(again.body, first.body, 'same answer');
  t.equal(reads(), before, 'answered without reading the inventory again (finished-answer cache)');
  const reordered = await call(ops, { limit: 50, account_ids: ['production', 'staging', 'development'], severity: 'all' });
  t.equal(reordered.body, first.body, 'equal arguments (defaults, key order) share the answer');
  t.equal(reads(), before);

  // Principal isolation: the same arguments under two account scopes never share an answer.
  const limited = await call(prod, { account_ids: ['all'] });
  t.same(Object.keys(limited.json.account_breakdown ?? {}), [DEMO_ACCOUNTS.production], 'the restricted key sees only its account');
  const limitedReads = reads();
  const limitedAgain = await call(prod, { account_ids: ['all'] });
  t.equal(limitedAgain.body, limited.body);
  t.equal(reads(), limitedReads, 'its answer is cached');
  const wide = await call(ops, { account_ids: ['all'] });
  t.ok(Object.keys(wide.json.account_breakdown ?? {}).length > 1, 'the unrestricted key never gets the restricted answer');
  t.ok(reads() > limitedReads, 'it was computed for its own scope');
  // ... and an answer with a failed account (the demo's legacy account has no role) is not kept.
  const wideReads = reads();
  await call(ops, { account_ids: ['all'] });
  t.ok(reads() > wideReads, 'partial data: computed again, so the failed account is retried');

  // New inventory: tags fixed in AWS, read with force_refresh; later plain calls see it.
  const target = first.json.violations.find((v) => v.resource_arn.includes(':instance/'))?.resource_arn;
  t.ok(target, 'a violation to fix');
  sim.updateFixture((f) => {
    for (const account of f.accounts) account.resources = account.resources.filter((r) => !(target ?? '').endsWith(r.id));
  });
  const refreshed = await call(ops, { account_ids: healthy, force_refresh: true });
  t.not(refreshed.body, first.body, 'force_refresh reads AWS again');
  const plain = await call(ops, { account_ids: healthy });
  const diff = Object.keys(refreshed.json).filter((k) => JSON.stringify((refreshed.json as Record<string, unknown>)[k]) !== JSON.stringify((plain.json as Record<string, unknown>)[k]));
  t.same(diff, [], 'the next plain call answers from the new inventory, not the old answer');

  // Invalidation through the inventory service retires the answer too.
  const afterRefresh = reads();
  await app.inject({ method: 'POST', url: TOOL, headers: ops, payload: { account_ids: healthy } });
  t.equal(reads(), afterRefresh, 'cached again');
  await app.inventory.invalidate();
  const reread = await call(ops, { account_ids: healthy });
  t.ok(reads() > afterRefresh, 'after an invalidation the inventory is read again');
  t.same(reread.json.violations, plain.json.violations, 'and gives the same verdicts (AWS did not change)');
  t.not(JSON.parse(reread.body).scan_timestamp, JSON.parse(plain.body).scan_timestamp, 'with the new scan time: the answer says how old its data is');

  // Policy change: same arguments, new policy hash, new answer.
  const doc = JSON.parse(readFileSync(demo.config.policy_path, 'utf8')) as TaggingPolicyDocument;
  const relaxed = { ...doc, required_tags: doc.required_tags.slice(0, 1) };
  await app.policyStore.reload(relaxed);
  const underNewPolicy = await call(ops, { account_ids: healthy });
  t.not(underNewPolicy.body, plain.body, 'a policy change gives a new answer');
  t.ok(underNewPolicy.json.compliant_resources >= plain.json.compliant_resources, 'fewer required tags: at least as compliant');
  await app.policyStore.reload(doc);
  const back = await call(ops, { account_ids: healthy });
  t.same(JSON.parse(back.body).violations, JSON.parse(plain.body).violations, 'the old policy again: the same verdicts');
});

t.test('app: store_snapshot answers are never cached', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const { app } = demo;
  const a = await app.inject({ method: 'POST', url: TOOL, payload: { store_snapshot: true } });
  const b = await app.inject({ method: 'POST', url: TOOL, payload: { store_snapshot: true } });
  const idA = (JSON.parse(a.body) as { snapshot_id: string | null }).snapshot_id;
  const idB = (JSON.parse(b.body) as { snapshot_id: string | null }).snapshot_id;
  t.ok(idA !== null && idB !== null && idA !== idB, 'each store_snapshot call saves its own snapshot');
  const plain = await app.inject({ method: 'POST', url: TOOL, payload: {} });
  t.equal((JSON.parse(plain.body) as { snapshot_id: string | null }).snapshot_id, null, 'a plain call never gets a snapshot id');
});
