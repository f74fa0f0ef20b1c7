import t from 'tap';
import { CancelledError, UserError } from '../../src/core/errors.js';
import type { ProgressUpdate } from '../../src/core/types.js';
import { harness } from './helpers.js';
import { A, account, B, C, D, E, LOCAL, TYPES } from './fixtures.js';
import type { InventoryRequest } from '../../src/scan/types.js';

function req(account_ids: string[] | null, extra: Partial<InventoryRequest> = {}): InventoryRequest {
  return { account_ids, regions: null, resource_types: TYPES, force_refresh: false, signal: new AbortController().signal, ...extra };
}

t.test('single-account mode scans only the local account, single-account shape', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL, 3), [A]: account(A) } });
  const inv = await h.inventory.collect(req(null));
  t.equal(inv.multi_account, false);
  t.same(inv.accounts.map((a) => [a.account_id, a.status, a.resource_count]), [[LOCAL, 'succeeded', 7]]);
  t.equal(inv.resources.length, 7);
  t.same([...new Set(inv.resources.map((r) => r.account_id))], [LOCAL]);
  t.same(h.gateway.ensureCalls, [LOCAL]);
  t.equal(h.gateway.listCallsOf(A), 0);
  t.same(inv.regions, ['eu-west-1', 'us-east-1']);
  t.same(inv.data_quality, { status: 'complete', cells_requested: 3, cells_complete: 3, failed: [], coverage_notes: [] });
  t.equal(inv.cells_scanned, 3);
  t.equal(inv.cells_from_cache, 0);
});

t.test('accounts are scanned in parallel; per-account totals and breakdown', async (t) => {
  const h = harness({ local: LOCAL, delay_ms: 5, accounts: { [LOCAL]: account(LOCAL), [A]: account(A, 1), [B]: account(B, 2), [C]: account(C, 4) } });
  const inv = await h.inventory.collect(req([A, B, C]));
  t.equal(inv.multi_account, true);
  t.same(
    inv.accounts.map((a) => [a.account_id, a.status, a.resource_count, a.error]),
    [
      [A, 'succeeded', 3, null],
      [B, 'succeeded', 5, null],
      [C, 'succeeded', 9, null],
    ],
  );
  t.equal(inv.resources.length, 17);
  for (const id of [A, B, C]) t.equal(inv.resources.filter((r) => r.account_id === id).length, inv.accounts.find((a) => a.account_id === id)?.resource_count);
  t.equal(h.gateway.maxAccountsInFlight, 3, 'all three accounts were in flight together');
  t.equal(h.gateway.listCallsOf(LOCAL), 0, 'the local account is not scanned unless asked');
  t.same(inv.data_quality.status, 'complete');
  t.equal(inv.data_quality.cells_requested, 9);
  // Global types are read once per account, in region `global`.
  for (const id of [A, B, C]) t.equal(h.gateway.listCalls.get(`${id}|global|s3:bucket`), 1);
  t.same(inv.regions, ['eu-west-1', 'us-east-1']);
});

t.test('a failed account does not fail the others; data_quality lists exactly its cells', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B, 2, { assume_fails: 'AssumeRoleFailed' }), [C]: account(C) } });
  const inv = await h.inventory.collect(req([A, B, C], { regions: ['us-east-1'] }));
  const b = inv.accounts.find((a) => a.account_id === B);
  t.equal(b?.status, 'failed');
  t.equal(b?.error?.code, 'AssumeRoleFailed');
  t.equal(b?.error?.role_arn, `arn:aws:iam::${B}:role/FinOpsTagComplianceReadOnly`);
  t.equal(b?.resource_count, 0);
  t.same(inv.accounts.filter((a) => a.status === 'succeeded').map((a) => a.account_id), [A, C]);
  t.equal(inv.resources.length, 6, 'A and C: 2 instances in us-east-1 + 1 bucket each');
  t.equal(inv.data_quality.status, 'partial');
  t.same(
    inv.data_quality.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code, f.cells]),
    [[B, '*', '*', 'AssumeRoleFailed', 2]],
    'a wholly failed account is one entry standing for its 2 cells',
  );
  t.equal(inv.data_quality.cells_requested, 6);
  t.equal(inv.data_quality.cells_complete, 4);
  t.equal(h.gateway.listCallsOf(B), 0);
  t.same(h.accounts.lastAssumeRole(B) !== null && { ok: h.accounts.lastAssumeRole(B)?.ok, error: typeof h.accounts.lastAssumeRole(B)?.error }, { ok: false, error: 'string' });
  t.equal(h.accounts.lastAssumeRole(A)?.ok, true);
});

