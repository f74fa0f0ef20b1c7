/**
 * HistoryStore contract suite: every backend (memory, SQLite, later PostgreSQL) must pass it.
 * Not a test file by itself (no `.test.ts`): backend test files call `historyStoreContract`.
 */
import type { Test } from 'tap';
import { scopeKey } from '../../src/store/snapshot.js';
import { auditScheduleContract } from './audit-contract.js';
import type { HistoryStore, SnapshotInput, SnapshotResourceState, SnapshotScope } from '../../src/store/types.js';

export interface BackendHarness {
  /** A fresh, empty store. */
  open(): Promise<HistoryStore>;
  /** Re-open the same storage after close (persistent backends only). */
  reopen?: () => Promise<HistoryStore>;
}

export const SCOPE_A: SnapshotScope = { account_ids: ['222222222222', '111111111111'], regions: ['us-east-1', 'eu-west-1'], resource_types: ['ec2:instance'], policy_hash: 'p1' };
export const SCOPE_B: SnapshotScope = { account_ids: ['111111111111'], regions: ['us-east-1'], resource_types: ['ec2:instance'], policy_hash: 'p1' };

export function snapshot(taken_at: string, scope: SnapshotScope, score: number, extra: Partial<SnapshotInput> = {}): SnapshotInput {
  return {
    taken_at,
    scope,
    compliance_score: score,
    total_resources: 10,
    compliant_resources: Math.round(score * 10),
    violation_count: 10 - Math.round(score * 10),
    error_count: 10 - Math.round(score * 10),
    warning_count: 1,
    cost_attribution_gap: 123.45,
    violations_by_tag: { CostCenter: 3, Owner: 1 },
    data_quality_status: 'complete',
    accounts: [
      { account_id: '222222222222', total_resources: 4, compliant_resources: 2, violation_count: 2, cost_attribution_gap: 100 },
      { account_id: '111111111111', total_resources: 6, compliant_resources: 5, violation_count: 1, cost_attribution_gap: 23.45 },
    ],
    resources: [],
    ...extra,
  };
}

const RESOURCES: SnapshotResourceState[] = [
  { arn: 'arn:aws:ec2:us-east-1:111111111111:instance/i-b', resource_type: 'ec2:instance', account_id: '111111111111', region: 'us-east-1', tags: { Owner: 'x', CostCenter: 'cc1' }, compliant: true },
  { arn: 'arn:aws:ec2:us-east-1:111111111111:instance/i-a', resource_type: 'ec2:instance', account_id: '111111111111', region: 'us-east-1', tags: { CostCenter: 'cc1', Owner: 'x' }, compliant: true },
  { arn: 'arn:aws:ec2:eu-west-1:222222222222:instance/i-c', resource_type: 'ec2:instance', account_id: '222222222222', region: 'eu-west-1', tags: {}, compliant: false },
  { arn: 'arn:aws:ec2:eu-west-1:222222222222:instance/i-d', resource_type: 'ec2:instance', account_id: '222222222222', region: 'eu-west-1', tags: { Name: '<script>"x"</script>', 'ünï': 'çødé' }, compliant: false },
];

