/** Snapshot selection (pure): coverage, nearest baseline, current side, compared scope. */
import t from 'tap';
import { chooseBaseline, chooseCurrent, comparedScope, coverage, readAccounts, type DriftScopeRequest, type SnapshotMeta } from '../../src/drift/index.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const at = (days: number): string => new Date(T0 + days * DAY).toISOString();

function snap(id: string, days: number, over: { accounts?: string[]; read?: string[]; regions?: string[]; types?: string[]; status?: 'complete' | 'partial' } = {}): SnapshotMeta {
  const accounts = over.accounts ?? ['1', '2'];
  return {
    id,
    taken_at: at(days),
    scope: { account_ids: accounts, regions: over.regions ?? ['eu-west-1', 'us-east-1'], resource_types: over.types ?? ['ec2:instance', 's3:bucket'], policy_hash: 'h' },
    accounts: (over.read ?? accounts).map((account_id) => ({ account_id, total_resources: 1, compliant_resources: 1, violation_count: 0, cost_attribution_gap: 0 })),
    data_quality_status: over.status ?? 'complete',
  };
}

const req = (over: Partial<DriftScopeRequest> = {}): DriftScopeRequest => ({ account_ids: ['1'], regions: null, resource_types: ['ec2:instance'], ...over });

t.test('coverage: full, partial, none', async (t) => {
  t.equal(coverage(snap('a', 0), req()), 'full');
  t.equal(coverage(snap('a', 0), req({ regions: ['us-east-1'] })), 'full');
  t.equal(coverage(snap('a', 0, { regions: ['us-east-1'] }), req({ regions: ['us-east-1', 'eu-west-1'] })), 'partial');
  t.equal(coverage(snap('a', 0), req({ account_ids: ['1', '3'] })), 'partial');
  t.equal(coverage(snap('a', 0), req({ resource_types: ['ec2:instance', 'rds:db'] })), 'partial');
  t.equal(coverage(snap('a', 0), req({ account_ids: ['3'] })), 'none');
  t.equal(coverage(snap('a', 0), req({ resource_types: ['rds:db'] })), 'none');
  t.equal(coverage(snap('a', 0, { regions: ['eu-west-1'] }), req({ regions: ['us-east-1'] })), 'none');
});

t.test('readAccounts: scope accounts that have per-account aggregates (failed accounts have none)', async (t) => {
  t.same(readAccounts(snap('a', 0, { accounts: ['1', '2', '3'], read: ['2', '1'] })), ['1', '2']);
});

t.test('chooseBaseline: nearest to the target, strictly before the current side, full coverage first, ties to the older', async (t) => {
  const snaps = [snap('d0', 0), snap('d3', 3), snap('d6', 6), snap('d10', 10)];
  const pick = (targetDays: number, before = at(10), exclude: string | null = 'd10'): string | undefined =>
    chooseBaseline(snaps, { targetMs: T0 + targetDays * DAY, before, excludeId: exclude, request: req() })?.snapshot.id;
  t.equal(pick(3), 'd3');
  t.equal(pick(1), 'd0');
  t.equal(pick(2), 'd3');
  t.equal(pick(1.5), 'd0', 'equally near: the older one');
  t.equal(pick(9), 'd6', 'never the current snapshot itself');
  t.equal(pick(-5), 'd0');
  t.equal(pick(3, at(3)), 'd0', 'only snapshots taken before the current side');
  t.equal(chooseBaseline([snap('x', 0, { accounts: ['3'] })], { targetMs: T0, before: at(10), request: req() }), null, 'no covering snapshot');

  const mixed = [snap('partial-near', 3, { accounts: ['1'] }), snap('full-far', 0)];
  const full = chooseBaseline(mixed, { targetMs: T0 + 3 * DAY, before: at(10), request: req({ account_ids: ['1', '2'] }) });
  t.same([full?.snapshot.id, full?.coverage], ['full-far', 'full'], 'a full cover beats a nearer partial one');
  const partial = chooseBaseline([mixed[0] as SnapshotMeta], { targetMs: T0, before: at(10), request: req({ account_ids: ['1', '2'] }) });
  t.same([partial?.snapshot.id, partial?.coverage], ['partial-near', 'partial']);
});

t.test('chooseCurrent: newest complete full cover in the window', async (t) => {
  const snaps = [snap('old', 0), snap('recent', 9.99), snap('partial', 9.995, { status: 'partial' }), snap('other-scope', 9.998, { accounts: ['2'] })];
  t.equal(chooseCurrent(snaps, { notBefore: at(9.9), notAfter: at(10), request: req() })?.id, 'recent');
  t.equal(chooseCurrent(snaps, { notBefore: at(9.999), notAfter: at(10), request: req() }), null);
  t.equal(chooseCurrent(snaps, { notBefore: at(-1), notAfter: at(5), request: req() })?.id, 'old');
});

t.test('comparedScope: what both sides could see; what was left out and why', async (t) => {
  const base = snap('b', 0, { accounts: ['1', '2', '3'], read: ['1', '3'], regions: ['us-east-1'], types: ['ec2:instance'] });
  const current = { scope: snap('c', 7, { accounts: ['1', '2', '3', '4'], regions: ['eu-west-1', 'us-east-1'], types: ['ec2:instance', 's3:bucket'] }).scope, read_accounts: ['1', '2', '4'] };
  const c = comparedScope({ account_ids: ['1', '2', '3', '4'], regions: null, resource_types: ['ec2:instance', 's3:bucket'] }, base, current);
  t.same(c.account_ids, ['1'], '2 unread in the baseline, 3 unread now, 4 not in the baseline');
  t.same(c.regions, ['us-east-1']);
  t.same(c.resource_types, ['ec2:instance']);
  t.same(c.left_out, { accounts_not_in_baseline: ['4'], accounts_unread: ['2', '3'], types_not_in_baseline: ['s3:bucket'], regions_not_in_baseline: ['eu-west-1'] });
});