t.test('a failed cell makes its account partial and is listed with its code', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A, 2, { cell_failures: { 'eu-west-1|ec2:instance': 'AccessDenied' } }), [B]: account(B) } });
  const inv = await h.inventory.collect(req([A, B]));
  const a = inv.accounts.find((x) => x.account_id === A);
  t.equal(a?.status, 'partial');
  t.equal(a?.error?.code, 'AccessDenied');
  t.equal(a?.error?.role_arn, `arn:aws:iam::${A}:role/FinOpsTagComplianceReadOnly`, 'AccessDenied names the role to fix');
  t.equal(a?.resource_count, 3);
  t.same(inv.data_quality.failed, [{ account_id: A, region: 'eu-west-1', resource_type: 'ec2:instance', error_code: 'AccessDenied', message: 'AccessDenied reading ec2:instance in eu-west-1' }]);
  t.equal(inv.data_quality.cells_requested, 6);
  t.equal(inv.data_quality.cells_complete, 5);
  t.equal(inv.resources.filter((r) => r.account_id === A && r.region === 'eu-west-1' && r.type === 'ec2:instance').length, 0, 'a failed cell contributes nothing, never a silent zero as complete');
  // A failed cell is not cached: the next scan reads it again.
  await h.inventory.collect(req([A]));
  t.equal(h.gateway.listCalls.get(`${A}|eu-west-1|ec2:instance`), 2);
  t.equal(h.gateway.listCalls.get(`${A}|us-east-1|ec2:instance`), 1);
});

t.test('MAX_CONCURRENT_ACCOUNTS caps the accounts in flight', async (t) => {
  const accounts = { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B), [C]: account(C), [D]: account(D), [E]: account(E) };
  const h = harness({ local: LOCAL, delay_ms: 10, accounts }, { multi_account: { max_concurrent_accounts: 2 } });
  const inv = await h.inventory.collect(req([A, B, C, D, E]));
  t.equal(h.gateway.maxAccountsInFlight, 2);
  t.same(inv.accounts.map((a) => a.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  t.equal(inv.resources.length, 25);
});

t.test('cells inside an account run with bounded concurrency', async (t) => {
  const h = harness({ local: LOCAL, delay_ms: 10, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } }, { scan: { max_concurrent_cells_per_account: 2 } });
  const inv = await h.inventory.collect(req([A], { resource_types: ['ec2:instance', 'ec2:volume', 's3:bucket'] }));
  t.equal(inv.data_quality.cells_requested, 5);
  t.equal(h.gateway.maxInFlight.get(A), 2);
});

t.test('the account time limit aborts the hanging account; the others finish', async (t) => {
  const accounts = { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B, 2, { hang: true }), [C]: account(C) };
  const h = harness({ local: LOCAL, accounts }, { multi_account: { account_scan_timeout_seconds: 0.2 } });
  const inv = await h.inventory.collect(req([A, B, C]));
  const b = inv.accounts.find((x) => x.account_id === B);
  t.equal(b?.status, 'failed');
  t.equal(b?.error?.code, 'Timeout');
  t.match(b?.error?.message, /ACCOUNT_SCAN_TIMEOUT_SECONDS \(0\.2 s\)/);
  t.same(h.gateway.aborted, [`${B}:ensureAccount`], 'the hanging call saw the abort');
  t.equal(h.gateway.inFlight.get(B), 0, 'nothing of B is left in flight');
  t.same(inv.accounts.filter((x) => x.status === 'succeeded').map((x) => x.account_id), [A, C]);
  t.equal(inv.resources.length, 10);
  t.same(inv.data_quality.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code]), [[B, '*', '*', 'Timeout']]);
  t.equal(inv.data_quality.failed[0]?.cells, 2);
});

