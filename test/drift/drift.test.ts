/** Resource diffs, severity under the current policy, answer order, summary and cursors (pure). */
import fc from 'fast-check';
import t from 'tap';
import { compilePolicy } from '../../src/policy/compile.js';
import {
  applyTagDiff,
  assessAll,
  assessDrift,
  decodeDriftCursor,
  diffResources,
  encodeDriftCursor,
  inComparedScope,
  keyFilter,
  pickTags,
  scoreOf,
  summarizeDrift,
  type ResourceState,
} from '../../src/drift/index.js';

const policy = compilePolicy({
  version: '1',
  required_tags: [
    { name: 'Owner', allowed_values: null, applies_to: ['ec2:instance', 's3:bucket'] },
    { name: 'Environment', allowed_values: ['production', 'staging'], applies_to: ['ec2:instance', 's3:bucket'] },
  ],
  tag_naming_rules: { case_sensitivity: false },
});
const OK = { Owner: 'a', Environment: 'production' };
const track = keyFilter(['Owner', 'Environment'], false);

function r(id: string, tags: Record<string, string>, over: Partial<ResourceState> = {}): ResourceState {
  return { arn: `arn:aws:ec2:us-east-1:111111111111:instance/${id}`, resource_type: 'ec2:instance', account_id: '111111111111', region: 'us-east-1', tags, ...over };
}

t.test('diffResources: changed, created, deleted; unchanged watched keys are no drift', async (t) => {
  const before = [r('i-1', OK), r('i-2', { ...OK, Team: 'x' }), r('i-3', OK)];
  const after = [r('i-1', { Owner: 'b', Environment: 'production' }), r('i-2', { ...OK, Team: 'y' }), r('i-4', {})];
  const out = diffResources(before, after, { track });
  t.equal(out.compared, 2);
  t.same(out.drifts.map((d) => [d.kind, d.arn.split('/')[1]]), [['tags_changed', 'i-1'], ['deleted', 'i-3'], ['created', 'i-4']]);
  t.same(out.drifts[0]?.diff.changed, [{ key: 'Owner', old_value: 'a', new_value: 'b' }]);
  t.same(out.drifts[1]?.diff.removed, [{ key: 'Environment', value: 'production' }, { key: 'Owner', value: 'a' }], 'deleted: every watched tag removed');
  t.same(out.drifts[1]?.after, null);
  t.same(out.drifts[2]?.before, null);
});

t.test('diffResources: a baseline resource in a cell unreadable now is not deleted', async (t) => {
  const out = diffResources([r('i-1', OK), r('i-9', OK, { region: 'eu-west-1', arn: 'arn:x:eu/i-9' })], [r('i-1', OK)], { track, readableNow: (x) => x.region !== 'eu-west-1' });
  t.same(out.drifts, []);
  t.same(out.unreadable_now.map((x) => x.arn), ['arn:x:eu/i-9']);
});

t.test('property: diffResources of a state with itself is empty; applying each drift to the baseline yields the current watched tags', async (t) => {
  const tags = fc.dictionary(fc.constantFrom('Owner', 'Environment', 'Team', 'owner'), fc.constantFrom('a', 'production', 'qa', ''), { maxKeys: 4 });
  const state = fc.uniqueArray(fc.record({ id: fc.constantFrom('i-1', 'i-2', 'i-3', 'i-4', 'i-5'), tags }), { selector: (x) => x.id, maxLength: 5 }).map((xs) => xs.map((x) => r(x.id, x.tags)));
  fc.assert(
    fc.property(state, state, (a, b) => {
      if (diffResources(a, a, { track }).drifts.length !== 0) return false;
      const out = diffResources(a, b, { track });
      const byArnA = new Map(a.map((x) => [x.arn, x]));
      const byArnB = new Map(b.map((x) => [x.arn, x]));
      for (const d of out.drifts) {
        const old = pickTags(byArnA.get(d.arn)?.tags ?? {}, track);
        const want = pickTags(byArnB.get(d.arn)?.tags ?? {}, track);
        const got = applyTagDiff(old, d.diff);
        if (JSON.stringify(Object.entries(got).sort()) !== JSON.stringify(Object.entries(want).sort())) return false;
      }
      const expectedCount = new Set([...a, ...b].map((x) => x.arn).filter((arn) => {
        const x = byArnA.get(arn);
        const y = byArnB.get(arn);
        if (x === undefined || y === undefined) return true;
        return JSON.stringify(Object.entries(pickTags(x.tags, track)).sort()) !== JSON.stringify(Object.entries(pickTags(y.tags, track)).sort());
      })).size;
      return out.drifts.length === expectedCount;
    }),
  );
  t.pass('held');
});

