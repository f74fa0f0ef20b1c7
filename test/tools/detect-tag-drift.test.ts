/**
 * detect_tag_drift end to end: the whole app over the bundled simulator (REST and MCP), a clock
 * moved between snapshots, tags changed in the simulator between two scans (added, removed,
 * changed, resources created and deleted). The expected changes are written out by hand from
 * the UAT policy (Owner any value, Environment production | staging; ec2:instance and s3:bucket).
 */
import t, { type Test } from 'tap';
import { allTools } from '../../src/app.js';
import { resourceArn } from '../../src/simulator/arn.js';
import { createPrng } from '../../src/simulator/faults.js';
import { generateOrganization } from '../../src/simulator/generate.js';
import type { SimFixture, SimResource } from '../../src/simulator/types.js';
import { isolateNetwork } from '../helpers/network.js';
import { schemaErrors, toolNamed } from '../e2e/harness.js';
import { acct, BAD_ENV, COMPLIANT, connectMcp, org, res, startUat, UNTAGGED, type UatHarness } from '../e2e/helpers.js';

isolateNetwork();

const A = '200000000001';
const B = '200000000002';
const DAY = 86_400_000;
const tool = toolNamed(allTools, 'detect_tag_drift');

const ec2 = (id: string, region: string, tags: Record<string, string>): SimResource => res('ec2:instance', id, region, tags);
const bucket = (id: string, region: string, tags: Record<string, string>): SimResource => res('s3:bucket', id, region, tags);
const arnOf = (r: SimResource, account = A): string => resourceArn(r, account);

interface Change {
  change: string;
  resource_arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  severity: string;
  compliance_change: string;
  compliant_before: boolean | null;
  compliant_after: boolean | null;
  added: { key: string; value: string }[];
  removed: { key: string; value: string }[];
  changed: { key: string; old_value: string; new_value: string }[];
  broken_tags: string[];
  fixed_tags: string[];
}

interface Drift {
  baseline_found: boolean;
  lookback_days: number;
  target_time: string;
  tag_keys: string[];
  baseline: { snapshot_id: string; taken_at: string; source: string; coverage: string; data_quality_status: string; policy_matches_current: boolean } | null;
  current: { snapshot_id: string; taken_at: string; source: string; data_quality_status: string };
  compared_scope: { account_ids: string[]; regions: string[]; resource_types: string[] };
  summary: Record<string, unknown> & { by_severity: Record<string, number>; changes_by_tag: Record<string, number> };
  changes: Change[];
  change_count: number;
  next_cursor: string | null;
  data_quality: { status: string; failed: unknown[] };
  note: string;
}

/** The starting organization: account A holds one resource per kind of change, B one bystander. */
function fixture(): SimFixture {
  return org([
    acct(A, [
      ec2('i-keep', 'us-east-1', { ...COMPLIANT, CostCenter: 'cc-1' }),
      ec2('i-add', 'us-east-1', { Owner: 'carol' }),
      ec2('i-remove', 'eu-west-1', COMPLIANT),
      ec2('i-change', 'us-east-1', { Owner: 'dan', Environment: 'staging' }),
      ec2('i-bad', 'us-east-1', BAD_ENV),
      bucket('a-bucket-gone', 'us-east-1', COMPLIANT),
    ]),
    acct(B, [ec2('i-b1', 'us-east-1', COMPLIANT)]),
  ]);
}

/** The changes made between the two scans. */
function mutate(f: SimFixture): void {
  const a = f.accounts.find((x) => x.id === A);
  if (a === undefined) throw new Error('no account A');
  const find = (id: string): SimResource => {
    const r = a.resources.find((x) => x.id === id);
    if (r === undefined) throw new Error(`no ${id}`);
    return r;
  };
  find('i-keep').tags['CostCenter'] = 'cc-2'; // not a watched key by default
  find('i-add').tags['Environment'] = 'production';
  delete find('i-remove').tags['Environment'];
  find('i-change').tags['Environment'] = 'production';
  find('i-bad').tags['Environment'] = 'dev';
  a.resources = a.resources.filter((r) => r.id !== 'a-bucket-gone');
  a.resources.push(ec2('i-new', 'us-east-1', UNTAGGED), bucket('a-bucket-new', 'eu-west-1', COMPLIANT));
}

