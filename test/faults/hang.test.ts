/**
 * Fault matrix, case 3: an account whose AWS calls are never answered (from the start, or from the
 * middle of its scan). ACCOUNT_SCAN_TIMEOUT_SECONDS fires, the account's in-flight calls are
 * aborted (the simulator sees them closed long before AWS_REQUEST_TIMEOUT_MS), the other accounts
 * complete exactly as in the clean run, data_quality names every unfinished cell, and the wall
 * time is bounded by the configured timeout.
 */
import t, { type Test } from 'tap';
import { loadPolicyFile } from '../../src/policy/index.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import type { SimFaults } from '../../src/simulator/types.js';
import { isolateNetwork } from '../helpers/network.js';
import { eventually } from '../cache/redis-helpers.js';
import { failedCells, figures, figureTable, matchesExpectation, othersAsClean, type Figures } from './compare.js';
import { ACCOUNTS, CELLS_PER_ACCOUNT, TYPES, expectation, fullScan, scanCapturedLogs, secrets, startRun, type Run, type Scan } from './harness.js';

isolateNetwork();

const rows: Figures[] = [];
const HUNG = ACCOUNTS[3] ?? '';
/**
 * The per-account limit under test (the schema's minimum is 30 s; tests may go lower): three times
 * the clean scan of every account (at least 2 s), so the readable accounts always finish in it,
 * however loaded the machine is.
 */
let TIMEOUT_S = 2;
/** Far longer than the test: a hung call still open at the end was not aborted by the scan. */
const REQUEST_TIMEOUT_MS = 120_000;

let clean: Scan;
let policy: CompiledPolicy;

t.before(async () => {
  const run = await startRun(t);
  policy = await loadPolicyFile(run.config.policy_path);
  clean = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('clean', run, clean, 0));
  TIMEOUT_S = Math.max(2, Math.ceil((3 * clean.duration_ms) / 1000));
  await run.close();
});

async function hungRun(t: Test, name: string, faults: SimFaults): Promise<{ run: Run; scan: Scan }> {
  const run = await startRun(t, { faults, config: { aws: { request_timeout_ms: REQUEST_TIMEOUT_MS }, multi_account: { account_scan_timeout_seconds: TIMEOUT_S } } });
  const scan = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures(name, run, scan, 0));
  const { max_concurrent_accounts: parallel, account_scan_timeout_seconds: limit } = run.config.multi_account;
  // Accounts run in waves of MAX_CONCURRENT_ACCOUNTS; none outlives its limit. The clean run's
  // own duration covers the work of the other accounts and the Cost Explorer query.
  const bound = limit * 1000 * Math.ceil(ACCOUNTS.length / parallel) + clean.duration_ms + 1000;
  t.ok(scan.duration_ms >= limit * 1000, `the answer waited for the ${limit} s limit (${scan.duration_ms} ms)`);
  t.ok(scan.duration_ms < bound, `wall time ${scan.duration_ms} ms < ${bound} ms (limit × waves + a clean scan)`);
  t.ok(run.sim.stats().calls_by_account[HUNG] ?? 0, 'calls did reach the hanging account');
  t.ok(await eventually(() => run.sim.stats().in_flight === 0, 40), 'every hung call was closed by the client (aborted), not left to AWS_REQUEST_TIMEOUT_MS');
  return { run, scan };
}

t.test('an account that never answers: timed out, the others exactly as clean', async (t) => {
  const { run, scan } = await hungRun(t, 'hanging account', { hang_accounts: [HUNG] });
  othersAsClean(t, { got: scan, clean, policy, fixture: run.sim.fixture, failed: HUNG });
  const a = scan.answer;
  t.same(a.account_metadata, { total_accounts: 4, successful_accounts: ACCOUNTS.filter((id) => id !== HUNG), failed_accounts: [HUNG], skipped_accounts: [], partial_accounts: [] });
  t.same(a.account_errors.map((e) => [e.account_id, e.status, e.code]), [[HUNG, 'failed', 'Timeout']]);
  t.match(a.account_errors[0]?.message ?? '', `ACCOUNT_SCAN_TIMEOUT_SECONDS (${TIMEOUT_S} s)`, 'the message names the setting');
  const dq = a.data_quality;
  t.equal(dq.status, 'partial');
  t.equal(dq.cells_complete, 3 * CELLS_PER_ACCOUNT);
  t.equal(dq.cells_requested, 3 * CELLS_PER_ACCOUNT + TYPES.length, 'the hung account: one cell per type (its regions were never read)');
  t.same(dq.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code, f.cells]), [[HUNG, '*', '*', 'Timeout', TYPES.length]]);
});

t.test('an account that stops answering mid-scan: what was read is kept, the rest is named', async (t) => {
  const { run, scan } = await hungRun(t, 'account hangs mid-scan', { hang_after_calls: { [HUNG]: 12 } });
  const a = scan.answer;
  const dq = a.data_quality;
  const lost = dq.failed.filter((f) => f.account_id === HUNG);
  t.same([...new Set(dq.failed.map((f) => `${f.account_id}:${f.error_code}`))], [`${HUNG}:Timeout`], 'only the hung account failed, by Timeout');
  t.ok(lost.length > 0 && lost.length < CELLS_PER_ACCOUNT, `${lost.length} of its ${CELLS_PER_ACCOUNT} cells unfinished, the others read before the hang`);
  t.ok(lost.every((f) => f.cells === undefined && f.region !== '*'), 'listed cell by cell');
  t.equal(dq.status, 'partial');
  t.equal(dq.cells_requested, ACCOUNTS.length * CELLS_PER_ACCOUNT);
  t.equal(dq.cells_complete, ACCOUNTS.length * CELLS_PER_ACCOUNT - lost.length);
  t.equal(failedCells(dq), lost.length);
  t.same(a.account_metadata.partial_accounts, [HUNG]);
  t.same(a.account_errors.map((e) => [e.account_id, e.status, e.code]), [[HUNG, 'partial', 'Timeout']]);

  // Exactly the fixture minus the unfinished cells: nothing lost from the finished ones.
  const unfinished = (account: string, region: string, type: string): boolean => lost.some((f) => f.account_id === account && f.region === (type === 's3:bucket' ? 'global' : region) && f.resource_type === type);
  const want = expectation(policy, run.sim.fixture, ACCOUNTS, unfinished);
  matchesExpectation(t, scan, want, 'fixture minus the unfinished cells');
  const inUnfinished = new Set(clean.answer.violations.filter((v) => unfinished(v.account_id, v.region, v.resource_type)).map((v) => v.resource_arn));
  t.same([...scan.byResource], [...clean.byResource].filter(([arn]) => !inUnfinished.has(arn)), "the clean run's violations minus the unfinished cells'");
  for (const id of ACCOUNTS.filter((x) => x !== HUNG)) t.same(a.account_breakdown[id], clean.answer.account_breakdown[id], `${id}: as in the clean run`);
});

t.test('figures', async (t) => {
  figureTable(t, rows);
  const lines = scanCapturedLogs(t);
  t.ok(lines > 100, `${lines} log lines and ${secrets.scanned()} texts in all scanned for secrets`);
});
