/**
 * The seed's user-acceptance matrix (implementation plan, Phase 7.3: UAT-1..10) as automated
 * tests: the whole app (REST via app.inject, MCP over Streamable HTTP) with the real SDK gateway
 * against the bundled simulator. Every expected number is worked out by hand from small fixtures
 * and the UAT policy (test/e2e/helpers.ts), never read back from the code under test.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { complianceScore } from '../../src/compliance/index.js';
import { parsePolicyText } from '../../src/policy/load.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { isolateNetwork } from '../aws/helpers.js';
import {
  BAD_ENV,
  COMPLIANT,
  MGMT,
  ROLE,
  UNTAGGED,
  acct,
  accountsOf,
  checkCompliance,
  connectMcp,
  expected,
  org,
  res,
  sortViolations,
  startUat,
  violationKey,
  type Expected,
  type ExpectedViolation,
  type UatHarness,
  type UatOptions,
} from './helpers.js';

isolateNetwork();

const A = '200000000001';
const B = '200000000002';
const C = '200000000003';
const BROKEN = '200000000004';
const SLOW = '200000000005';
const UNTRUSTED = '200000000006';
const DENIED = '200000000007';

const ec2 = (suffix: string, region: string, tags: Record<string, string>) => res('ec2:instance', `i-0000000000000${suffix}`, region, tags);
const bucket = (name: string, region: string, tags: Record<string, string>) => res('s3:bucket', name, region, tags);

/** The main organization: management + three members with a known mix of tags. */
function mainOrg() {
  return org(
    [
      acct(A, [
        ec2('a001', 'us-east-1', COMPLIANT),
        ec2('a002', 'us-east-1', UNTAGGED),
        ec2('a003', 'eu-west-1', BAD_ENV),
        bucket('uat-a-data', 'eu-west-1', COMPLIANT),
        bucket('uat-a-tmp', 'us-east-1', UNTAGGED),
      ]),
      acct(B, [ec2('b001', 'eu-west-1', COMPLIANT), ec2('b002', 'eu-west-1', COMPLIANT), bucket('uat-b-assets', 'us-east-1', BAD_ENV)], { alias: 'bravo' }),
      acct(C, [ec2('c001', 'us-east-1', UNTAGGED)]),
    ],
    [ec2('e001', 'us-east-1', COMPLIANT), ec2('e002', 'eu-west-1', UNTAGGED), bucket('uat-mgmt-logs', 'us-east-1', BAD_ENV)],
  );
}

async function harness(t: Test, opts: UatOptions): Promise<UatHarness> {
  const h = await startUat(opts);
  t.teardown(() => h.close());
  return h;
}

interface Violation extends ExpectedViolation {
  resource_arn: string;
  resource_type: string;
  severity: string;
}

interface Summary {
  account_id: string;
  account_alias: string | null;
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  cost_attribution_gap: number;
}