t.test('at the time limit, finished cells are kept and unfinished ones are Timeout', async (t) => {
  const accounts = { [LOCAL]: account(LOCAL), [A]: account(A, 2, { hang_cells: ['us-east-1|ec2:instance'] }) };
  const h = harness({ local: LOCAL, accounts }, { multi_account: { account_scan_timeout_seconds: 0.2 }, scan: { max_concurrent_cells_per_account: 1 } });
  const inv = await h.inventory.collect(req([A]));
  const a = inv.accounts[0];
  t.equal(a?.status, 'partial');
  t.equal(a?.error?.code, 'Timeout');
  t.same(h.gateway.aborted, [`${A}:listCell:us-east-1|ec2:instance`]);
  // Cell order: eu-west-1 instance (read), us-east-1 instance (hangs), bucket (never started).
  t.same(inv.data_quality.failed.map((f) => [f.region, f.resource_type, f.error_code]), [['us-east-1', 'ec2:instance', 'Timeout'], ['global', 's3:bucket', 'Timeout']]);
  t.equal(inv.data_quality.cells_complete, 1);
  t.equal(inv.resources.length, 2);
  t.equal(h.gateway.listCalls.get(`${A}|global|s3:bucket`), undefined, 'no new call starts after the limit');
});

t.test('credentials have their own limit', async (t) => {
  const accounts = { [LOCAL]: account(LOCAL), [A]: account(A, 2, { hang: true }), [B]: account(B) };
  const h = harness({ local: LOCAL, accounts }, {}, { credentialTimeoutMs: 50 });
  const inv = await h.inventory.collect(req([A, B]));
  t.same(inv.accounts.map((a) => [a.account_id, a.status, a.error?.code ?? null]), [[A, 'failed', 'Timeout'], [B, 'succeeded', null]]);
  t.match(inv.accounts[0]?.error?.message, /credentials/);
  t.equal(inv.accounts[0]?.error?.role_arn, `arn:aws:iam::${A}:role/FinOpsTagComplianceReadOnly`);
  t.equal(h.accounts.lastAssumeRole(A)?.ok, false);
});

t.test('cancelling the request aborts everything and rejects with CancelledError', async (t) => {
  const accounts = { [LOCAL]: account(LOCAL), [A]: account(A, 2, { hang: true }), [B]: account(B, 2, { hang_cells: ['eu-west-1|ec2:instance'] }), [C]: account(C) };
  const h = harness({ local: LOCAL, accounts }, { multi_account: { max_concurrent_accounts: 2 } });
  const controller = new AbortController();
  const updates: ProgressUpdate[] = [];
  const pending = h.inventory.collect(req([A, B, C], { signal: controller.signal, progress: (u) => updates.push(u) }));
  // Wait until both hanging calls are in flight, then cancel.
  const ready = (): boolean => h.gateway.inFlight.get(A) === 1 && h.gateway.listCalls.get(`${B}|eu-west-1|ec2:instance`) === 1 && h.gateway.inFlight.get(B) === 1;
  while (!ready()) await new Promise((r) => setImmediate(r));
  controller.abort();
  await t.rejects(pending, CancelledError);
  t.same([...h.gateway.aborted].sort(), [`${A}:ensureAccount`, `${B}:listCell:eu-west-1|ec2:instance`]);
  t.equal(h.gateway.ensureCalls.includes(C), false, 'the queued account never starts');
  t.equal(h.lines.some((l) => l.msg === 'scan cancelled'), true);
});

