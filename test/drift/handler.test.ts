/**
 * detect_tag_drift's handler on a hand-built context (fake inventory, the real in-memory history
 * store, a moving clock): caller allow-lists, cells and accounts that could not be read, the
 * single-account mode and a policy change between snapshots.
 */
import t, { type Test } from 'tap';
import type { CellFailure, ResourceRecord } from '../../src/core/types.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { createMemoryHistoryStore } from '../../src/store/memory.js';
import type { HistoryStore } from '../../src/store/types.js';
import { detectTagDrift } from '../../src/tools/detect-tag-drift.js';
import type { AnyTool, ToolContext } from '../../src/tools/types.js';
import { A, B, basePolicyDocument, fakeInventory, fixtureResources, makeContext, NOW, schemaErrors } from '../tools/helpers.js';

const DAY = 86_400_000;
const tool = detectTagDrift as AnyTool;

interface Out {
  baseline_found: boolean;
  baseline: { snapshot_id: string; policy_matches_current: boolean } | null;
  current: { source: string; snapshot_id: string };
  compared_scope: { account_ids: string[] };
  summary: { resources_unreadable_now: number; resources_deleted: number; resources_created: number; resources_compared: number };
  changes: { change: string; resource_arn: string; severity: string; changed: unknown[] }[];
  data_quality: { status: string };
  note: string;
}

interface World {
  resources: ResourceRecord[];
  history: HistoryStore;
  advance(ms: number): void;
  ctx(over?: { allowed_accounts?: string[] | null; failAccounts?: string[]; cellFailures?: CellFailure[]; policyDoc?: ReturnType<typeof basePolicyDocument> }): ToolContext;
}

function world(): World {
  const resources = fixtureResources();
  const history = createMemoryHistoryStore();
  let clock = NOW.getTime();
  return {
    resources,
    history,
    advance(ms) {
      clock += ms;
    },
    ctx(over = {}) {
      const inventory = fakeInventory({ resources, failAccounts: over.failAccounts ?? [], ...(over.cellFailures === undefined ? {} : { cellFailures: over.cellFailures }) });
      const base = makeContext({ inventory, allowed_accounts: over.allowed_accounts ?? null, ...(over.policyDoc === undefined ? {} : { policy: compilePolicy(over.policyDoc) }) });
      return { ...base, history, now: () => new Date(clock) };
    },
  };
}

async function call(t: Test, ctx: ToolContext, input: Record<string, unknown>): Promise<Out> {
  const out = await tool.handler(ctx, input);
  t.same(schemaErrors(tool.outputSchema, out), [], 'output matches the schema');
  return out as Out;
}

const res = (w: World, id: string): ResourceRecord => {
  const r = w.resources.find((x) => x.id === id);
  if (r === undefined) throw new Error(id);
  return r;
};

t.test('snapshots covering accounts the caller may not access are not used', async (t) => {
  const w = world();
  await call(t, w.ctx(), { account_ids: [A, B] });
  w.advance(7 * DAY);
  const restricted = await call(t, w.ctx({ allowed_accounts: [A] }), { account_ids: [A] });
  t.equal(restricted.baseline_found, false, 'the [A, B] snapshot is not visible to a caller limited to A');
  t.match(restricted.note, /Snapshots covering accounts you may not access are not used/);
  const full = await call(t, w.ctx(), { account_ids: [A] });
  t.equal(full.baseline_found, true, 'an unrestricted caller uses it');
});