interface Answer {
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  cost_attribution_gap: number;
  violations: Violation[];
  data_quality: { status: string; cells_requested: number; cells_complete: number; failed: { account_id: string; error_code: string }[] };
  account_metadata?: { total_accounts: number; successful_accounts: string[]; failed_accounts: string[]; skipped_accounts: string[]; partial_accounts: string[] };
  account_breakdown?: Record<string, Summary>;
  account_errors?: { account_id: string; status: string; code: string; role_arn: string | null; message: string }[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The structured answer, after checking the fields every test reads are present. */
function answer(body: unknown): Answer {
  if (!isRecord(body)) throw new Error('answer is not an object');
  for (const k of ['total_resources', 'compliant_resources', 'compliance_score', 'violation_count', 'cost_attribution_gap']) {
    if (typeof body[k] !== 'number') throw new Error(`answer.${k} is not a number: ${JSON.stringify(body)}`);
  }
  if (!Array.isArray(body['violations']) || !isRecord(body['data_quality'])) throw new Error(`answer lacks violations/data_quality: ${JSON.stringify(body)}`);
  return body as unknown as Answer;
}

async function scan(app: UatHarness['app'], args: Record<string, unknown>): Promise<Answer> {
  const r = await checkCompliance(app, { limit: 500, ...args });
  if (r.status !== 200) throw new Error(`check_tag_compliance answered ${r.status}: ${JSON.stringify(r.body)}`);
  return answer(r.body);
}

const totalsOf = (x: Expected | Answer | Summary) => ({
  total_resources: x.total_resources,
  compliant_resources: x.compliant_resources,
  compliance_score: x.compliance_score,
  violation_count: x.violation_count,
  cost_attribution_gap: x.cost_attribution_gap,
});

/** Totals of one account_breakdown entry, or null when the account has none. */
const breakdownTotals = (a: Answer, id: string) => {
  const entry = a.account_breakdown?.[id];
  return entry === undefined ? null : totalsOf(entry);
};

const pick = (v: ExpectedViolation): ExpectedViolation => ({
  account_id: v.account_id,
  region: v.region,
  resource_id: v.resource_id,
  tag_name: v.tag_name,
  violation_type: v.violation_type,
});

const violationsOf = (a: Answer): ExpectedViolation[] => sortViolations(a.violations.map(pick));

/** Cells of a scan of `accounts` members over the two regions: ec2 per region + one S3 cell. */
const cellsFor = (accounts: number): number => accounts * 3;

t.test('UAT-1: a multi-account scan returns one aggregated result', async (t) => {
  const fx = mainOrg();
  const { app, sim } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  const out = await scan(app, { account_ids: [A, B, C] });

  const all = expected(accountsOf(fx, [A, B, C]));
  t.same(all, {
    total_resources: 9,
    compliant_resources: 4,
    compliance_score: 0.4444,
    violation_count: 8,
    cost_attribution_gap: 35,
    violations: all.violations,
  }, 'the hand-worked truth of the fixture');
  t.same(out.account_metadata, { total_accounts: 3, successful_accounts: [A, B, C], failed_accounts: [], skipped_accounts: [], partial_accounts: [] });
  t.same(out.account_errors, []);
  t.same(Object.keys(out.account_breakdown ?? {}).sort(), [A, B, C]);
  t.same(totalsOf(out), totalsOf(all));
  t.same(violationsOf(out), all.violations);

  // Totals are the sum of the accounts.
  const parts = Object.values(out.account_breakdown ?? {});
  t.equal(out.total_resources, parts.reduce((s, p) => s + p.total_resources, 0));
  t.equal(out.compliant_resources, parts.reduce((s, p) => s + p.compliant_resources, 0));
  t.equal(out.violation_count, parts.reduce((s, p) => s + p.violation_count, 0));
  t.equal(out.cost_attribution_gap, Math.round(parts.reduce((s, p) => s + p.cost_attribution_gap, 0) * 100) / 100);

  t.same(out.data_quality.status, 'complete');
  t.equal(out.data_quality.cells_requested, cellsFor(3));
  t.equal(out.data_quality.cells_complete, cellsFor(3));
  t.same(sim.stats().assume_role, { [A]: 1, [B]: 1, [C]: 1 }, 'one AssumeRole per member account');
});

t.test('UAT-2: without account_ids the single-account answer is unchanged and no role is assumed', async (t) => {
  const fx = mainOrg();
  const { app, sim } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  sim.resetStats();
  const r = await checkCompliance(app, {});
  t.equal(r.status, 200);
  t.same(Object.keys(r.body).sort(), [
    'compliance_score',
    'compliant_resources',
    'cost_attribution_gap',
    'data_quality',
    'next_cursor',
    'note',
    'regional_breakdown',
    'scan_timestamp',
    'snapshot_id',
    'total_resources',
    'violation_count',
    'violations',
    'violations_by_tag',
    'violations_by_type',
  ], 'the single-account shape: no account_metadata, account_breakdown or account_errors');
  const out = answer(r.body);
  const local = expected(accountsOf(fx, [MGMT]));
  t.same(totalsOf(local), { total_resources: 3, compliant_resources: 1, compliance_score: 0.3333, violation_count: 3, cost_attribution_gap: 12.5 });
  t.same(totalsOf(out), totalsOf(local));
  t.same(violationsOf(out), local.violations);
  t.equal(out.data_quality.status, 'complete');
  t.same(sim.stats().assume_role, {}, 'zero AssumeRole calls at the simulator');
  t.same(Object.keys(sim.stats().calls_by_account), [MGMT], 'only the server\'s own account was called');
});

t.test('UAT-3: a broken role fails that account only; the score comes from the others', async (t) => {
  const fx = mainOrg();
  fx.accounts.push(acct(BROKEN, [ec2('d001', 'us-east-1', COMPLIANT), ec2('d002', 'us-east-1', COMPLIANT)], { role: { name: ROLE, external_id: null, state: 'missing' } }));
  const { app } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, BROKEN] } });
  const out = await scan(app, { account_ids: [A, B, BROKEN] });

  t.same(out.account_metadata, { total_accounts: 3, successful_accounts: [A, B], failed_accounts: [BROKEN], skipped_accounts: [], partial_accounts: [] });
  t.same(
    (out.account_errors ?? []).map((e) => [e.account_id, e.status, e.code, e.role_arn]),
    [[BROKEN, 'failed', 'AssumeRoleFailed', `arn:aws:iam::${BROKEN}:role/${ROLE}`]],
  );
  t.match(out.account_errors?.[0]?.message ?? '', `arn:aws:iam::${BROKEN}:role/${ROLE}`, 'the message names the role to fix');
  const good = expected(accountsOf(fx, [A, B]));
  t.same(totalsOf(good), { total_resources: 8, compliant_resources: 4, compliance_score: 0.5, violation_count: 6, cost_attribution_gap: 25 });
  t.same(totalsOf(out), totalsOf(good), 'numbers from the successful accounts only (the broken one is fully compliant and would raise the score)');
  t.same(violationsOf(out), good.violations);
  t.equal(out.data_quality.status, 'partial');
  t.same([...new Set(out.data_quality.failed.map((f) => `${f.account_id}:${f.error_code}`))], [`${BROKEN}:AssumeRoleFailed`]);
  t.equal(out.data_quality.cells_complete, cellsFor(2));
  t.same(Object.keys(out.account_breakdown ?? {}).sort(), [A, B], 'breakdown for the successful accounts');
});

