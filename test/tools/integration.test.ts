/**
 * The tools on the REAL scan stack (SDK v3 gateway, account directory, result cache, cost
 * service, orchestrator) against the bundled simulator: multi-account answer with a broken role,
 * not_found vs no tags through real listings, cached second call.
 */
import t from 'tap';
import pino from 'pino';
import { createAccountDirectory } from '../../src/accounts/directory.js';
import { createAwsGateway } from '../../src/aws/create-gateway.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { createCostService } from '../../src/costs/service.js';
import { createInventoryService } from '../../src/scan/orchestrator.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimAccount, SimResource } from '../../src/simulator/types.js';
import { checkTagCompliance } from '../../src/tools/check-tag-compliance.js';
import { validateResourceTags } from '../../src/tools/validate-resource-tags.js';
import type { ToolContext } from '../../src/tools/types.js';
import { isolateNetwork } from '../aws/helpers.js';
import { scanConfig } from '../scan/helpers.js';
import { memoryHistory, policyStore, schemaErrors } from './helpers.js';

isolateNetwork();

const MGMT = '100000000001';
const GOOD = '200000000002';
const BROKEN = '300000000003';
const ROLE = 'FinOpsTagComplianceReadOnly';
const VALID = { Owner: 'ann.lee@example.com', Environment: 'prod', CostCenter: 'CC-1234' };

function res(type: string, id: string, region: string, tags: Record<string, string> = {}): SimResource {
  return { type, id, region, tags, monthly_cost: 10, created_at: '2025-01-02T03:04:05.000Z' };
}

function acct(id: string, name: string, resources: SimResource[], extra: Partial<SimAccount> = {}): SimAccount {
  return { id, name, email: `${id}@example.com`, status: 'ACTIVE', parent_id: 'r-root', role: { name: ROLE, external_id: null, state: 'ok' }, resources, ...extra };
}

t.test('tools on the real scan stack and the simulator', async (t) => {
  const sim = await startSimulator({
    fixture: {
      organization: { id: 'o-test', root_id: 'r-root', management_account_id: MGMT },
      regions: ['us-east-1', 'eu-west-1'],
      organizational_units: [],
      accounts: [
        acct(MGMT, 'management', [res('ec2:instance', 'i-0000000000000m001', 'us-east-1', VALID)]),
        acct(GOOD, 'production', [
          res('ec2:instance', 'i-0000000000000a001', 'us-east-1', VALID),
          res('ec2:instance', 'i-0000000000000a002', 'eu-west-1'),
          res('s3:bucket', 'good-bucket-1', 'eu-west-1', { Owner: 'ann.lee@example.com', Environment: 'dev' }),
        ], { alias: 'prod' }),
        acct(BROKEN, 'legacy', [res('ec2:instance', 'i-0000000000000b001', 'us-east-1')], { role: { name: ROLE, external_id: null, state: 'missing' } }),
      ],
    },
  });
  const config = scanConfig({
    aws: { region: 'us-east-1', endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, request_timeout_ms: 5000, max_attempts: 2 },
    multi_account: { discovery: 'organizations', role_name: ROLE, max_concurrent_accounts: 2, account_scan_timeout_seconds: 5 },
  });
  const logger = pino({ level: 'silent' });
  const gateway = createAwsGateway({ aws: config.aws, multiAccount: config.multi_account, logger, now: () => sim.now() });
  const cache = createResultCache(createMemoryStore({ maxBytes: config.cache.max_bytes }));
  const accounts = createAccountDirectory({ gateway, cache, config, logger });
  t.teardown(async () => {
    await cache.close();
    await gateway.close();
    await sim.stop();
  });
  const ctx: ToolContext = {
    inventory: createInventoryService({ gateway, cache, accounts, config, logger }),
    costs: createCostService({ gateway, cache, config, logger }),
    policy: policyStore(),
    history: memoryHistory(),
    accounts,
    logger,
    signal: new AbortController().signal,
    progress: () => {},
    principal: { id: 'test', allowed_accounts: null },
    now: () => sim.now(),
  };

  const input = { account_ids: ['Production', 'legacy'], resource_types: ['ec2:instance', 's3:bucket'] };
  const out = (await checkTagCompliance.handler(ctx, input)) as {
    total_resources: number;
    compliant_resources: number;
    compliance_score: number;
    violations: { resource_arn: string; resource_id: string; region: string; account_id: string; tag_name: string; cost_impact_monthly: number }[];
    cost_attribution_gap: number;
    account_metadata: unknown;
    account_errors: { account_id: string; code: string; role_arn: string | null }[];
    data_quality: { status: string; coverage_notes: string[] };
  };
  t.same(schemaErrors(checkTagCompliance.outputSchema, out), []);
  t.equal(out.total_resources, 3);
  t.equal(out.compliant_resources, 2);
  t.equal(out.compliance_score, 0.6667);
  t.same(out.violations.map((v) => [v.resource_id, v.region, v.account_id, v.tag_name]), [
    ['i-0000000000000a002', 'eu-west-1', GOOD, 'CostCenter'],
    ['i-0000000000000a002', 'eu-west-1', GOOD, 'Environment'],
    ['i-0000000000000a002', 'eu-west-1', GOOD, 'Owner'],
  ]);
  t.same(out.account_metadata, { total_accounts: 2, successful_accounts: [GOOD], failed_accounts: [BROKEN], skipped_accounts: [], partial_accounts: [] });
  t.same(out.account_errors.map((e) => [e.account_id, e.code, e.role_arn]), [[BROKEN, 'AssumeRoleFailed', `arn:aws:iam::${BROKEN}:role/${ROLE}`]]);
  t.equal(out.data_quality.status, 'partial');
  t.equal(out.cost_attribution_gap, out.violations[0]?.cost_impact_monthly, 'the gap is the cost of the one non-compliant resource');
  t.notMatch(out.data_quality.coverage_notes.join(' '), /Cost Explorer could not be read/);

  const arn = out.violations[0]?.resource_arn ?? '';
  const missing = arn.replace('i-0000000000000a002', 'i-0000000000000ffff');
  const v = (await validateResourceTags.handler(ctx, { resource_arns: [arn, missing, `arn:aws:ec2:us-east-1:${BROKEN}:instance/i-0000000000000b001`] })) as {
    results: { status: string; has_tags: boolean | null; message: string }[];
  };
  t.same(schemaErrors(validateResourceTags.outputSchema, v), []);
  t.same(v.results.map((r) => [r.status, r.has_tags]), [['non_compliant', false], ['not_found', null], ['error', null]]);
  t.match(v.results[2]?.message ?? '', /AssumeRoleFailed/);

  // Same question again: inventory comes from cache, the answer is identical.
  sim.resetStats();
  const again = (await checkTagCompliance.handler(ctx, input)) as typeof out;
  const stripDurations = (o: typeof out): unknown => ({ ...o, account_errors: o.account_errors.map((e) => ({ ...e, duration_ms: 0 })) });
  t.same(stripDurations(again), stripDurations(out), 'identical answer (the failed account is retried, so only its duration differs)');
  t.equal(sim.stats().calls_by_account[GOOD] ?? 0, 0, 'no call reached the good account');
});