/** What detect_tag_drift must report for `mutate`, in answer order (severity, account, region, type, ARN). */
function expectedChanges(f0: SimFixture): Omit<Change, 'resource_type' | 'account_id' | 'compliant_before' | 'compliant_after'>[] {
  const a0 = f0.accounts.find((x) => x.id === A);
  const r = (id: string): SimResource => {
    const found = a0?.resources.find((x) => x.id === id) ?? (id === 'i-new' ? ec2('i-new', 'us-east-1', UNTAGGED) : id === 'a-bucket-new' ? bucket('a-bucket-new', 'eu-west-1', COMPLIANT) : undefined);
    if (found === undefined) throw new Error(id);
    return found;
  };
  return [
    { change: 'tags_changed', resource_arn: arnOf(r('i-remove')), region: 'eu-west-1', severity: 'high', compliance_change: 'broke', added: [], removed: [{ key: 'Environment', value: 'production' }], changed: [], broken_tags: ['Environment'], fixed_tags: [] },
    { change: 'created', resource_arn: arnOf(r('i-new')), region: 'us-east-1', severity: 'high', compliance_change: 'created_non_compliant', added: [], removed: [], changed: [], broken_tags: ['Environment', 'Owner'], fixed_tags: [] },
    { change: 'tags_changed', resource_arn: arnOf(r('i-bad')), region: 'us-east-1', severity: 'medium', compliance_change: 'still_non_compliant', added: [], removed: [], changed: [{ key: 'Environment', old_value: 'qa', new_value: 'dev' }], broken_tags: [], fixed_tags: [] },
    { change: 'tags_changed', resource_arn: arnOf(r('i-change')), region: 'us-east-1', severity: 'low', compliance_change: 'still_compliant', added: [], removed: [], changed: [{ key: 'Environment', old_value: 'staging', new_value: 'production' }], broken_tags: [], fixed_tags: [] },
    { change: 'created', resource_arn: arnOf(r('a-bucket-new')), region: 'eu-west-1', severity: 'info', compliance_change: 'created_compliant', added: [{ key: 'Environment', value: 'production' }, { key: 'Owner', value: 'alice' }], removed: [], changed: [], broken_tags: [], fixed_tags: [] },
    { change: 'tags_changed', resource_arn: arnOf(r('i-add')), region: 'us-east-1', severity: 'info', compliance_change: 'fixed', added: [{ key: 'Environment', value: 'production' }], removed: [], changed: [], broken_tags: [], fixed_tags: ['Environment'] },
    { change: 'deleted', resource_arn: arnOf(r('a-bucket-gone')), region: 'us-east-1', severity: 'info', compliance_change: 'deleted_compliant', added: [], removed: [{ key: 'Environment', value: 'production' }, { key: 'Owner', value: 'alice' }], changed: [], broken_tags: [], fixed_tags: [] },
  ];
}

const strip = (c: Change): Omit<Change, 'resource_type' | 'account_id' | 'compliant_before' | 'compliant_after'> => {
  const { resource_type: _t, account_id: _a, compliant_before: _b, compliant_after: _c, ...rest } = c;
  return rest;
};

