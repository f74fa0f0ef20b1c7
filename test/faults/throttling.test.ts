/**
 * Fault matrix, case 1: 30% of every request to every service answered with that service's own
 * throttling error. With AWS_MAX_ATTEMPTS=10 the answer is identical to the clean run of the same
 * fixture (same resources, same violations, data_quality complete), and every retry is visible
 * in the simulator's counters, the gateway's statistics and /metrics.
 */
import t from 'tap';
import { loadPolicyFile } from '../../src/policy/index.js';
import { isolateNetwork } from '../helpers/network.js';
import { counterSum, failedCells, figures, figureTable, lostIn, matchesExpectation, sameAsClean, simCalls, type Figures } from './compare.js';
import { ACCOUNTS, CELLS_PER_ACCOUNT, MEMBERS, TYPES, expectation, fullScan, inventoryArns, scanCapturedLogs, secrets, startRun, untaggedArns } from './harness.js';

isolateNetwork();

const rows: Figures[] = [];

t.test('30% throttling on every service: the answer is the clean answer', async (t) => {
  const clean = await startRun(t);
  const policy = await loadPolicyFile(clean.config.policy_path);
  const want = expectation(policy, clean.sim.fixture, ACCOUNTS);
  const base = await fullScan(t, clean.app, { resource_types: TYPES });
  rows.push(figures('clean', clean, base, 0));
  matchesExpectation(t, base, want, 'clean');
  t.same(base.answer.data_quality.status, 'complete');
  t.equal(base.answer.data_quality.cells_requested, ACCOUNTS.length * CELLS_PER_ACCOUNT, 'every account × region × type cell');
  t.ok(base.byResource.size > 100, `a non-trivial organization (${base.byResource.size} resources with violations of ${base.answer.total_resources})`);
  const calls = clean.sim.stats().calls;
  t.ok((calls['ec2:DescribeInstances'] ?? 0) > 2 * ACCOUNTS.length && (calls['tagging:GetResources'] ?? 0) > 4 * ACCOUNTS.length, 'listings take several pages');
  const cleanArns = await inventoryArns(clean.app);
  t.same(cleanArns, want.arns, 'the inventory holds exactly the fixture\'s in-scope resources');
  const cleanUntagged = await untaggedArns(t, clean.app, { resource_types: TYPES });
  t.ok(cleanUntagged.length > 10, `find_untagged_resources lists ${cleanUntagged.length} resources`);
  await clean.close();

  const run = await startRun(t, { faults: { throttle_rate: 0.3, seed: 7 }, config: { aws: { max_attempts: 10 } } });
  const got = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('30% throttling, AWS_MAX_ATTEMPTS=10', run, got));
  sameAsClean(t, got, base, 'throttled');
  matchesExpectation(t, got, want, 'throttled');
  t.same(await inventoryArns(run.app), cleanArns, 'the same resource ARNs as the clean run');
  t.same(await untaggedArns(t, run.app, { resource_types: TYPES }), cleanUntagged, 'find_untagged_resources: the same ARNs as the clean run');

  // The retries are real and counted everywhere.
  const sim = simCalls(run.sim);
  t.ok(sim.throttled >= 10, `the simulator throttled ${sim.throttled} of ${sim.calls} requests`);
  const share = sim.throttled / sim.calls;
  t.ok(share > 0.15 && share < 0.45, `about 30% of requests throttled (${(share * 100).toFixed(1)}%)`);
  const gateway = run.app.aws.stats();
  t.equal(gateway.throttled, sim.throttled, 'the gateway counted every throttled answer');
  t.equal(Object.values(gateway.calls).reduce((n, v) => n + v, 0), sim.calls, 'the gateway counted every attempt the simulator saw');
  const metrics = await run.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  secrets.check(t, '/metrics', metrics.body);
  t.equal(counterSum(metrics.body, 'finops_aws_calls_total', { outcome: 'throttled' }), sim.throttled, '/metrics: throttled attempts = the simulator\'s count');
  t.equal(counterSum(metrics.body, 'finops_aws_calls_total', {}), sim.calls, '/metrics: every attempt');
  // check_tag_compliance, the inventory read of inventoryArns, find_untagged_resources
  t.equal(counterSum(metrics.body, 'finops_scans_total', { outcome: 'complete' }), 3, '/metrics: all three scans complete');
});

t.test('throttling that outlasts the SDK attempts: every lost resource is in a failed cell, nothing else is lost', async (t) => {
  // 50% throttling with 2 attempts: a quarter of the calls give up. Which cells fail depends on
  // timing; whatever fails must be named, and everything else must be exactly the fixture.
  const run = await startRun(t, { faults: { throttle_rate: 0.5, seed: 11 }, config: { aws: { max_attempts: 2 } } });
  const policy = await loadPolicyFile(run.config.policy_path);
  const accounts = [MEMBERS[0] ?? ''];
  const got = await fullScan(t, run.app, { resource_types: TYPES, account_ids: accounts });
  rows.push(figures('50% throttling, AWS_MAX_ATTEMPTS=2, one account', run, got));
  const dq = got.answer.data_quality;
  // With this seed some cells give up (a handful of 11); were none to, the checks below still hold.
  t.comment(`${failedCells(dq)} of ${dq.cells_requested} cells gave up`);
  t.ok(dq.failed.every((f) => f.error_code === 'Throttling'), 'every failure is named Throttling');
  t.equal(dq.status, dq.failed.length > 0 ? 'partial' : 'complete');
  t.equal(dq.cells_complete + failedCells(dq), dq.cells_requested, 'complete + failed = requested');
  const want = expectation(policy, run.sim.fixture, accounts, lostIn(dq));
  t.same({ total: got.answer.total_resources, violations: got.answer.violation_count }, { total: want.total_resources, violations: want.violation_count }, 'totals: the fixture minus the failed cells');
  t.same([...got.byResource], [...want.byResource], 'per-resource violations: the fixture minus the failed cells');
});

t.test('figures', async (t) => {
  figureTable(t, rows);
  const lines = scanCapturedLogs(t);
  t.ok(lines > 100, `${lines} log lines and ${secrets.scanned()} texts in all scanned for secrets`);
});