t.test('a cell that cannot be read now hides nothing as deleted', async (t) => {
  const w = world();
  await call(t, w.ctx(), { account_ids: [A] });
  w.advance(7 * DAY);
  // i-a3 (eu-west-1) vanishes from the listing because its cell failed.
  const kept = w.resources.splice(w.resources.findIndex((r) => r.id === 'i-a3'), 1);
  const failure: CellFailure = { account_id: A, region: 'eu-west-1', resource_type: 'ec2:instance', error_code: 'Throttling', message: 'Rate exceeded' };
  const out = await call(t, w.ctx({ cellFailures: [failure] }), { account_ids: [A], refresh: true });
  t.same(out.changes, [], 'i-a3 is not reported as deleted');
  t.equal(out.summary.resources_unreadable_now, 1);
  t.match(out.note, /1 baseline resource\(s\) are in cells that could not be read now/);
  t.equal(out.data_quality.status, 'partial');

  // The same resource really gone (its cell read fine): deleted.
  w.advance(2 * 3_600_000);
  const gone = await call(t, w.ctx(), { account_ids: [A], refresh: true, lookback_days: 7 });
  t.same(gone.changes.map((c) => [c.change, c.resource_arn]), [['deleted', kept[0]?.arn]]);
});

t.test('an account that failed in the baseline is not compared (its resources are not "created")', async (t) => {
  const w = world();
  await call(t, w.ctx({ failAccounts: [B] }), { account_ids: [A, B] });
  w.advance(7 * DAY);
  const out = await call(t, w.ctx(), { account_ids: [A, B], refresh: true });
  t.equal(out.baseline_found, true);
  t.same(out.compared_scope.account_ids, [A]);
  t.equal(out.summary.resources_created, 0);
  t.match(out.note, new RegExp(`account\\(s\\) ${B} \\(could not be read in the baseline or now\\)`));
});

t.test('single-account mode (no account_ids): the server\'s own account', async (t) => {
  const w = world();
  const first = await call(t, w.ctx(), {});
  t.equal(first.baseline_found, false);
  t.same(first.compared_scope.account_ids, [A]);
  w.advance(3 * DAY);
  res(w, 'i-a2').tags['Environment'] = 'staging';
  const out = await call(t, w.ctx(), { refresh: true, lookback_days: 3 });
  t.equal(out.baseline?.snapshot_id, first.current.snapshot_id);
  t.same(out.changes.map((c) => [c.resource_arn.split('/')[1], c.changed]), [['i-a2', [{ key: 'Environment', old_value: 'production', new_value: 'staging' }]]]);
});

t.test('a policy change between snapshots: severities use the current policy, and the note says so', async (t) => {
  const w = world();
  await call(t, w.ctx(), { account_ids: [A] });
  w.advance(DAY);
  const doc = basePolicyDocument();
  doc.version = `${doc.version}-changed`;
  const out = await call(t, w.ctx({ policyDoc: doc }), { account_ids: [A], lookback_days: 1, refresh: true });
  t.equal(out.baseline?.policy_matches_current, false);
  t.match(out.note, /tagging policy changed/);
});

t.test('a vanished resource of a Tagging-API type is reported deleted with a caveat', async (t) => {
  const w = world();
  const fn: ResourceRecord = {
    arn: `arn:aws:lambda:us-east-1:${A}:function:fn-1`, id: 'fn-1', name: 'fn-1', type: 'lambda:function', account_id: A, region: 'us-east-1',
    tags: { Owner: 'ann.lee@example.com', Environment: 'production' }, created_at: null, attributes: {},
  };
  w.resources.push(fn);
  await call(t, w.ctx(), { account_ids: [A] });
  w.advance(7 * DAY);
  w.resources.pop();
  const out = await call(t, w.ctx(), { account_ids: [A], refresh: true });
  t.same(out.changes.map((c) => [c.change, c.resource_arn]), [['deleted', fn.arn]]);
  t.match(out.note, /lambda:function are listed through the Resource Groups Tagging API/);
  // A direct-lister type gets no such caveat.
  const w2 = world();
  await call(t, w2.ctx(), { account_ids: [A] });
  w2.advance(7 * DAY);
  w2.resources.splice(w2.resources.findIndex((r) => r.id === 'i-a2'), 1);
  const out2 = await call(t, w2.ctx(), { account_ids: [A], refresh: true });
  t.equal(out2.summary.resources_deleted, 1);
  t.notMatch(out2.note, /Tagging API/);
});