interface Env {
  h: UatHarness;
  advance(ms: number): void;
  post(name: string, args: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  drift(tt: Test, args: Record<string, unknown>): Promise<Drift>;
}

async function env(t: Test): Promise<Env> {
  // The app's clock follows real time (as the inventory cache's does) plus the days the test moves it.
  let offset = 0;
  const h = await startUat({ fixture: fixture(), multi_account: { account_ids: [A, B] }, now: () => new Date(Date.now() + offset) });
  t.teardown(() => h.close());
  const post = async (name: string, args: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await h.app.inject({ method: 'POST', url: `/tools/${name}`, payload: args });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };
  return {
    h,
    advance(ms: number) {
      offset += ms;
      h.sim.advanceClock(ms);
    },
    post,
    async drift(tt, args) {
      const r = await post('detect_tag_drift', args);
      tt.equal(r.status, 200, `detect_tag_drift ${JSON.stringify(args)} → 200 ${r.status === 200 ? '' : String(r.body['message'])}`);
      tt.same(schemaErrors(tool.outputSchema, r.body), [], 'output matches the schema');
      return r.body as unknown as Drift;
    },
  };
}

t.test('no baseline yet: says so plainly, how to create one, and stores the scan as the next baseline', async (t) => {
  const e = await env(t);
  const first = await e.drift(t, { account_ids: [A] });
  t.equal(first.baseline_found, false);
  t.equal(first.baseline, null);
  t.same(first.changes, []);
  t.equal(first.change_count, 0);
  t.equal(first.current.source, 'scan');
  t.equal(first.data_quality.status, 'complete');
  t.match(first.note, /No baseline yet/);
  t.match(first.note, /check_tag_compliance with store_snapshot: true/);
  t.match(first.note, /schedule_compliance_audit/);
  t.match(first.note, new RegExp(`stored as snapshot ${first.current.snapshot_id}`));
  t.same(first.tag_keys, ['Environment', 'Owner'], 'default: the required tags');
  t.same(first.compared_scope.account_ids, [A]);
  t.equal(first.summary['baseline_compliance_score'], null, 'no baseline score without a baseline');
  t.equal(first.summary['current_compliance_score'], 0.6667, 'i-keep, i-remove, i-change, the bucket: 4 of 6');

  // An hour later the stored scan is the baseline (nothing changed in between).
  e.advance(2 * 3_600_000);
  const second = await e.drift(t, { account_ids: [A] });
  t.equal(second.baseline_found, true);
  t.equal(second.baseline?.snapshot_id, first.current.snapshot_id, 'the scan stored by the first call is the baseline');
  t.equal(second.baseline?.taken_at, first.current.taken_at);
  t.not(second.current.snapshot_id, first.current.snapshot_id);
  t.same(second.changes, [], 'nothing changed');
  t.equal(second.summary['resources_compared'], 6, 'the six in-scope resources of A');
  t.match(second.note, /No watched tag changed on the 6 resource/);
  t.match(second.note, /No snapshot exists at .* the nearest one/, 'the baseline is 2 hours old, not 7 days: said plainly');
});

t.test('REST: two snapshots seven days apart, tags changed in the simulator in between → exactly those changes', async (t) => {
  const e = await env(t);
  const base = await e.post('check_tag_compliance', { account_ids: [A], store_snapshot: true });
  t.equal(base.status, 200);
  const baseId = base.body['snapshot_id'];
  t.type(baseId, 'string');
  const f0 = structuredClone(e.h.sim.fixture);

  e.h.sim.updateFixture(mutate);
  e.advance(7 * DAY);
  const d = await e.drift(t, { account_ids: [A], refresh: true });
  t.equal(d.baseline_found, true);
  t.equal(d.baseline?.snapshot_id, baseId);
  t.equal(d.baseline?.coverage, 'full');
  t.equal(d.current.source, 'scan');
  t.same(d.changes.map(strip), expectedChanges(f0), 'exactly the changes made, most severe first');
  t.ok(d.changes.every((c) => c.account_id === A), 'all in account A');
  t.same(
    { ...d.summary, changes_by_tag: undefined, by_severity: undefined },
    {
      resources_compared: 5,
      resources_changed: 4,
      resources_created: 2,
      resources_deleted: 1,
      resources_unreadable_now: 0,
      tags_added: 1,
      tags_removed: 1,
      tags_changed: 2,
      became_non_compliant: 1,
      became_compliant: 1,
      created_non_compliant: 1,
      baseline_compliance_score: 0.6667,
      current_compliance_score: 0.5714,
      changes_by_tag: undefined,
      by_severity: undefined,
    },
  );
  t.same(d.summary.by_severity, { high: 2, medium: 1, low: 1, info: 3 });
  t.same(d.summary.changes_by_tag, { Environment: 4 });
  t.match(d.note, /7\.0 days apart/);
  t.same(d.compared_scope, { account_ids: [A], regions: ['eu-west-1', 'us-east-1'], resource_types: ['ec2:instance', 's3:bucket'] });

  // Watching every key also shows the CostCenter change on i-keep (a low-severity change).
  const everyKey = await e.drift(t, { account_ids: [A], tag_keys: ['*'] });
  t.equal(everyKey.current.source, 'snapshot', 'the scan stored a moment ago is the current side');
  t.equal(everyKey.current.snapshot_id, d.current.snapshot_id);
  const keep = everyKey.changes.find((c) => c.resource_arn.endsWith('/i-keep'));
  t.same(keep?.changed, [{ key: 'CostCenter', old_value: 'cc-1', new_value: 'cc-2' }]);
  t.equal(keep?.severity, 'low');
  t.equal(everyKey.change_count, 8);

  // Only CostCenter watched: one change.
  const cc = await e.drift(t, { account_ids: [A], tag_keys: ['costcenter'] });
  t.equal(cc.change_count, 4, 'i-keep plus the created and deleted resources (created/deleted are always listed)');
  t.same(cc.changes.filter((c) => c.change === 'tags_changed').map((c) => c.resource_arn), [arnOf(ec2('i-keep', 'us-east-1', {}))], 'keys match ignoring case (case_sensitivity false)');
});

t.test('snapshot, change tags, drift right away without refresh: the cached inventory is not trusted over the baseline', async (t) => {
  const e = await env(t);
  const base = await e.post('check_tag_compliance', { account_ids: [A], store_snapshot: true });
  const f0 = structuredClone(e.h.sim.fixture);
  e.h.sim.updateFixture(mutate);
  e.advance(5 * 60_000);
  const d = await e.drift(t, { account_ids: [A] });
  t.equal(d.baseline?.snapshot_id, base.body['snapshot_id'], 'the snapshot of five minutes ago is the baseline, not the current side');
  t.equal(d.current.source, 'scan');
  t.match(d.note, /AWS was read again/);
  t.same(d.changes.map(strip), expectedChanges(f0));
});

t.test('MCP: snapshot by check_tag_compliance, change, second snapshot, drift over MCP reports exactly those changes', async (t) => {
  const e = await env(t);
  const mcp = await connectMcp(e.h.app);
  t.teardown(() => mcp.close());
  const listed = (await mcp.client.listTools()).tools.find((x) => x.name === 'detect_tag_drift');
  t.ok(listed, 'listed by tools/list');
  t.same(listed?.annotations, tool.annotations);
  t.equal(listed?.annotations?.readOnlyHint, false, 'it stores snapshots: not read-only');

  const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const r = await mcp.client.callTool({ name, arguments: args });
    t.notOk(r.isError, `${name} succeeded: ${JSON.stringify(r.content).slice(0, 300)}`);
    return r.structuredContent as Record<string, unknown>;
  };
  const s1 = await call('check_tag_compliance', { account_ids: [A], store_snapshot: true });
  const f0 = structuredClone(e.h.sim.fixture);
  e.h.sim.updateFixture(mutate);
  e.advance(7 * DAY);
  const s2 = await call('check_tag_compliance', { account_ids: [A], store_snapshot: true, force_refresh: true });
  e.advance(60_000);
  const d = (await call('detect_tag_drift', { account_ids: [A] })) as unknown as Drift;
  t.same(schemaErrors(tool.outputSchema, d), [], 'structuredContent matches the output schema');
  t.equal(d.baseline?.snapshot_id, s1['snapshot_id']);
  t.equal(d.current.snapshot_id, s2['snapshot_id']);
  t.equal(d.current.source, 'snapshot', 'a complete snapshot of the last hour is the current side (no scan)');
  t.same(d.changes.map(strip), expectedChanges(f0));
});