t.test('UAT-3 (other failures): an untrusted role and a role without permissions fail only their accounts', async (t) => {
  const fx = mainOrg();
  fx.accounts.push(acct(UNTRUSTED, [ec2('d006', 'us-east-1', UNTAGGED)], { role: { name: ROLE, external_id: null, state: 'untrusted' } }));
  fx.accounts.push(acct(DENIED, [ec2('d007', 'us-east-1', UNTAGGED)]));
  const { app } = await harness(t, { fixture: fx, faults: { access_denied_accounts: [DENIED] }, multi_account: { account_ids: [A, UNTRUSTED, DENIED] } });
  const out = await scan(app, { account_ids: [A, UNTRUSTED, DENIED] });
  t.same(out.account_metadata, { total_accounts: 3, successful_accounts: [A], failed_accounts: [UNTRUSTED, DENIED], skipped_accounts: [], partial_accounts: [] });
  t.same(
    (out.account_errors ?? []).map((e) => [e.account_id, e.code, e.role_arn]),
    [
      [UNTRUSTED, 'AssumeRoleFailed', `arn:aws:iam::${UNTRUSTED}:role/${ROLE}`],
      [DENIED, 'AccessDenied', `arn:aws:iam::${DENIED}:role/${ROLE}`],
    ],
  );
  t.match(out.account_errors?.[1]?.message ?? '', `to the role arn:aws:iam::${DENIED}:role/${ROLE}`, 'AccessDenied names the role to fix');
  t.same(totalsOf(out), totalsOf(expected(accountsOf(fx, [A]))));
  t.equal(out.data_quality.status, 'partial');
});

t.test(
  'UAT-3 (wording): an AccessDenied message names the denied action once',
  async (t) => {
    const fx = org([acct(A, [ec2('a001', 'us-east-1', COMPLIANT)]), acct(DENIED, [ec2('d007', 'us-east-1', UNTAGGED)])]);
    const { app } = await harness(t, { fixture: fx, faults: { access_denied_accounts: [DENIED] }, multi_account: { account_ids: [A, DENIED] } });
    const out = await scan(app, { account_ids: [A, DENIED] });
    const message = out.account_errors?.[0]?.message ?? '';
    t.equal(message.split('(ec2:DescribeRegions)').length - 1, 1, message);
  },
);

