/**
 * The orchestrator with the REAL gateway (SDK v3) against the bundled simulator: several
 * accounts, a broken role, a hanging account, cache reuse and single-account mode.
 */
import t from 'tap';
import pino from 'pino';
import { createAwsGateway } from '../../src/aws/create-gateway.js';
import { createAccountDirectory } from '../../src/accounts/directory.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { createCostService } from '../../src/costs/service.js';
import { createInventoryService } from '../../src/scan/orchestrator.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimAccount, SimResource } from '../../src/simulator/types.js';
import { isolateNetwork } from '../aws/helpers.js';
import { scanConfig } from './helpers.js';

isolateNetwork();

const MGMT = '100000000001';
const GOOD = '200000000002';
const BROKEN = '300000000003';
const HANGS = '400000000004';
const ROLE = 'FinOpsTagComplianceReadOnly';

function res(type: string, id: string, region: string, tags: Record<string, string> = {}): SimResource {
  return { type, id, region, tags, monthly_cost: 10, created_at: '2025-01-02T03:04:05.000Z' };
}

function acct(id: string, name: string, resources: SimResource[], extra: Partial<SimAccount> = {}): SimAccount {
  return { id, name, email: `${id}@example.com`, status: 'ACTIVE', parent_id: 'r-root', role: { name: ROLE, external_id: null, state: 'ok' }, resources, ...extra };
}

const goodResources = [
  res('ec2:instance', 'i-0000000000000a001', 'us-east-1', { Owner: 'a' }),
  res('ec2:instance', 'i-0000000000000a002', 'eu-west-1'),
  res('ec2:instance', 'i-0000000000000a003', 'eu-west-1', { Owner: 'b' }),
  res('s3:bucket', 'good-bucket-1', 'eu-west-1', { Owner: 'a' }),
  res('lambda:function', 'good-fn', 'us-east-1', { Owner: 'a' }),
];

t.test('real gateway + simulator: broken role and hanging account do not spoil the good one', async (t) => {
  const sim = await startSimulator({
    fixture: {
      organization: { id: 'o-test', root_id: 'r-root', management_account_id: MGMT },
      regions: ['us-east-1', 'eu-west-1'],
      organizational_units: [],
      accounts: [
        acct(MGMT, 'management', [res('ec2:instance', 'i-0000000000000m001', 'us-east-1')]),
        acct(GOOD, 'production', goodResources, { alias: 'prod' }),
        acct(BROKEN, 'legacy', [res('ec2:instance', 'i-0000000000000b001', 'us-east-1')], { role: { name: ROLE, external_id: null, state: 'missing' } }),
        acct(HANGS, 'slow', [res('ec2:instance', 'i-0000000000000h001', 'us-east-1')], { hang: true }),
      ],
    },
  });
  const config = scanConfig({
    aws: { region: 'us-east-1', endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, request_timeout_ms: 5000, max_attempts: 2 },
    multi_account: { discovery: 'organizations', role_name: ROLE, max_concurrent_accounts: 2, account_scan_timeout_seconds: 1.5 },
  });
  const logger = pino({ level: 'silent' });
  const gateway = createAwsGateway({ aws: config.aws, multiAccount: config.multi_account, logger, now: () => sim.now() });
  const cache = createResultCache(createMemoryStore({ maxBytes: config.cache.max_bytes }));
  const accounts = createAccountDirectory({ gateway, cache, config, logger });
  const inventory = createInventoryService({ gateway, cache, accounts, config, logger });
  t.teardown(async () => {
    await cache.close();
    await gateway.close();
    await sim.stop();
  });
  const signal = (): AbortSignal => new AbortController().signal;
  const types = ['ec2:instance', 's3:bucket', 'lambda:function'];

  const resolved = await accounts.resolve(['Production', 'legacy', 'SLOW'], signal());
  t.same(resolved.accounts.map((a) => a.account_id).sort(), [BROKEN, GOOD, HANGS].sort());
  t.same(sim.stats().assume_role, {}, 'resolution made no AssumeRole call');

  const inv = await inventory.collect({ account_ids: [GOOD, BROKEN, HANGS], regions: null, resource_types: types, force_refresh: false, signal: signal() });
  const byId = new Map(inv.accounts.map((a) => [a.account_id, a]));
  t.equal(byId.get(GOOD)?.status, 'succeeded');
  t.equal(byId.get(GOOD)?.resource_count, 5);
  t.equal(byId.get(BROKEN)?.status, 'failed');
  t.equal(byId.get(BROKEN)?.error?.code, 'AssumeRoleFailed');
  t.equal(byId.get(BROKEN)?.error?.role_arn, `arn:aws:iam::${BROKEN}:role/${ROLE}`);
  t.equal(byId.get(HANGS)?.status, 'failed');
  t.equal(byId.get(HANGS)?.error?.code, 'Timeout');
  t.same(inv.resources.map((r) => r.id).sort(), goodResources.map((r) => r.id).sort());
  t.same([...new Set(inv.resources.map((r) => r.account_id))], [GOOD]);
  t.equal(inv.data_quality.status, 'partial');
  t.same([...new Set(inv.data_quality.failed.map((f) => `${f.account_id}:${f.error_code}`))].sort(), [`${BROKEN}:AssumeRoleFailed`, `${HANGS}:Timeout`]);
  t.equal(inv.data_quality.cells_complete, 5, 'GOOD: 2 regions × 2 regional types + 1 bucket cell');
  t.equal(accounts.lastAssumeRole(BROKEN)?.ok, false);
  t.equal(accounts.lastAssumeRole(GOOD)?.ok, true);
  t.ok(sim.stats().max_accounts_in_flight <= 2, `accounts in flight at the simulator: ${sim.stats().max_accounts_in_flight}`);

  // Second scan of the good account: every cell from cache, no call reaches the simulator.
  sim.resetStats();
  const again = await inventory.collect({ account_ids: [GOOD], regions: null, resource_types: types, force_refresh: false, signal: signal() });
  t.equal(again.cells_from_cache, 5);
  t.equal(again.resources.length, 5);
  t.equal(sim.stats().calls_by_account[GOOD] ?? 0, 0);

  // Single-account mode: the server's own account, no AssumeRole.
  sim.resetStats();
  const single = await inventory.collect({ account_ids: null, regions: ['us-east-1'], resource_types: ['ec2:instance'], force_refresh: false, signal: signal() });
  t.equal(single.multi_account, false);
  t.same(single.resources.map((r) => [r.account_id, r.id]), [[MGMT, 'i-0000000000000m001']]);
  t.same(sim.stats().assume_role, {});

  // Costs: one Cost Explorer request for both accounts, then none.
  const costs = createCostService({ gateway, cache, config, logger });
  const c1 = await costs.serviceCosts({ account_ids: [GOOD, MGMT], start: '2026-01-01', end: '2026-02-01', signal: signal() });
  const c2 = await costs.serviceCosts({ account_ids: [MGMT, GOOD], start: '2026-01-01', end: '2026-02-01', signal: signal() });
  t.same([c1.cost_explorer_requests, c2.cost_explorer_requests, c2.from_cache], [1, 0, true]);
  t.same(new Set(c1.lines.map((l) => l.account_id)), new Set([GOOD, MGMT]));
});