t.test('the baseline is the stored snapshot nearest to lookback_days ago (injected clock)', async (t) => {
  const e = await env(t);
  const setEnv = (value: string) => (f: SimFixture): void => {
    const r = f.accounts.find((x) => x.id === A)?.resources.find((x) => x.id === 'i-change');
    if (r) r.tags['Environment'] = value;
  };
  const snap = async (): Promise<string> => {
    const r = await e.post('check_tag_compliance', { account_ids: [A], store_snapshot: true, force_refresh: true });
    t.equal(r.status, 200);
    return String(r.body['snapshot_id']);
  };
  // i-change's Environment: day 0 staging, day 3 production, day 6 qa (invalid), day 10 (now) production.
  const d0 = await snap();
  e.advance(3 * DAY);
  e.h.sim.updateFixture(setEnv('production'));
  const d3 = await snap();
  e.advance(3 * DAY);
  e.h.sim.updateFixture(setEnv('qa'));
  const d6 = await snap();
  e.advance(4 * DAY);
  e.h.sim.updateFixture(setEnv('production'));
  const now = await snap();

  const oneOf = (d: Drift): Change | undefined => d.changes.find((c) => c.resource_arn.endsWith('/i-change'));
  const lb7 = await e.drift(t, { account_ids: [A], lookback_days: 7 });
  t.equal(lb7.baseline?.snapshot_id, d3, '7 days back from day 10 is day 3');
  t.equal(lb7.current.snapshot_id, now);
  t.equal(oneOf(lb7), undefined, 'production on day 3 and now: no drift');

  const lb9 = await e.drift(t, { account_ids: [A], lookback_days: 9 });
  t.equal(lb9.baseline?.snapshot_id, d0, '9 days back is day 1: day 0 is nearer than day 3');
  t.same(oneOf(lb9)?.changed, [{ key: 'Environment', old_value: 'staging', new_value: 'production' }]);

  const lb4 = await e.drift(t, { account_ids: [A], lookback_days: 4 });
  t.equal(lb4.baseline?.snapshot_id, d6, '4 days back is day 6');
  t.same(oneOf(lb4)?.changed, [{ key: 'Environment', old_value: 'qa', new_value: 'production' }]);
  t.equal(oneOf(lb4)?.compliance_change, 'fixed');
  t.equal(oneOf(lb4)?.severity, 'info');

  // One day back: the snapshot of a moment ago is the nearest (day 6 is 3 days off); with nothing
  // older to compare it with, it becomes the baseline of a scan now, and the note says the span is short.
  const lb1 = await e.drift(t, { account_ids: [A], lookback_days: 1 });
  t.equal(lb1.baseline?.snapshot_id, now);
  t.equal(lb1.current.source, 'scan');
  t.same(lb1.changes, []);
  t.match(lb1.note, /not 1 day\(s\)/);

  // Nothing at all within [now − 2 × lookback, now] for another scope: no baseline.
  const other = await e.drift(t, { account_ids: [B], lookback_days: 1 });
  t.equal(other.baseline_found, false);
  t.match(other.note, /No baseline yet/);
});

