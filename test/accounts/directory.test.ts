import t from 'tap';
import { createAccountDirectory } from '../../src/accounts/directory.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import type { DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import type { AccountInfo } from '../../src/core/types.js';
import { FakeGateway } from '../scan/fake-gateway.js';
import { captureLogger, scanConfig } from '../scan/helpers.js';
import { A, account, B, C, D, LOCAL } from '../scan/fixtures.js';

const ORG: AccountInfo[] = [
  { account_id: LOCAL, name: 'management', alias: null, ou: 'r-root', status: 'ACTIVE', is_local: false },
  { account_id: A, name: 'Production', alias: 'prod', ou: 'ou-prod', status: 'ACTIVE', is_local: false },
  { account_id: B, name: 'Staging', alias: 'stage', ou: 'ou-dev', status: 'ACTIVE', is_local: false },
  { account_id: C, name: 'Old sandbox', alias: null, ou: 'ou-dev', status: 'SUSPENDED', is_local: false },
  { account_id: D, name: 'Excluded', alias: null, ou: 'ou-dev', status: 'ACTIVE', is_local: false },
];

function setup(overrides: DeepPartial<AppConfig>) {
  let nowMs = Date.parse('2026-01-01T00:00:00Z');
  const gateway = new FakeGateway({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A), [B]: account(B) }, org_accounts: ORG });
  const config = scanConfig(overrides);
  const cache = createResultCache(createMemoryStore({ maxBytes: 1 << 20, now: () => nowMs }), { now: () => new Date(nowMs) });
  const { logger } = captureLogger();
  const dir = createAccountDirectory({ gateway, cache, config, logger, now: () => new Date(nowMs) });
  return { gateway, dir, advance: (ms: number) => void (nowMs += ms) };
}

const signal = new AbortController().signal;
const ids = (xs: { account_id: string }[]): string[] => xs.map((x) => x.account_id);

t.test('static mode: configured ids minus excluded, plus the local account', async (t) => {
  const { dir, gateway } = setup({ multi_account: { account_ids: [A, B, D], exclude: [D] } });
  t.equal(dir.multiAccountEnabled, true);
  const list = await dir.list(signal);
  t.same(ids(list), [LOCAL, A, B]);
  t.same(list[0], { account_id: LOCAL, name: null, alias: null, ou: null, status: 'ACTIVE', is_local: true });
  t.same(await dir.resolve([B, A, B], signal), { accounts: list.filter((a) => a.account_id !== LOCAL).reverse(), skipped: [] });
  const all = await dir.resolve(['ALL'], signal);
  t.same(ids(all.accounts), [LOCAL, A, B]);
  t.same(all.skipped, [{ account_id: D, reason: 'excluded by AWS_ACCOUNTS_EXCLUDE' }]);
  t.same(await dir.resolve([D], signal), { accounts: [], skipped: [{ account_id: D, reason: 'excluded by AWS_ACCOUNTS_EXCLUDE' }] });
  t.same(gateway.ensureCalls, [], 'resolution never assumes a role');
});

t.test('unknown accounts are refused with the valid choices, before any AssumeRole', async (t) => {
  const { dir, gateway } = setup({ multi_account: { account_ids: [A, B] } });
  await t.rejects(dir.resolve([A, '123456789012', 'nope'], signal), {
    name: 'UserError',
    statusCode: 400,
    message: `Unknown account(s): 123456789012, nope. This server can scan: ${LOCAL}; ${A}; ${B}. Use an account id, name or alias, or 'all'.`,
  });
  await t.rejects(dir.resolve([], signal), { name: 'UserError' });
  t.same(gateway.ensureCalls, []);
});

t.test('multi-account disabled: only the local account, others explain MULTI_ACCOUNT_ENABLED', async (t) => {
  const { dir, gateway } = setup({ multi_account: { enabled: false, account_ids: [A] } });
  t.equal(dir.multiAccountEnabled, false);
  t.same(ids(await dir.list(signal)), [LOCAL]);
  t.same(ids((await dir.resolve([LOCAL], signal)).accounts), [LOCAL]);
  t.same(ids((await dir.resolve(['all'], signal)).accounts), [LOCAL]);
  await t.rejects(dir.resolve([A], signal), { name: 'UserError', message: /MULTI_ACCOUNT_ENABLED=true/ });
  t.same(gateway.ensureCalls, []);
});