t.test('an already-aborted signal rejects before any AWS call', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  const controller = new AbortController();
  controller.abort();
  await t.rejects(h.inventory.collect(req([A], { signal: controller.signal })), CancelledError);
  t.same(h.gateway.ensureCalls, []);
});

t.test('an unexpected error in one account is reported as Internal; the others finish', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  const original = h.gateway.ensureAccount.bind(h.gateway);
  h.gateway.ensureAccount = async (id: string, signal: AbortSignal) => {
    if (id === B) throw new TypeError('bug in a lower layer');
    return original(id, signal);
  };
  const inv = await h.inventory.collect(req([A, B], { regions: ['us-east-1'] }));
  t.same(inv.accounts.map((a) => [a.account_id, a.status, a.error?.code ?? null]), [[A, 'succeeded', null], [B, 'failed', 'Internal']]);
  t.same(inv.data_quality.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code]), [[B, '*', '*', 'Internal']]);
  t.equal(inv.data_quality.failed[0]?.cells, 2);
  t.equal(inv.data_quality.cells_requested - inv.data_quality.cells_complete, 2);
  t.equal(inv.accounts[1]?.error?.message.includes('bug in a lower layer'), false, 'internal detail stays in the log');
  t.equal(h.lines.some((l) => l.level === 'error'), true);
});

t.test('an account whose scan itself breaks is failed as Internal, without failing the call', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  const progress = (u: ProgressUpdate): void => {
    if (u.message?.startsWith(B) === true) throw new Error('reporter broke');
  };
  const inv = await h.inventory.collect(req([A, B], { regions: ['us-east-1'], progress }));
  t.same(inv.accounts.map((a) => [a.account_id, a.status, a.error?.code ?? null]), [[A, 'succeeded', null], [B, 'failed', 'Internal']]);
  t.equal(inv.data_quality.cells_requested, 4);
  t.same(inv.data_quality.failed.map((f) => [f.account_id, f.region, f.resource_type, f.error_code, f.cells]), [[B, '*', '*', 'Internal', 2]]);
  t.equal(inv.resources.some((r) => r.account_id === B), false);
  t.equal(h.lines.some((l) => l.msg === 'account scan failed unexpectedly'), true);
});

t.test('partial failures stay listed cell by cell; only wholly failed accounts collapse', async (t) => {
  const { collapseWholeAccountFailures } = await import('../../src/scan/orchestrator.js');
  const cell = (account_id: string, region: string, resource_type: string) => ({ account_id, region, resource_type });
  const err = (code: string) => ({ code, message: `${code} happened`, role_arn: null });
  const failed = [
    { ...cell(A, 'us-east-1', 'ec2:instance'), error_code: 'Throttling', message: 'Throttling happened' },
    { ...cell(B, 'us-east-1', 'ec2:instance'), error_code: 'Timeout', message: 'Timeout happened' },
    { ...cell(B, 'global', 's3:bucket'), error_code: 'Timeout', message: 'Timeout happened' },
  ];
  const results = [
    { outcome: { account_id: A }, cells: [{ cell: cell(A, 'us-east-1', 'ec2:instance'), error: err('Throttling') }, { cell: cell(A, 'global', 's3:bucket'), error: null }] },
    { outcome: { account_id: B }, cells: [{ cell: cell(B, 'us-east-1', 'ec2:instance'), error: err('Timeout') }, { cell: cell(B, 'global', 's3:bucket'), error: err('Timeout') }] },
  ] as unknown as Parameters<typeof collapseWholeAccountFailures>[1];
  t.same(collapseWholeAccountFailures(failed, results), [
    failed[0],
    { account_id: B, region: '*', resource_type: '*', error_code: 'Timeout', message: 'Timeout happened', cells: 2 },
  ]);
});