t.test('scope: resources outside the baseline\'s scope are not reported as created', async (t) => {
  const e = await env(t);
  const base = await e.post('check_tag_compliance', { account_ids: [A], store_snapshot: true });
  e.advance(7 * DAY);
  const d = await e.drift(t, { account_ids: [A, B], refresh: true });
  t.equal(d.baseline?.snapshot_id, base.body['snapshot_id']);
  t.equal(d.baseline?.coverage, 'partial');
  t.same(d.compared_scope.account_ids, [A]);
  t.same(d.changes, [], 'B\'s instance is not "created": B was not in the baseline');
  t.match(d.note, new RegExp(`account\\(s\\) ${B} \\(not in the baseline's scope\\)`));

  // A region filter narrows what is compared; a baseline of us-east-1 only does not cover eu-west-1.
  e.h.sim.updateFixture(mutate);
  e.advance(DAY);
  const east = await e.drift(t, { account_ids: [A], regions: ['us-east-1'], refresh: true, lookback_days: 8 });
  t.same(east.compared_scope.regions, ['us-east-1']);
  t.notOk(east.changes.some((c) => c.resource_arn.endsWith('/i-remove')), 'eu-west-1 instance left out');
  t.ok(east.changes.some((c) => c.resource_arn.endsWith('a-bucket-new')), 'S3 (global type) is compared whatever its region');
});

