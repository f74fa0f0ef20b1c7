import t from 'tap';
import { createMemoryHistoryStore } from '../../src/store/memory.js';
import { scopeKey } from '../../src/store/snapshot.js';
import type { HistoryStore, SnapshotInput, SnapshotScope } from '../../src/store/types.js';
import { checkTagCompliance } from '../../src/tools/check-tag-compliance.js';
import { getViolationHistory, type GetViolationHistoryOutput } from '../../src/tools/get-violation-history.js';
import { A, B, makeContext, NOW, schemaErrors } from './helpers.js';

const SCOPE_AB: SnapshotScope = { account_ids: [A, B], regions: ['us-east-1'], resource_types: ['ec2:instance'], policy_hash: 'p' };
const SCOPE_A: SnapshotScope = { account_ids: [A], regions: ['us-east-1'], resource_types: ['ec2:instance'], policy_hash: 'p' };

function snap(taken_at: string, scope: SnapshotScope, score: number, partial = false): SnapshotInput {
  return {
    taken_at, scope, compliance_score: score, total_resources: 10, compliant_resources: Math.round(score * 10), violation_count: 10 - Math.round(score * 10),
    error_count: 0, warning_count: 0, cost_attribution_gap: 12.5, violations_by_tag: {}, data_quality_status: partial ? 'partial' : 'complete', accounts: [], resources: [],
  };
}

function ctxWith(store: HistoryStore, allowed: string[] | null = null) {
  return { ...makeContext({ allowed_accounts: allowed }), history: store };
}

async function call(ctx: ReturnType<typeof ctxWith>, input: Record<string, unknown>): Promise<GetViolationHistoryOutput> {
  t.same(schemaErrors(getViolationHistory.inputSchema, input), [], 'input valid');
  const out = await getViolationHistory.handler(ctx, input);
  t.same(schemaErrors(getViolationHistory.outputSchema, out), [], 'output matches its schema');
  return out as GetViolationHistoryOutput;
}

t.test('definition', async (t) => {
  for (const ex of getViolationHistory.examples) t.same(schemaErrors(getViolationHistory.inputSchema, ex), [], JSON.stringify(ex));
  t.equal(getViolationHistory.scans, false);
  t.equal(getViolationHistory.annotations.readOnlyHint, true);
  t.not(schemaErrors(getViolationHistory.inputSchema, { days_back: 91 }).length, 0);
  t.not(schemaErrors(getViolationHistory.inputSchema, { days_back: 0 }).length, 0);
  t.not(schemaErrors(getViolationHistory.inputSchema, { group_by: 'year' }).length, 0);
});

t.test('no snapshot: says how to create one', async (t) => {
  const out = await call(ctxWith(createMemoryHistoryStore()), {});
  t.same(out.series, []);
  t.equal(out.snapshot_count, 0);
  t.equal(out.multiple_scopes, false);
  t.equal(out.since, '2026-10-23T12:00:00.000Z');
  t.equal(out.until, NOW.toISOString());
  t.equal(out.note, 'No compliance snapshot was stored in the last 30 day(s). Snapshots are created by check_tag_compliance with store_snapshot: true; run it now (and regularly, e.g. daily) to build a history, then ask again.');
});