t.test('discovery: names and aliases case-insensitive, suspended and excluded skipped', async (t) => {
  const { dir, gateway } = setup({ multi_account: { discovery: 'organizations', exclude: [D] } });
  const list = await dir.list(signal);
  t.same(ids(list), [LOCAL, A, B, C]);
  t.same(list[0], { account_id: LOCAL, name: 'management', alias: null, ou: 'r-root', status: 'ACTIVE', is_local: true });
  t.equal(list.find((a) => a.account_id === C)?.status, 'SUSPENDED');
  t.same(ids((await dir.resolve(['production', 'STAGE'], signal)).accounts), [A, B]);
  t.same(ids((await dir.resolve(['Prod', A], signal)).accounts), [A], 'name and id of one account count once');
  t.same(await dir.resolve(['old sandbox'], signal), { accounts: [], skipped: [{ account_id: C, reason: 'account is SUSPENDED' }] });
  const all = await dir.resolve(['all'], signal);
  t.same(ids(all.accounts), [LOCAL, A, B]);
  t.same(all.skipped, [
    { account_id: C, reason: 'account is SUSPENDED' },
    { account_id: D, reason: 'excluded by AWS_ACCOUNTS_EXCLUDE' },
  ]);
  await t.rejects(dir.resolve(['prodution'], signal), { name: 'UserError', message: /Unknown account\(s\): prodution\. This server can scan: .*111111111111 \(Production, prod\)/ });
  t.equal(gateway.orgCalls.length, 1, 'the discovered list is cached');
  t.same(gateway.ensureCalls, []);
});

t.test('discovery: cached for ACCOUNT_DISCOVERY_TTL_SECONDS, OU ids passed through', async (t) => {
  const { dir, gateway, advance } = setup({ multi_account: { discovery: 'organizations', discovery_ttl_seconds: 900, organization_unit_ids: ['ou-prod', 'ou-dev'] } });
  await dir.list(signal);
  advance(899_000);
  await dir.resolve(['all'], signal);
  t.equal(gateway.orgCalls.length, 1);
  advance(1_000);
  await dir.list(signal);
  t.equal(gateway.orgCalls.length, 2);
  t.same(gateway.orgCalls[0], ['ou-dev', 'ou-prod']);
  await dir.refresh();
  await dir.list(signal);
  t.equal(gateway.orgCalls.length, 3);
});

t.test('discovery: the local account is added when it is outside the OUs; ambiguous names refused', async (t) => {
  const { dir, gateway } = setup({ multi_account: { discovery: 'organizations' } });
  gateway.options.org_accounts = [
    { account_id: A, name: 'dup', alias: null, ou: null, status: 'ACTIVE', is_local: false },
    { account_id: B, name: 'DUP', alias: null, ou: null, status: 'ACTIVE', is_local: false },
  ];
  t.same(ids(await dir.list(signal)), [LOCAL, A, B]);
  await t.rejects(dir.resolve(['dup'], signal), { name: 'UserError', message: /matches several accounts/ });
});

t.test('lastAssumeRole records the latest credential outcome', async (t) => {
  const { dir, advance } = setup({ multi_account: { account_ids: [A] } });
  t.equal(dir.lastAssumeRole(A), null);
  dir.recordAssumeRole(A, false, 'AccessDenied on arn:aws:iam::111111111111:role/X');
  t.same(dir.lastAssumeRole(A), { ok: false, at: '2026-01-01T00:00:00.000Z', error: 'AccessDenied on arn:aws:iam::111111111111:role/X' });
  advance(60_000);
  dir.recordAssumeRole(A, true, 'ignored when ok');
  t.same(dir.lastAssumeRole(A), { ok: true, at: '2026-01-01T00:01:00.000Z', error: null });
});
