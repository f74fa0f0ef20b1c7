import t from 'tap';
import { UserError } from '../../src/core/errors.js';
import type { ProgressUpdate } from '../../src/core/types.js';
import { harness } from './helpers.js';
import { A, account, B, C, LOCAL, TYPES } from './fixtures.js';
import type { InventoryRequest } from '../../src/scan/types.js';

function req(account_ids: string[] | null, extra: Partial<InventoryRequest> = {}): InventoryRequest {
  return { account_ids, regions: null, resource_types: TYPES, force_refresh: false, signal: new AbortController().signal, ...extra };
}

t.test('accounts outside the directory are refused before any AssumeRole', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  await t.rejects(h.inventory.collect(req([A, '123123123123'])), { name: 'UserError', message: /123123123123.*not in the configured account set/ });
  t.same(h.gateway.ensureCalls, []);
  await t.rejects(h.inventory.collect(req([])), UserError);
  await t.rejects(h.inventory.collect(req([A], { resource_types: [] })), UserError);
});

t.test('unknown, disabled or disallowed requested regions are a UserError naming them', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  await t.rejects(h.inventory.collect(req([A], { regions: ['us-east-1', 'ap-south-1'] })), { name: 'UserError', message: 'Region(s) ap-south-1 are unknown or not enabled. Enabled regions: eu-west-1, us-east-1.' });
  await t.rejects(h.inventory.collect(req([A], { regions: ['mars'] })), { name: 'UserError', message: /Unknown region name\(s\): mars/ });
  t.same(h.gateway.ensureCalls, []);

  const narrowed = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } }, { aws: { allowed_regions: ['us-east-1'] } });
  await t.rejects(narrowed.inventory.collect(req([A], { regions: ['eu-west-1'] })), { name: 'UserError', message: /eu-west-1 are outside ALLOWED_REGIONS\. Allowed: us-east-1/ });
  const inv = await narrowed.inventory.collect(req([A]));
  t.same(inv.regions, ['us-east-1'], 'ALLOWED_REGIONS narrows the enabled regions');
  t.equal(inv.data_quality.cells_requested, 2);
});

t.test('a requested region not enabled in one member account is noted, not failed', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: { ...account(B), regions: ['us-east-1'] } } });
  const inv = await h.inventory.collect(req([A, B], { regions: ['eu-west-1', 'us-east-1'] }));
  t.equal(inv.data_quality.status, 'complete');
  t.equal(inv.data_quality.cells_requested, 5);
  t.equal(h.gateway.listCalls.get(`${B}|eu-west-1|ec2:instance`), undefined);
  t.same(inv.data_quality.coverage_notes, [
    'Global type(s) s3:bucket are read once per account and are not narrowed by the region filter.',
    `Region(s) eu-west-1 are not enabled in account ${B}: nothing to read there.`,
  ]);
});

t.test('data_quality: exact counts, Tagging API note, skipped accounts named', async (t) => {
  const h = harness({
    local: LOCAL,
    accounts: { [LOCAL]: account(LOCAL), [A]: account(A, 2, { cell_failures: { 'global|s3:bucket': 'Throttling' } }), [B]: account(B) },
  });
  const inv = await h.inventory.collect(
    req([A, B], { resource_types: ['ec2:instance', 's3:bucket', 'lambda:function'], skipped_accounts: [{ account_id: C, reason: 'account is SUSPENDED' }] }),
  );
  t.equal(inv.data_quality.status, 'partial');
  t.equal(inv.data_quality.cells_requested, 10, '2 accounts × (2 regions × 2 regional types + 1 global)');
  t.equal(inv.data_quality.cells_complete, 9);
  t.equal(inv.data_quality.cells_requested, inv.data_quality.cells_complete + inv.data_quality.failed.length);
  t.same(inv.data_quality.failed, [{ account_id: A, region: 'global', resource_type: 's3:bucket', error_code: 'Throttling', message: 'Throttling reading s3:bucket in global' }]);
  t.same(inv.data_quality.coverage_notes, [
    'Lambda function (lambda:function) is listed through the Resource Groups Tagging API, which cannot see resources that have never been tagged: such resources are missing from these numbers.',
    `Account ${C} was not scanned: account is SUSPENDED.`,
  ]);
  t.same(
    inv.accounts.map((a) => [a.account_id, a.status]),
    [
      [A, 'partial'],
      [B, 'succeeded'],
      [C, 'skipped'],
    ],
  );
  t.same(inv.resource_types, ['ec2:instance', 's3:bucket', 'lambda:function']);
});

t.test('progress: one report per finished cell and account, increasing, ending at the total', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B, 2, { assume_fails: 'AssumeRoleFailed' }) } }, { multi_account: { max_concurrent_accounts: 1 } });
  const updates: ProgressUpdate[] = [];
  await h.inventory.collect(req([A, B], { regions: ['eu-west-1', 'us-east-1'], progress: (u) => updates.push(u) }));
  t.same(
    updates.map((u) => u.progress),
    [1, 2, 3, 6],
  );
  for (let i = 1; i < updates.length; i++) t.ok((updates[i]?.progress ?? 0) > (updates[i - 1]?.progress ?? 0));
  t.equal(updates.at(-1)?.total, 6);
  t.same(
    updates.map((u) => u.message),
    [`${A}: 1/3 cells`, `${A}: 2/3 cells`, `${A}: 3/3 cells, 5 resources`, `${B}: failed (AssumeRoleFailed), 0/3 cells read`],
  );
});

t.test('progress messages name the account by name when the directory knows it', async (t) => {
  const h = harness(
    { local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) }, org_accounts: [{ account_id: A, name: 'production', alias: 'prod', ou: null, status: 'ACTIVE', is_local: false }] },
    { multi_account: { discovery: 'organizations' } },
  );
  const updates: ProgressUpdate[] = [];
  const inv = await h.inventory.collect(req([A], { progress: (u) => updates.push(u) }));
  t.equal(updates.at(-1)?.message, `production (${A}): 3/3 cells, 5 resources`);
  t.equal(inv.accounts[0]?.account_name, 'production');
  t.equal(inv.accounts[0]?.account_alias, 'prod');
});

t.test('logs: one info line at start, one per account, one at the end; cells at debug', async (t) => {
  const h = harness({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) } });
  await h.inventory.collect(req([A, B]));
  const info = h.lines.filter((l) => l.level === 'info').map((l) => l.msg);
  t.equal(info.length, 4);
  t.equal(info[0], 'scan started: 2 account(s), 2 type(s)');
  t.same(info.slice(1, 3).sort(), [`account scan succeeded: ${A}`, `account scan succeeded: ${B}`]);
  t.equal(info[3], 'scan finished: complete');
  t.equal(h.lines.filter((l) => l.level === 'debug' && l.msg === 'cell finished').length, 6);
  const end = h.lines.find((l) => l.msg === 'scan finished: complete')?.obj as Record<string, unknown>;
  t.match(end, { accounts: 2, resources: 10, cells_requested: 6, cells_failed: 0, cells_from_cache: 0, cells_scanned: 6, data_quality: 'complete' });
});