t.test('one scope, daily buckets, hand-computed trend; old snapshots outside the window', async (t) => {
  const store = createMemoryHistoryStore();
  await store.saveSnapshot(snap('2026-10-01T00:00:00Z', SCOPE_AB, 0.1));
  await store.saveSnapshot(snap('2026-11-19T09:00:00Z', SCOPE_AB, 0.5));
  await store.saveSnapshot(snap('2026-11-19T18:00:00Z', SCOPE_AB, 0.7, true));
  await store.saveSnapshot(snap('2026-11-21T09:00:00Z', SCOPE_AB, 0.8));
  const out = await call(ctxWith(store), {});
  t.equal(out.series.length, 1);
  const s = out.series[0];
  t.equal(s?.scope_key, scopeKey(SCOPE_AB));
  t.same(s?.scope, SCOPE_AB);
  t.same(s?.buckets.map((b) => [b.period, b.snapshot_count, b.average_score]), [['2026-11-19', 2, 0.6], ['2026-11-21', 1, 0.8]]);
  t.equal(s?.trend, 'improving');
  t.equal(s?.change, 0.2);
  t.equal(s?.partial_snapshot_count, 1);
  t.same(s?.latest, { compliance_score: 0.8, total_resources: 10, compliant_resources: 8, violation_count: 2, cost_attribution_gap: 12.5, data_quality_status: 'complete' });
  t.equal(out.snapshot_count, 3);
  t.equal(out.note, '3 snapshot(s) of the most recent scope (2 account(s), 1 region(s), 1 type(s)) in 2 day bucket(s): improving (+20.0 points), latest score 80.0%. 1 snapshot(s) were taken with partial data (some cells unreadable); their scores are lower-confidence.');

  const weekly = await call(ctxWith(store), { group_by: 'week', days_back: 90 });
  t.same(weekly.series[0]?.buckets.map((b) => [b.period, b.average_score]), [['2026-W40', 0.1], ['2026-W47', 0.6667]], '(0.5 + 0.7 + 0.8) / 3');
  t.equal(weekly.series[0]?.change, 0.5667);
  const single = await call(ctxWith(store), { group_by: 'month' });
  t.equal(single.series[0]?.trend, 'stable');
  t.match(single.note, 'A trend needs snapshots in at least two buckets');
});

t.test('several scopes: one series each, most recent first, never mixed', async (t) => {
  const store = createMemoryHistoryStore();
  await store.saveSnapshot(snap('2026-11-18T00:00:00Z', SCOPE_AB, 0.9));
  await store.saveSnapshot(snap('2026-11-20T00:00:00Z', SCOPE_AB, 0.5));
  await store.saveSnapshot(snap('2026-11-19T00:00:00Z', SCOPE_A, 0.2));
  await store.saveSnapshot(snap('2026-11-22T00:00:00Z', SCOPE_A, 0.3));
  const out = await call(ctxWith(store), {});
  t.equal(out.multiple_scopes, true);
  t.same(out.series.map((s) => [s.scope_key, s.trend, s.change]), [
    [scopeKey(SCOPE_A), 'improving', 0.1],
    [scopeKey(SCOPE_AB), 'declining', -0.4],
  ]);
  t.match(out.note, 'Snapshots of 2 different scopes exist in this window; each scope is its own series (trends are never mixed across scopes).');

  const staging = await call(ctxWith(store), { account_ids: ['staging'] });
  t.same(staging.series.map((s) => s.scope_key), [scopeKey(SCOPE_AB)], 'alias resolved to B; only scopes containing B');
  t.equal(staging.multiple_scopes, false);
  const byId = await call(ctxWith(store), { account_ids: [A] });
  t.equal(byId.series.length, 2);

  const restricted = await call(ctxWith(store, [A]), {});
  t.same(restricted.series.map((s) => s.scope_key), [scopeKey(SCOPE_A)], 'scopes with accounts the caller may not see are hidden');
  t.match(restricted.note, 'Snapshots covering accounts you may not access are not shown.');

  const none = await call(ctxWith(store), { account_ids: ['444444444444'] });
  t.match(none.note, 'No compliance snapshot covering account(s) 444444444444 was stored in the last 30 day(s).');
});

t.test('with check_tag_compliance store_snapshot: the stored run shows up', async (t) => {
  const store = createMemoryHistoryStore();
  const ctx = ctxWith(store);
  const checked = (await checkTagCompliance.handler(ctx, { store_snapshot: true })) as { snapshot_id: string | null; compliance_score: number };
  t.type(checked.snapshot_id, 'string');
  const out = await call(ctx, { days_back: 1 });
  t.equal(out.series.length, 1);
  t.equal(out.series[0]?.latest.compliance_score, checked.compliance_score);
  t.equal(out.series[0]?.latest.compliance_score, 0.4);
  t.same(out.series[0]?.scope.account_ids, [A]);
  t.same(out.series[0]?.buckets.map((b) => b.period), ['2026-11-22']);
});