t.test('pagination: later pages compare the same two snapshots and store nothing', async (t) => {
  const e = await env(t);
  await e.post('check_tag_compliance', { account_ids: [A], store_snapshot: true });
  e.h.sim.updateFixture(mutate);
  e.advance(7 * DAY);
  const p1 = await e.drift(t, { account_ids: [A], refresh: true, limit: 3 });
  t.equal(p1.changes.length, 3);
  t.type(p1.next_cursor, 'string');
  const stored = (await e.h.app.history.listSnapshots({ since: '2000-01-01T00:00:00Z' })).length;
  e.advance(2 * 3_600_000);
  const p2 = await e.drift(t, { account_ids: [A], refresh: true, limit: 3, cursor: p1.next_cursor });
  const p3 = await e.drift(t, { account_ids: [A], limit: 3, cursor: p2.next_cursor });
  t.equal(p3.next_cursor, null);
  t.equal((await e.h.app.history.listSnapshots({ since: '2000-01-01T00:00:00Z' })).length, stored, 'no snapshot stored by later pages');
  t.same([p2.baseline?.snapshot_id, p2.current.snapshot_id], [p1.baseline?.snapshot_id, p1.current.snapshot_id]);
  t.same([...p1.changes, ...p2.changes, ...p3.changes].map(strip), expectedChanges(fixture()));

  const wrong = await e.post('detect_tag_drift', { account_ids: [B], cursor: p1.next_cursor });
  t.equal(wrong.status, 400);
  t.match(String(wrong.body['message']), /different query/);
});

t.test('bad input is refused with a clear message', async (t) => {
  const e = await env(t);
  for (const args of [{ lookback_days: 0 }, { lookback_days: 91 }, { lookback_days: 2.5 }, { tag_keys: [] }, { unknown: 1 }, { regions: ['mars'] }]) {
    const r = await e.post('detect_tag_drift', args);
    t.equal(r.status, 400, `${JSON.stringify(args)} → 400`);
  }
});