t.test(
  'UAT-1 (directory): list_accounts marks the configured member accounts scannable',
  async (t) => {
    const fx = mainOrg();
    const { app } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
    const out = await scan(app, { account_ids: [A, B, C] });
    t.same(out.account_metadata?.successful_accounts, [A, B, C], 'the three accounts were scanned');
    const listed = await app.inject({ method: 'POST', url: '/tools/list_accounts', payload: {} });
    t.equal(listed.statusCode, 200);
    const body: unknown = listed.json();
    const accounts = isRecord(body) && Array.isArray(body['accounts']) ? body['accounts'].filter(isRecord) : [];
    t.same(accounts.filter((a) => a['is_local'] !== true).map((a) => [a['account_id'], a['scannable']]), [[A, true], [B, true], [C, true]]);
  },
);

t.test('UAT-1/3 at demo scale: the demo organization, checked with the policy module', async (t) => {
  const fx = demoOrganization();
  const policyFile = 'policies/tagging_policy.json';
  const policy = parsePolicyText(readFileSync(policyFile, 'utf8'), policyFile);
  // Types read by their own service's API (which also returns never-tagged resources).
  const types = ['ec2:instance', 'ec2:volume', 'rds:cluster', 'rds:db', 's3:bucket'];
  const { production, staging, legacy } = DEMO_ACCOUNTS;
  const { app } = await harness(t, { fixture: fx, config: { policy_path: policyFile }, multi_account: { account_ids: [production, staging, legacy] } });
  const out = await scan(app, { account_ids: ['all'], resource_types: types });

  // Expected: the fixture's resources of those types, each evaluated by the policy module.
  const per = new Map<string, { total: number; compliant: number; violations: number }>();
  for (const a of accountsOf(fx, [production, staging])) {
    const c = { total: 0, compliant: 0, violations: 0 };
    for (const r of a.resources) {
      if (!types.includes(r.type)) continue;
      const ev = policy.evaluate(r.type, r.tags);
      if (!ev.in_scope) continue;
      c.total += 1;
      if (ev.compliant) c.compliant += 1;
      c.violations += ev.violations.length;
    }
    per.set(a.id, c);
  }
  const sum = [...per.values()].reduce((s, c) => ({ total: s.total + c.total, compliant: s.compliant + c.compliant, violations: s.violations + c.violations }), { total: 0, compliant: 0, violations: 0 });
  t.ok(sum.total >= 30 && sum.compliant > 0 && sum.compliant < sum.total, `a non-trivial organization (${sum.compliant}/${sum.total} compliant)`);

  const local = DEMO_ACCOUNTS.management;
  t.same(out.account_metadata?.failed_accounts, [legacy], 'legacy: the role does not trust the scanner');
  t.same(out.account_errors?.map((e) => [e.account_id, e.code, e.role_arn]), [[legacy, 'AssumeRoleFailed', `arn:aws:iam::${legacy}:role/${ROLE}`]]);
  t.same([...(out.account_metadata?.successful_accounts ?? [])].sort(), [local, production, staging].sort());
  for (const [id, c] of per) {
    // Costs are allocated by instance size here, so only the counts are compared.
    const got = breakdownTotals(out, id);
    t.same(
      got === null ? null : { ...got, cost_attribution_gap: 0 },
      { total_resources: c.total, compliant_resources: c.compliant, compliance_score: complianceScore(c.compliant, c.total), violation_count: c.violations, cost_attribution_gap: 0 },
      `${id}: breakdown equals the policy module's verdicts on the fixture`,
    );
  }
  const mine = breakdownTotals(out, local);
  t.equal(out.total_resources, sum.total + (mine?.total_resources ?? Number.NaN), 'totals = sum of the successful accounts');
  t.equal(out.compliant_resources, sum.compliant + (mine?.compliant_resources ?? Number.NaN));
  t.equal(out.violation_count, sum.violations + (mine?.violation_count ?? Number.NaN));
});