export function historyStoreContract(t: Test, name: string, harness: BackendHarness): void {
  auditScheduleContract(t, name, harness);

  t.test(`${name}: save returns a normalised summary`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const s = await store.saveSnapshot(snapshot('2026-11-20T10:00:00Z', SCOPE_A, 0.5));
    t.type(s.id, 'string');
    t.equal(s.taken_at, '2026-11-20T10:00:00.000Z');
    t.equal(s.scope_key, scopeKey(SCOPE_A));
    t.same(s.scope.account_ids, ['111111111111', '222222222222']);
    t.same(s.scope.regions, ['eu-west-1', 'us-east-1']);
    t.same(s.accounts.map((a) => a.account_id), ['111111111111', '222222222222']);
    t.equal(s.compliance_score, 0.5);
    t.equal(s.cost_attribution_gap, 123.45);
    t.same(s.violations_by_tag, { CostCenter: 3, Owner: 1 });
    t.notOk('resources' in s, 'summary carries no per-resource state');
    const listed = await store.listSnapshots({ since: '2026-11-01T00:00:00Z' });
    t.same(listed, [s], 'listed summary equals the returned one');
  });

  t.test(`${name}: impossible figures are refused and nothing is stored`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    await t.rejects(store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 1.5)), { name: 'TypeError', message: /compliance_score/ });
    await t.rejects(store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5, { total_resources: -1 })), { message: /total_resources/ });
    await t.rejects(store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5, { compliant_resources: 11 })), { message: /cannot exceed/ });
    await t.rejects(store.saveSnapshot(snapshot('yesterday-ish', SCOPE_A, 0.5)), { message: /taken_at/ });
    t.same(await store.listSnapshots({ since: '2000-01-01T00:00:00Z' }), []);
  });

  t.test(`${name}: ordering and time window`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const late = await store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 0.7));
    const early = await store.saveSnapshot(snapshot('2026-11-19T00:00:00Z', SCOPE_A, 0.5));
    const sameTime = await store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 0.8));
    const all = await store.listSnapshots({ since: '2026-01-01T00:00:00Z' });
    t.same(all.map((s) => s.id), [early.id, late.id, sameTime.id], 'taken_at ascending, then insertion order');
    t.same((await store.listSnapshots({ since: '2026-11-20T00:00:00Z' })).map((s) => s.id), [late.id, sameTime.id]);
    t.same((await store.listSnapshots({ since: '2026-11-19T00:00:00Z', until: '2026-11-20T00:00:00Z' })).map((s) => s.id), [early.id], 'bounds inclusive');
    t.same(await store.listSnapshots({ since: '2026-11-22T00:00:00Z' }), []);
    await t.rejects(store.listSnapshots({ since: 'not a date' }), TypeError);
  });

  t.test(`${name}: filter by scope key and accounts`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5));
    const b = await store.saveSnapshot(snapshot('2026-11-20T01:00:00Z', SCOPE_B, 0.6));
    const since = '2026-11-01T00:00:00Z';
    t.same((await store.listSnapshots({ since, scope_key: scopeKey(SCOPE_B) })).map((s) => s.id), [b.id]);
    t.same((await store.listSnapshots({ since, account_ids: ['222222222222'] })).map((s) => s.id), [a.id]);
    t.same((await store.listSnapshots({ since, account_ids: ['111111111111'] })).map((s) => s.id), [a.id, b.id]);
    t.same((await store.listSnapshots({ since, account_ids: ['111111111111', '222222222222'] })).map((s) => s.id), [a.id]);
    t.same(await store.listSnapshots({ since, account_ids: ['333333333333'] }), []);
    t.same(await store.listSnapshots({ since, scope_key: 'nope' }), []);
  });

  t.test(`${name}: per-resource state round-trip`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const s1 = await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.5, { resources: RESOURCES }));
    const s2 = await store.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 0.5, { resources: RESOURCES.slice(2) }));
    const got = await store.snapshotResources(s1.id);
    t.same(got.map((r) => r.arn), [...RESOURCES].map((r) => r.arn).sort(), 'sorted by ARN');
    const d = got.find((r) => r.arn.endsWith('i-d'));
    t.same(d, RESOURCES[3], 'tags with hostile and unicode values survive');
    t.same(got.find((r) => r.arn.endsWith('i-c'))?.tags, {});
    t.equal(got.find((r) => r.arn.endsWith('i-a'))?.compliant, true);
    t.equal((await store.snapshotResources(s2.id)).length, 2);
    await t.rejects(store.snapshotResources('999999'), { name: 'NotFoundError' });
  });

  t.test(`${name}: prune removes only older snapshots`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    await store.saveSnapshot(snapshot('2026-08-01T00:00:00Z', SCOPE_A, 0.1, { resources: RESOURCES }));
    await store.saveSnapshot(snapshot('2026-08-02T00:00:00Z', SCOPE_B, 0.2));
    const kept = await store.saveSnapshot(snapshot('2026-11-01T00:00:00Z', SCOPE_A, 0.3, { resources: RESOURCES.slice(0, 1) }));
    t.equal(await store.prune('2026-10-01T00:00:00Z'), 2);
    t.equal(await store.prune('2026-10-01T00:00:00Z'), 0, 'idempotent');
    const left = await store.listSnapshots({ since: '2000-01-01T00:00:00Z' });
    t.same(left.map((s) => s.id), [kept.id]);
    t.same((await store.snapshotResources(kept.id)).map((r) => r.tags), [RESOURCES[0]?.tags], 'shared tag sets of kept snapshots survive');
    t.equal(await store.prune('2026-11-01T00:00:00Z'), 0, 'cutoff is exclusive');
  });

  t.test(`${name}: health and close`, async (t) => {
    const store = await harness.open();
    t.same(await store.health(), { ok: true });
    await store.close();
    await store.close();
    t.pass('close is idempotent');
  });

  if (harness.reopen) {
    const reopen = harness.reopen;
    t.test(`${name}: data survives close and reopen`, async (t) => {
      const store = await harness.open();
      const s = await store.saveSnapshot(snapshot('2026-11-20T00:00:00Z', SCOPE_A, 0.42, { resources: RESOURCES }));
      await store.close();
      const again = await reopen();
      t.teardown(() => again.close());
      t.same(await again.listSnapshots({ since: '2026-11-01T00:00:00Z' }), [s]);
      t.same((await again.snapshotResources(s.id)).length, 4);
      const next = await again.saveSnapshot(snapshot('2026-11-21T00:00:00Z', SCOPE_A, 0.5));
      t.not(next.id, s.id, 'ids are not reused');
    });
  }
}