t.test('severity by what the change did to compliance, under the current policy', async (t) => {
  const one = (before: Record<string, string> | null, after: Record<string, string> | null) => {
    const b = before === null ? [] : [r('i-1', before)];
    const a = after === null ? [] : [r('i-1', after)];
    const d = diffResources(b, a, { track }).drifts[0];
    if (d === undefined) throw new Error('no drift');
    return assessDrift(policy, d);
  };
  t.match(one(OK, { Owner: 'a' }), { severity: 'high', compliance_change: 'broke', compliant_before: true, compliant_after: false, broken_tags: ['Environment'], fixed_tags: [] });
  t.match(one({ Owner: 'a', Environment: 'qa' }, { Owner: 'a', Environment: 'dev' }), { severity: 'medium', compliance_change: 'still_non_compliant', broken_tags: [], fixed_tags: [] });
  t.match(one({ Owner: 'a', Environment: 'qa' }, { Environment: 'dev' }), { severity: 'medium', broken_tags: ['Owner'] }, 'still broken, and one more tag fails');
  t.match(one(OK, { Owner: 'b', Environment: 'staging' }), { severity: 'low', compliance_change: 'still_compliant' });
  t.match(one(OK, { Owner: 'a', Environment: 'Production' }), { severity: 'low', compliance_change: 'still_compliant' }, 'a case warning does not break compliance');
  t.match(one({ Owner: 'a' }, OK), { severity: 'info', compliance_change: 'fixed', fixed_tags: ['Environment'] });
  t.match(one(null, {}), { severity: 'high', compliance_change: 'created_non_compliant', compliant_before: null, broken_tags: ['Environment', 'Owner'] });
  t.match(one(null, OK), { severity: 'info', compliance_change: 'created_compliant' });
  t.match(one(OK, null), { severity: 'info', compliance_change: 'deleted_compliant', compliant_after: null });
  t.match(one({}, null), { severity: 'info', compliance_change: 'deleted_non_compliant', fixed_tags: [] });
});

t.test('answer order: most severe first, then account, region, type, ARN; summary counts', async (t) => {
  const before = [r('i-3', OK), r('i-2', { Owner: 'a' }), r('i-1', { Owner: 'a', Environment: 'qa' }), r('i-5', OK, { account_id: '000000000000', arn: 'arn:0/i-5' }), r('i-6', OK)];
  const after = [r('i-3', { Owner: 'a' }), r('i-2', OK), r('i-1', { Owner: 'b', Environment: 'qa' }), r('i-5', { Owner: 'a' }, { account_id: '000000000000', arn: 'arn:0/i-5' }), r('i-7', {})];
  const entries = assessAll(policy, diffResources(before, after, { track }).drifts);
  t.same(entries.map((e) => `${e.severity}:${e.arn.split('/')[1]}`), ['high:i-5', 'high:i-3', 'high:i-7', 'medium:i-1', 'info:i-2', 'info:i-6']);
  const s = summarizeDrift(entries, { compared: 4, unreadable_now: 1, baseline_score: scoreOf(policy, before), current_score: scoreOf(policy, after) });
  t.same(s, {
    resources_compared: 4,
    resources_changed: 4,
    resources_created: 1,
    resources_deleted: 1,
    resources_unreadable_now: 1,
    tags_added: 1,
    tags_removed: 2,
    tags_changed: 1,
    became_non_compliant: 2,
    became_compliant: 1,
    created_non_compliant: 1,
    by_severity: { high: 3, medium: 1, low: 0, info: 2 },
    changes_by_tag: { Environment: 3, Owner: 1 },
    baseline_compliance_score: 0.6,
    current_compliance_score: 0.2,
  });
});

t.test('compared scope filter: accounts, types, regions; global types whatever their region', async (t) => {
  const keep = inComparedScope({ account_ids: ['1'], regions: ['us-east-1'], resource_types: ['ec2:instance', 's3:bucket'], left_out: { accounts_not_in_baseline: [], accounts_unread: [], types_not_in_baseline: [], regions_not_in_baseline: [] } }, (type) => type === 's3:bucket');
  t.ok(keep(r('a', {}, { account_id: '1' })));
  t.notOk(keep(r('a', {}, { account_id: '2' })));
  t.notOk(keep(r('a', {}, { account_id: '1', region: 'eu-west-1' })));
  t.ok(keep(r('a', {}, { account_id: '1', region: 'eu-west-1', resource_type: 's3:bucket' })));
  t.notOk(keep(r('a', {}, { account_id: '1', resource_type: 'rds:db' })));
});

t.test('cursors pin both snapshots and refuse foreign or damaged values', async (t) => {
  const c = encodeDriftCursor({ offset: 50, baseline_id: '7', current_id: '9' }, 'fp');
  t.same(decodeDriftCursor(c, 'fp'), { offset: 50, baseline_id: '7', current_id: '9' });
  t.equal(decodeDriftCursor(undefined, 'fp'), null);
  t.throws(() => decodeDriftCursor(c, 'other'), { code: 'cursor_mismatch' });
  t.throws(() => decodeDriftCursor('not-base64-json', 'fp'), { code: 'invalid_cursor' });
  t.throws(() => decodeDriftCursor(Buffer.from(JSON.stringify({ v: 1, o: -1, f: 'fp', b: '1', c: '2' })).toString('base64url'), 'fp'), { code: 'invalid_cursor' });
  t.throws(() => decodeDriftCursor(Buffer.from(JSON.stringify({ v: 1, o: 0, f: 'fp', b: '', c: '2' })).toString('base64url'), 'fp'), { code: 'invalid_cursor' });
});