t.test('UAT-4: a hanging account is timed out at ACCOUNT_SCAN_TIMEOUT_SECONDS while the others finish', async (t) => {
  const fx = mainOrg();
  fx.accounts.push(acct(SLOW, [ec2('f001', 'us-east-1', COMPLIANT)]));
  const { app } = await harness(t, {
    fixture: fx,
    faults: { hang_accounts: [SLOW] },
    multi_account: { account_ids: [A, B, SLOW], account_scan_timeout_seconds: 2 },
  });
  const out = await scan(app, { account_ids: [A, B, SLOW] });
  t.same(out.account_metadata, { total_accounts: 3, successful_accounts: [A, B], failed_accounts: [SLOW], skipped_accounts: [], partial_accounts: [] });
  t.same((out.account_errors ?? []).map((e) => [e.account_id, e.status, e.code]), [[SLOW, 'failed', 'Timeout']]);
  t.match(out.account_errors?.[0]?.message ?? '', /ACCOUNT_SCAN_TIMEOUT_SECONDS \(2 s\)/);
  t.same(totalsOf(out), totalsOf(expected(accountsOf(fx, [A, B]))));
  t.equal(out.data_quality.status, 'partial');
  t.same([...new Set(out.data_quality.failed.map((f) => `${f.account_id}:${f.error_code}`))], [`${SLOW}:Timeout`]);
});

t.test('UAT-5: never more than MAX_CONCURRENT_ACCOUNTS accounts in flight', async (t) => {
  const ids = ['300000000001', '300000000002', '300000000003', '300000000004', '300000000005', '300000000006'];
  const fx = org(ids.map((id, i) => acct(id, [ec2(`${i}00a`, 'us-east-1', COMPLIANT), ec2(`${i}00b`, 'eu-west-1', i % 2 === 0 ? UNTAGGED : BAD_ENV)])));
  const { app, sim } = await harness(t, { fixture: fx, faults: { latency_ms: 30 }, multi_account: { account_ids: ids, max_concurrent_accounts: 2 } });
  sim.resetStats();
  const out = await scan(app, { account_ids: ids });
  t.same(out.account_metadata?.successful_accounts, ids, 'all six accounts complete');
  t.same(totalsOf(out), totalsOf(expected(accountsOf(fx, ids))));
  t.same(totalsOf(expected(accountsOf(fx, ids))), { total_resources: 12, compliant_resources: 6, compliance_score: 0.5, violation_count: 9, cost_attribution_gap: 60 });
  const stats = sim.stats();
  t.ok(stats.max_accounts_in_flight <= 2, `at most 2 accounts in flight (saw ${stats.max_accounts_in_flight})`);
  t.ok(stats.max_accounts_in_flight >= 2, `accounts were scanned in parallel (saw ${stats.max_accounts_in_flight})`);
  t.same(stats.assume_role, Object.fromEntries(ids.map((id) => [id, 1])));
});

