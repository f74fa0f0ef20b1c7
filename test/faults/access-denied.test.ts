/**
 * Fault matrix, case 2: one account refuses the scanner (its role cannot be assumed, or the role
 * works but every call is denied), and one service denied inside an otherwise readable account.
 * Every other account's resources are exactly the clean run's; the failing account is named in
 * account_errors with the role ARN to fix; data_quality is partial with the exact failed cells.
 */
import t, { type Test } from 'tap';
import { loadPolicyFile } from '../../src/policy/index.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import type { SimFaults, SimFixture } from '../../src/simulator/types.js';
import { isolateNetwork } from '../helpers/network.js';
import { failedCells, figures, figureTable, matchesExpectation, othersAsClean, type Figures } from './compare.js';
import { ACCOUNTS, CELLS_PER_ACCOUNT, REGIONS, ROLE, TYPES, expectation, faultFixture, fullScan, inventoryArns, scanCapturedLogs, secrets, startRun, type Scan } from './harness.js';

isolateNetwork();

const rows: Figures[] = [];
const [, M1 = '', M2 = ''] = ACCOUNTS;
const roleArn = (id: string): string => `arn:aws:iam::${id}:role/${ROLE}`;
/** Cells a failed account is charged with when its regions could not be read: one per type. */
const UNKNOWN_REGION_CELLS = TYPES.length;

let clean: Scan;
let policy: CompiledPolicy;

t.before(async () => {
  const run = await startRun(t);
  policy = await loadPolicyFile(run.config.policy_path);
  clean = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('clean', run, clean, 0));
  await run.close();
});

async function faulted(t: Test, name: string, opts: { faults?: SimFaults; fixture?: SimFixture }): Promise<{ scan: Scan; arns: string[]; fixture: SimFixture }> {
  const run = await startRun(t, opts);
  const scan = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures(name, run, scan, 0));
  const arns = await inventoryArns(run.app);
  return { scan, arns, fixture: run.sim.fixture };
}

for (const variant of [
  { name: 'role cannot be assumed', code: 'AssumeRoleFailed', setup: (): { fixture: SimFixture } => untrusted(M2) },
  { name: 'every call denied', code: 'AccessDenied', setup: (): { faults: SimFaults } => ({ faults: { access_denied_accounts: [M2] } }) },
]) {
  t.test(`an AccessDenied account (${variant.name}): the others are exactly the clean answer`, async (t) => {
    const { scan, arns, fixture } = await faulted(t, `account denied (${variant.name})`, variant.setup());
    othersAsClean(t, { got: scan, clean, policy, fixture, failed: M2 });
    t.same(arns, expectation(policy, fixture, ACCOUNTS.filter((id) => id !== M2)).arns, 'the inventory: every other account\'s resource, none of the failed one\'s');
    const a = scan.answer;
    t.same(a.account_metadata, { total_accounts: 4, successful_accounts: ACCOUNTS.filter((id) => id !== M2), failed_accounts: [M2], skipped_accounts: [], partial_accounts: [] });
    t.same(a.account_errors.map((e) => [e.account_id, e.status, e.code, e.role_arn]), [[M2, 'failed', variant.code, roleArn(M2)]], 'account_errors names the account and the role ARN to fix');
    t.match(a.account_errors[0]?.message ?? '', roleArn(M2), 'the message names the role');
    const dq = a.data_quality;
    t.equal(dq.status, 'partial');
    t.equal(dq.cells_requested, 3 * CELLS_PER_ACCOUNT + UNKNOWN_REGION_CELLS, 'cells: 3 readable accounts × 11, plus one per type for the failed account (its regions are unknown)');
    t.equal(dq.cells_complete, 3 * CELLS_PER_ACCOUNT);
    t.same(dq.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code, f.cells]), [[M2, '*', '*', variant.code, UNKNOWN_REGION_CELLS]], 'one entry for the whole account');
    t.equal(failedCells(dq), dq.cells_requested - dq.cells_complete, 'failed + complete = requested');
  });
}

t.test('one service denied inside an account: only its cells are missing, and named', async (t) => {
  const { scan, arns, fixture } = await faulted(t, 'rds denied in one account', { faults: { access_denied_services: { [M1]: ['rds'] } } });
  const lost = (account: string, _region: string, type: string): boolean => account === M1 && type === 'rds:db';
  const want = expectation(policy, fixture, ACCOUNTS, lost);
  matchesExpectation(t, scan, want, 'everything but the denied cells');
  t.same(arns, want.arns, 'the inventory: every resource but M1\'s RDS instances');
  const cleanMinus = new Map([...clean.byResource].filter(([arn]) => !clean.answer.violations.some((v) => v.resource_arn === arn && lost(v.account_id, v.region, v.resource_type))));
  t.same([...scan.byResource], [...cleanMinus], 'the clean run\'s violations minus the denied cells\' resources');
  t.ok(cleanMinus.size < clean.byResource.size, 'the denied cells did hold violating resources');
  const a = scan.answer;
  t.same(a.account_metadata.partial_accounts, [M1]);
  t.same(a.account_metadata.failed_accounts, []);
  t.same(a.account_errors.map((e) => [e.account_id, e.status, e.code]), [[M1, 'partial', 'AccessDenied']]);
  t.match(a.account_errors[0]?.message ?? '', /rds:DescribeDBInstances/, 'the message names the denied action');
  const dq = a.data_quality;
  t.equal(dq.status, 'partial');
  t.equal(dq.cells_requested, ACCOUNTS.length * CELLS_PER_ACCOUNT);
  t.equal(dq.cells_complete, ACCOUNTS.length * CELLS_PER_ACCOUNT - REGIONS.length);
  t.same(
    dq.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code, f.cells ?? 1]).sort(),
    REGIONS.map((r) => [M1, r, 'rds:db', 'AccessDenied', 1]).sort(),
    'exactly the rds:db cells of M1, one per region',
  );
  const untouched = ACCOUNTS.filter((id) => id !== M1);
  const breakdown = clean.answer.account_breakdown;
  for (const id of untouched) t.same(a.account_breakdown[id], breakdown[id], `${id}: as in the clean run`);
});

t.test('figures', async (t) => {
  figureTable(t, rows);
  const lines = scanCapturedLogs(t);
  t.ok(lines > 100, `${lines} log lines and ${secrets.scanned()} texts in all scanned for secrets`);
});

function untrusted(id: string): { fixture: SimFixture } {
  const fixture = faultFixture();
  const account = fixture.accounts.find((a) => a.id === id);
  if (account === undefined) throw new Error(`no account ${id}`);
  account.role.state = 'untrusted';
  return { fixture };
}
