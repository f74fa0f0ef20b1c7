/**
 * Fault matrix, case 4: assumed-role credentials expiring mid-scan.
 *  - revoked under the server (the simulator expires the account's sessions after N of its calls
 *    while the server's clock still trusts them): the calls refused with ExpiredToken refresh the
 *    credentials once and are retried;
 *  - the simulated clock jumps while the server runs on that clock (15-minute sessions): before the
 *    sessions expire the cache refreshes them early; past expiry the refused calls and the early
 *    refresh share one AssumeRole.
 * Every case: the clean answer exactly, data_quality complete, one extra AssumeRole for the
 * account whose credentials expired and none for the others.
 */
import t, { type Test } from 'tap';
import { loadPolicyFile } from '../../src/policy/index.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { isolateNetwork } from '../helpers/network.js';
import { figures, figureTable, matchesExpectation, sameAsClean, type Figures } from './compare.js';
import { ACCOUNTS, MEMBERS, TYPES, expectation, fullScan, scanCapturedLogs, secrets, startRun, type Run, type Scan } from './harness.js';

isolateNetwork();

const rows: Figures[] = [];
const [M1 = '', M2 = ''] = MEMBERS;
const MINUTE = 60_000;
const SESSION_S = 900;

let clean: Scan;
let policy: CompiledPolicy;
let cleanCalls: Record<string, number>;

t.before(async () => {
  const run = await startRun(t);
  policy = await loadPolicyFile(run.config.policy_path);
  clean = await fullScan(t, run.app, { resource_types: TYPES });
  cleanCalls = run.sim.stats().calls_by_account;
  rows.push(figures('clean', run, clean, 0));
  t.same(run.sim.stats().assume_role, Object.fromEntries(MEMBERS.map((id) => [id, 1])), 'clean: one AssumeRole per member account');
  await run.close();
});

/** Halfway through the account's calls in the clean run (so the fault lands mid-scan). */
const halfway = (id: string): number => Math.floor((cleanCalls[id] ?? 0) / 2);

function refreshedOnce(t: Test, run: Run, scan: Scan, account: string): void {
  sameAsClean(t, scan, clean, 'after the expiry');
  matchesExpectation(t, scan, expectation(policy, run.sim.fixture, ACCOUNTS), 'after the expiry');
  t.equal(scan.answer.data_quality.status, 'complete', 'no cell lost');
  t.same(run.sim.stats().assume_role, Object.fromEntries(MEMBERS.map((id) => [id, id === account ? 2 : 1])), `AssumeRole: 2 for ${account} (one refresh), 1 for the others`);
  t.same(Object.keys(run.sim.stats().expired_tokens).filter((id) => id !== account), [], 'no other account saw an expired token');
}

t.test('sessions revoked under the server: ExpiredToken answers refresh once, the scan completes', async (t) => {
  const run = await startRun(t, { faults: { expire_sessions: [{ account_id: M1, after_calls: halfway(M1) }] } });
  const scan = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('sessions revoked mid-scan', run, scan));
  const expired = run.sim.stats().expired_tokens[M1] ?? 0;
  t.ok(expired >= 1, `${expired} call(s) refused with ExpiredToken, each retried`);
  t.ok(expired <= run.config.scan.max_concurrent_cells_per_account + 1, 'at most the calls in flight at the expiry (cells at once, plus the alias/regions step)');
  refreshedOnce(t, run, scan, M1);
  t.ok(run.lines.some((l) => l.includes('credentials expired during a call; refreshing and retrying once')), 'the refresh is logged');
});

for (const jump of [
  { name: 'clock jumps 11 min (inside the early-refresh window)', minutes: 11, refused: false },
  { name: 'clock jumps 16 min (past expiry)', minutes: 16, refused: true },
]) {
  t.test(`15-minute sessions, ${jump.name}: refreshed once, nothing lost`, async (t) => {
    let run: Run | null = null;
    // The server judges expiry on the simulated clock; accounts one at a time, so the jump lands
    // inside M2's scan: the accounts before it finished, the ones after assume the role afterwards.
    run = await startRun(t, {
      faults: { clock_jumps: [{ account_id: M2, after_calls: halfway(M2), advance_ms: jump.minutes * MINUTE }] },
      config: { multi_account: { session_duration_seconds: SESSION_S, max_concurrent_accounts: 1 } },
      now: () => (run === null ? new Date() : run.sim.now()),
    });
    const startedAt = run.sim.now().getTime();
    const scan = await fullScan(t, run.app, { resource_types: TYPES });
    rows.push(figures(`15-min sessions, ${jump.name}`, run, scan));
    const jumps = run.sim.stats().clock_jumps;
    t.same(jumps.map((j) => [j.account_id, j.advance_ms]), [[M2, jump.minutes * MINUTE]], 'the clock jumped once, during M2\'s scan');
    t.ok(run.sim.now().getTime() - startedAt >= jump.minutes * MINUTE, 'the simulated clock moved');
    refreshedOnce(t, run, scan, M2);
    const refused = run.sim.stats().expired_tokens[M2] ?? 0;
    if (jump.refused) t.ok(refused <= run.config.scan.max_concurrent_cells_per_account, `${refused} call(s) in flight at the jump refused as expired, all retried`);
    else t.equal(refused, 0, 'refreshed before expiry: no call refused');
  });
}

t.test('figures', async (t) => {
  figureTable(t, rows);
  const lines = scanCapturedLogs(t);
  t.ok(lines > 100, `${lines} log lines and ${secrets.scanned()} texts in all scanned for secrets`);
});