t.test('UAT-6: the cache is isolated per account', async (t) => {
  // B starts with EC2 only, so Cost Explorer's new S3 spend for B has no cached resource to land on.
  const fx = org([
    acct(A, [ec2('a001', 'us-east-1', COMPLIANT), ec2('a002', 'eu-west-1', UNTAGGED), bucket('uat-a-data', 'us-east-1', BAD_ENV)]),
    acct(B, [ec2('b001', 'us-east-1', COMPLIANT), ec2('b002', 'eu-west-1', BAD_ENV)]),
  ]);
  const { app, sim } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B] } });

  const first = await scan(app, { account_ids: [A, B] });
  const expA = expected(accountsOf(fx, [A]));
  const expB = expected(accountsOf(fx, [B]));
  t.same(totalsOf(expA), { total_resources: 3, compliant_resources: 1, compliance_score: 0.3333, violation_count: 3, cost_attribution_gap: 12.5 });
  t.same(totalsOf(expB), { total_resources: 2, compliant_resources: 1, compliance_score: 0.5, violation_count: 1, cost_attribution_gap: 10 });
  t.same(breakdownTotals(first, A), totalsOf(expA));
  t.same(breakdownTotals(first, B), totalsOf(expB));

  // A new untagged resource appears in B only.
  const added = bucket('uat-b-new', 'us-east-1', UNTAGGED);
  sim.updateFixture((f) => {
    f.accounts.find((a) => a.id === B)?.resources.push(added);
  });
  sim.resetStats();

  const a1 = await scan(app, { account_ids: [A] });
  t.same(totalsOf(a1), totalsOf(expA), 'A: same numbers');
  t.same(violationsOf(a1), expA.violations);
  t.equal(sim.stats().calls_by_account[A] ?? 0, 0, 'A: answered from cache, no call reached account A');
  t.equal(sim.stats().assume_role[A] ?? 0, 0);

  const bCached = await scan(app, { account_ids: [B] });
  t.same(totalsOf(bCached), totalsOf(expB), 'B without force_refresh: the cached inventory (unchanged)');
  t.equal(sim.stats().calls_by_account[B] ?? 0, 0, 'B: no call reached account B');

  const bFresh = await scan(app, { account_ids: [B], force_refresh: true });
  const expB2 = expected(accountsOf(sim.fixture, [B]));
  t.same(totalsOf(expB2), { total_resources: 3, compliant_resources: 1, compliance_score: 0.3333, violation_count: 3, cost_attribution_gap: 12.5 });
  t.same(totalsOf(bFresh), totalsOf(expB2), 'B with force_refresh shows the new violations');
  t.same(
    violationsOf(bFresh).filter((v) => v.resource_id === added.id).map((v) => [v.account_id, v.tag_name, v.violation_type]),
    [[B, 'Environment', 'missing_required_tag'], [B, 'Owner', 'missing_required_tag']],
  );

  sim.resetStats();
  const a2 = await scan(app, { account_ids: [A] });
  t.same(totalsOf(a2), totalsOf(expA), 'A still unchanged after B was refreshed');
  t.same(violationsOf(a2), expA.violations);
  t.equal(sim.stats().calls_by_account[A] ?? 0, 0);
  const both = await scan(app, { account_ids: [A, B] });
  t.same(breakdownTotals(both, A), totalsOf(expA));
  // Counts only: B's cost in an [A, B] answer is the subject of the todo test below.
  const { cost_attribution_gap: _gap, ...countsB } = breakdownTotals(both, B) ?? totalsOf(expA);
  const { cost_attribution_gap: _want, ...wantB } = totalsOf(expB2);
  t.same(countsB, wantB, 'B: the refreshed inventory is used by a scan of [A, B] too');
});

t.test(
  'UAT-6 (costs): after force_refresh of [B], B\'s cost_attribution_gap in an [A, B] answer agrees with the [B] answer',
  async (t) => {
    const fx = org([acct(A, [ec2('a001', 'us-east-1', COMPLIANT)]), acct(B, [ec2('b001', 'us-east-1', BAD_ENV)])]);
    const { app, sim } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B] } });
    await scan(app, { account_ids: [A, B] });
    sim.updateFixture((f) => {
      f.accounts.find((a) => a.id === B)?.resources.push(bucket('uat-b-new', 'us-east-1', UNTAGGED));
    });
    const fresh = await scan(app, { account_ids: [B], force_refresh: true });
    t.equal(fresh.cost_attribution_gap, 12.5, '[B] after force_refresh: EC2 10 + the new bucket 2.5');
    const both = await scan(app, { account_ids: [A, B] });
    t.equal(both.account_breakdown?.[B]?.total_resources, 2, 'the [A, B] answer already counts the new bucket');
    t.equal(both.account_breakdown?.[B]?.cost_attribution_gap, 12.5, 'and should carry its cost as well');
  },
);