t.test('generated organization, seeded random tag changes: the drift equals an independent diff of the two fixtures', async (t) => {
  const fx = generateOrganization({ accounts: 3, regions: ['us-east-1', 'eu-west-1'], resourcesPerRegion: 40, seed: 11, types: ['ec2:instance', 'ec2:instance', 's3:bucket', 'rds:db'] });
  const members = fx.accounts.slice(1).map((a) => a.id);
  let offset = 0;
  const h = await startUat({ fixture: fx, multi_account: { account_ids: members }, now: () => new Date(Date.now() + offset) });
  t.teardown(() => h.close());
  const post = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const r = await h.app.inject({ method: 'POST', url: `/tools/${name}`, payload: args });
    t.equal(r.statusCode, 200, `${name} → 200`);
    return r.json() as Record<string, unknown>;
  };
  const inScope = new Set(['ec2:instance', 's3:bucket']);
  const watched = (k: string): boolean => k.toLowerCase() === 'owner' || k.toLowerCase() === 'environment';
  const state = (f: SimFixture): Map<string, Record<string, string>> => {
    const m = new Map<string, Record<string, string>>();
    for (const a of f.accounts) if (members.includes(a.id)) for (const r of a.resources) if (inScope.has(r.type)) m.set(r.arn ?? resourceArn(r, a.id), { ...r.tags });
    return m;
  };

  await post('check_tag_compliance', { account_ids: members, store_snapshot: true });
  const before = state(h.sim.fixture);
  const rng = createPrng(99);
  let added = 0;
  h.sim.updateFixture((f) => {
    for (const a of f.accounts) {
      if (!members.includes(a.id)) continue;
      a.resources = a.resources.filter(() => rng() >= 0.08);
      for (const r of a.resources) {
        const x = rng();
        if (x < 0.1) delete r.tags['Environment'];
        else if (x < 0.2) r.tags['Owner'] = `owner-${Math.floor(rng() * 1000)}`;
        else if (x < 0.25) r.tags['Environment'] = 'qa';
        else if (x < 0.3) r.tags['environment'] = 'production';
        else if (x < 0.35) r.tags['Team'] = 'moved'; // not watched
      }
      for (let i = 0; i < 4; i++) {
        a.resources.push({ type: i % 2 === 0 ? 'ec2:instance' : 's3:bucket', id: i % 2 === 0 ? `i-0drift${a.id.slice(-4)}${i}` : `drift-${a.id}-${i}`, region: 'us-east-1', tags: i < 2 ? { Owner: 'x' } : {}, monthly_cost: 1, created_at: '2026-01-01T00:00:00.000Z' });
        added += 1;
      }
    }
  });
  const after = state(h.sim.fixture);

  // Independent oracle: exact-key comparison of the watched keys of the two fixtures.
  const oracle: string[] = [];
  const tagChanges = (b: Record<string, string>, a: Record<string, string>): string[] => {
    const out: string[] = [];
    for (const [k, v] of Object.entries(b)) if (watched(k)) out.push(!(k in a) ? `-${k}=${v}` : a[k] !== v ? `~${k}:${v}>${a[k]}` : '');
    for (const [k, v] of Object.entries(a)) if (watched(k) && !(k in b)) out.push(`+${k}=${v}`);
    return out.filter((x) => x !== '').sort();
  };
  for (const [arn, b] of before) {
    const a = after.get(arn);
    if (a === undefined) oracle.push(`deleted ${arn} ${tagChanges(b, {}).join(',')}`);
    else if (tagChanges(b, a).length > 0) oracle.push(`tags_changed ${arn} ${tagChanges(b, a).join(',')}`);
  }
  for (const [arn, a] of after) if (!before.has(arn)) oracle.push(`created ${arn} ${tagChanges({}, a).join(',')}`);
  t.ok(oracle.length > 40, `a substantial drift to find (${oracle.length} changes, ${added} resources added)`);

  offset += 3 * DAY;
  h.sim.advanceClock(3 * DAY);
  const got: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const d = (await post('detect_tag_drift', { account_ids: members, lookback_days: 3, refresh: true, limit: 25, ...(cursor === null ? {} : { cursor }) })) as unknown as Drift;
    t.same(schemaErrors(tool.outputSchema, d), []);
    for (const c of d.changes) {
      const parts = [...c.added.map((x) => `+${x.key}=${x.value}`), ...c.removed.map((x) => `-${x.key}=${x.value}`), ...c.changed.map((x) => `~${x.key}:${x.old_value}>${x.new_value}`)].sort();
      got.push(`${c.change} ${c.resource_arn} ${parts.join(',')}`);
    }
    cursor = d.next_cursor;
    pages += 1;
  } while (cursor !== null && pages < 50);
  t.ok(pages > 1, `paginated (${pages} pages)`);
  t.same(got.sort(), oracle.sort(), 'exactly the changes of the oracle, no more, no fewer');
});
