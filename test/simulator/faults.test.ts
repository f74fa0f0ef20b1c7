import t, { type Test } from 'tap';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { Simulator } from '../../src/simulator/types.js';
import { MGMT, PROD, clientConfig, isolateNetwork, prodCredentials, simulator } from './helpers.js';

isolateNetwork();

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

t.test('throttling answers with each service’s own code', async (t) => {
  const sim = await simulator(t, { faults: { throttle_rate: 1 } });
  const cfg = clientConfig(sim);
  const clients = {
    sts: new STSClient(cfg),
    ec2: new EC2Client(cfg),
    rds: new RDSClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    tagging: new ResourceGroupsTaggingAPIClient(cfg),
    ce: new CostExplorerClient(cfg),
    org: new OrganizationsClient(cfg),
  };
  t.teardown(() => Object.values(clients).forEach((c) => c.destroy()));
  await t.rejects(clients.sts.send(new GetCallerIdentityCommand({})), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
  await t.rejects(clients.ec2.send(new DescribeRegionsCommand({})), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
  await t.rejects(clients.rds.send(new DescribeDBInstancesCommand({})), { name: 'Throttling' });
  await t.rejects(clients.s3.send(new ListBucketsCommand({})), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  await t.rejects(clients.tagging.send(new GetResourcesCommand({})), { name: 'ThrottledException' });
  await t.rejects(
    clients.ce.send(new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-01-01', End: '2026-02-01' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] })),
    { name: 'LimitExceededException' },
  );
  await t.rejects(clients.org.send(new ListAccountsCommand({})), { name: 'TooManyRequestsException' });
  t.equal(sim.stats().throttled, 7);
  t.equal(sim.stats().calls_by_account[MGMT], 7);
});

t.test('the SDK retries a throttled call and then succeeds', async (t) => {
  const sim = await simulator(t, { faults: { throttle_rate: 0.5, seed: 7 } });
  const sts = new STSClient({ ...clientConfig(sim), maxAttempts: 10 });
  t.teardown(() => sts.destroy());
  const id = await sts.send(new GetCallerIdentityCommand({}));
  t.equal(id.Account, MGMT);
  const s = sim.stats();
  t.equal(s.calls['sts:GetCallerIdentity'], s.throttled + 1);
});

t.test('a throttle rate is a deterministic sequence for a given seed', async (t) => {
  const run = async (): Promise<string[]> => {
    const sim = await simulator(t, { faults: { throttle_rate: 0.5, seed: 42 } });
    const sts = new STSClient(clientConfig(sim));
    const out: string[] = [];
    for (let i = 0; i < 12; i++) {
      out.push(await sts.send(new GetCallerIdentityCommand({})).then(() => 'ok', (e: unknown) => (e instanceof Error ? e.name : 'other')));
    }
    sts.destroy();
    return out;
  };
  const a = await run();
  t.same(await run(), a);
  t.ok(a.includes('ok') && a.includes('Throttling'));
});

t.test('access_denied_accounts refuses everything but STS', async (t) => {
  const sim = await simulator(t);
  const creds = await prodCredentials(sim);
  sim.setFaults({ access_denied_accounts: [PROD] });
  const sts = new STSClient({ ...clientConfig(sim), credentials: creds });
  const ec2 = new EC2Client({ ...clientConfig(sim), credentials: creds });
  const s3 = new S3Client({ ...clientConfig(sim), credentials: creds, forcePathStyle: true });
  t.teardown(() => [sts, ec2, s3].forEach((c) => c.destroy()));
  t.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, PROD);
  await t.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
  await t.rejects(s3.send(new ListBucketsCommand({})), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
});

async function hangingCalls(t: Test, sim: Simulator, fixtureHang: boolean): Promise<void> {
  const creds = await prodCredentials(sim);
  if (fixtureHang) sim.updateFixture((f) => f.accounts.filter((a) => a.id === PROD).forEach((a) => (a.hang = true)));
  else sim.setFaults({ hang_accounts: [PROD] });
  sim.resetStats();
  const ec2 = new EC2Client({ ...clientConfig(sim), credentials: creds });
  t.teardown(() => ec2.destroy());
  const controller = new AbortController();
  const pending = [1, 2, 3].map(() => ec2.send(new DescribeRegionsCommand({}), { abortSignal: controller.signal }));
  const mgmt = new STSClient(clientConfig(sim));
  t.teardown(() => mgmt.destroy());
  t.equal((await mgmt.send(new GetCallerIdentityCommand({}))).Account, MGMT);
  await waitFor(() => sim.stats().calls['ec2:DescribeRegions'] === 3);
  controller.abort();
  for (const p of pending) await t.rejects(p, { name: 'AbortError' });
  const s = sim.stats();
  t.equal(s.max_in_flight, 4);
  t.equal(s.max_accounts_in_flight, 2);
  t.same(s.calls, { 'ec2:DescribeRegions': 3, 'sts:GetCallerIdentity': 1 });
  t.same(s.calls_by_account, { [PROD]: 3, [MGMT]: 1 });
  // Once the sockets close, nothing is left in flight.
  await waitFor(() => {
    sim.resetStats();
    return sim.stats().max_in_flight === 0;
  });
  t.equal(sim.stats().max_accounts_in_flight, 0);
}

t.test('hang_accounts: calls never answer until the client aborts', async (t) => {
  const sim = await simulator(t);
  await hangingCalls(t, sim, false);
});

t.test('fixture hang: same behaviour', async (t) => {
  const sim = await simulator(t);
  await hangingCalls(t, sim, true);
});

t.test('latency delays but still answers; stop() closes in-flight requests', async (t) => {
  const sim = await simulator(t, { faults: { latency_ms: 30 } });
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  const results = await Promise.all([1, 2, 3].map(() => sts.send(new GetCallerIdentityCommand({}))));
  t.same(results.map((r) => r.Account), [MGMT, MGMT, MGMT]);
  t.equal(sim.stats().calls['sts:GetCallerIdentity'], 3);
});