t.test('UAT-7: assumed-role credentials are refreshed when the session expires, and reused until then', async (t) => {
  const fx = org([acct(A, [ec2('a001', 'us-east-1', COMPLIANT)]), acct(B, [ec2('b001', 'us-east-1', UNTAGGED)])]);
  let clock = 0;
  const h = await harness(t, {
    fixture: fx,
    multi_account: { account_ids: [A, B], session_duration_seconds: 900 },
    now: () => new Date(clock),
  });
  const { app, sim } = h;
  clock = sim.now().getTime();
  const advance = (ms: number): void => {
    clock += ms;
    sim.advanceClock(ms);
  };
  const want = totalsOf(expected(accountsOf(fx, [A, B])));
  t.same(want, { total_resources: 2, compliant_resources: 1, compliance_score: 0.5, violation_count: 2, cost_attribution_gap: 10 });

  t.same(totalsOf(await scan(app, { account_ids: [A, B] })), want);
  t.same(sim.stats().assume_role, { [A]: 1, [B]: 1 });

  // Repeated scans within the session lifetime reuse the credentials.
  t.same(totalsOf(await scan(app, { account_ids: [A, B], force_refresh: true })), want);
  advance(4 * 60_000);
  t.same(totalsOf(await scan(app, { account_ids: [A, B], force_refresh: true })), want);
  t.same(sim.stats().assume_role, { [A]: 1, [B]: 1 }, 'at most one AssumeRole per account within the lifetime');

  // 16 minutes after the first AssumeRole the 15-minute session is over.
  advance(12 * 60_000);
  const after = await scan(app, { account_ids: [A, B], force_refresh: true });
  t.same(totalsOf(after), want, 'the scan after expiry still succeeds');
  t.equal(after.data_quality.status, 'complete');
  t.same(after.account_metadata?.failed_accounts, []);
  t.same(sim.stats().assume_role, { [A]: 2, [B]: 2 }, 'one refresh per account');
});

t.test('UAT-8: check_tag_compliance over MCP with account_ids, with progress notifications', async (t) => {
  const fx = mainOrg();
  const h = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  // Spread the calls out so each progress notification leaves before the result.
  h.sim.setFaults({ latency_ms: 15 });
  const mcp = await connectMcp(h.app);
  t.teardown(() => mcp.close());

  const { tools } = await mcp.client.listTools();
  const tool = tools.find((x) => x.name === 'check_tag_compliance');
  const props = tool?.inputSchema.properties;
  const accountIds = isRecord(props) ? props['account_ids'] : undefined;
  t.ok(isRecord(accountIds), 'account_ids is in the inputSchema');
  t.equal(isRecord(accountIds) ? accountIds['type'] : undefined, 'array');
  t.ok(isRecord(tool?.outputSchema), 'an outputSchema is published');

  const updates: Progress[] = [];
  const result = await mcp.client.callTool(
    { name: 'check_tag_compliance', arguments: { account_ids: [A, B, C], limit: 500 } },
    undefined,
    { onprogress: (p) => updates.push(p) },
  );
  t.equal(result.isError, undefined);
  const out = answer(result.structuredContent);
  const all = expected(accountsOf(fx, [A, B, C]));
  t.same(out.account_metadata, { total_accounts: 3, successful_accounts: [A, B, C], failed_accounts: [], skipped_accounts: [], partial_accounts: [] });
  t.same(totalsOf(out), totalsOf(all));
  t.same(violationsOf(out), all.violations);
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.find((c): c is { type: 'text'; text: string } => isRecord(c) && c['type'] === 'text' && typeof c['text'] === 'string');
  t.ok(text !== undefined, 'a text content block is sent too');
  t.same(JSON.parse(text?.text ?? 'null'), result.structuredContent, 'the text is the same answer as valid JSON');

  t.ok(updates.length > 0, `progress notifications arrived (${updates.length})`);
  t.ok(updates.every((u, i) => i === 0 || u.progress > (updates[i - 1]?.progress ?? Infinity)), 'progress strictly increases');
  const last = updates[updates.length - 1];
  if (last?.total !== undefined) t.ok(last.progress <= last.total, 'progress never passes total');
});

t.test('UAT-9: every violation carries the account_id and region of its resource', async (t) => {
  const fx = mainOrg();
  const { app } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  const out = await scan(app, { account_ids: [A, B, C] });
  const owner = new Map<string, { account: string; region: string; type: string }>();
  for (const a of accountsOf(fx, [A, B, C])) for (const r of a.resources) owner.set(r.id, { account: a.id, region: r.region, type: r.type });

  t.equal(out.violations.length, 8);
  for (const v of out.violations) {
    const o = owner.get(v.resource_id);
    t.same([v.account_id, v.region, v.resource_type], [o?.account, o?.region, o?.type], `${v.resource_id}: account and region of the resource`);
    const arnAccount = v.resource_arn.split(':')[4] ?? '';
    if (v.resource_type === 's3:bucket') t.equal(v.resource_arn, `arn:aws:s3:::${v.resource_id}`, 'S3 ARNs carry no account');
    else t.equal(arnAccount, v.account_id, `${v.resource_id}: ARN account = account_id`);
  }
  t.same(
    new Set(out.violations.map((v) => violationKey(v))),
    new Set(expected(accountsOf(fx, [A, B, C])).violations.map(violationKey)),
  );
});

t.test('UAT-10: account_breakdown holds per-account metrics equal to a scan of that account alone', async (t) => {
  const fx = mainOrg();
  const { app } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  const out = await scan(app, { account_ids: [A, B, C] });
  const hand: Record<string, ReturnType<typeof totalsOf>> = {
    [A]: { total_resources: 5, compliant_resources: 2, compliance_score: 0.4, violation_count: 5, cost_attribution_gap: 22.5 },
    [B]: { total_resources: 3, compliant_resources: 2, compliance_score: 0.6667, violation_count: 1, cost_attribution_gap: 2.5 },
    [C]: { total_resources: 1, compliant_resources: 0, compliance_score: 0, violation_count: 2, cost_attribution_gap: 10 },
  };
  for (const id of [A, B, C]) {
    t.same(totalsOf(expected(accountsOf(fx, [id]))), hand[id], `${id}: the hand-worked figures`);
    t.equal(out.account_breakdown?.[id]?.account_id, id);
    t.same(breakdownTotals(out, id), hand[id], `${id}: breakdown entry`);
    const alone = await scan(app, { account_ids: [id] });
    t.same(totalsOf(alone), hand[id], `${id}: a scan of ${id} alone gives the same figures`);
    t.same(breakdownTotals(alone, id), hand[id]);
  }
});

t.test(
  'UAT-10 (alias): account_breakdown.account_alias is the account\'s IAM alias',
  async (t) => {
    const fx = mainOrg();
    const { app } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
    const out = await scan(app, { account_ids: [A, B] });
    t.equal(out.account_breakdown?.[B]?.account_alias, 'bravo', 'B has the IAM alias "bravo"');
    t.equal(out.account_breakdown?.[A]?.account_alias, null, 'A has none');
    const byAlias = await checkCompliance(app, { account_ids: ['bravo'] });
    t.equal(byAlias.status, 200, 'an account can be named by its alias');
  },
);

t.test("the deployment guide's curl form, and an account outside the configured set", async (t) => {
  const fx = mainOrg();
  const { app, sim } = await harness(t, { fixture: fx, multi_account: { account_ids: [A, B, C] } });
  sim.resetStats();
  const res = await app.inject({
    method: 'POST',
    url: '/tools/check_tag_compliance',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: JSON.stringify({ accounts: [A, B] }),
  });
  t.equal(res.statusCode, 200);
  const out = answer(res.json());
  t.same(out.account_metadata, { total_accounts: 2, successful_accounts: [A, B], failed_accounts: [], skipped_accounts: [], partial_accounts: [] });
  t.same(totalsOf(out), totalsOf(expected(accountsOf(fx, [A, B]))));

  sim.resetStats();
  const outsider = '999999999999';
  const refused = await app.inject({
    method: 'POST',
    url: '/tools/check_tag_compliance',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: JSON.stringify({ accounts: [A, outsider] }),
  });
  t.equal(refused.statusCode, 400);
  const body: unknown = refused.json();
  t.ok(isRecord(body) && body['error'] === 'invalid_input', 'error code invalid_input');
  t.match(isRecord(body) ? body['message'] : '', outsider, 'the message names the refused account');
  t.same(sim.stats().assume_role, {}, 'zero AssumeRole calls');
});
