/**
 * The simulator faults the fault matrix added, driven with the real SDK clients: a service or one
 * operation denied in one account, sessions expiring after N calls, clock jumps (per account or
 * global), an account hanging after N calls, and the statistics that report them.
 */
import t from 'tap';
import { DescribeInstancesCommand, DescribeRegionsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MGMT, PROD, clientConfig, isolateNetwork, prodCredentials, simulator } from '../simulator/helpers.js';

isolateNetwork();

const noRetry = { maxAttempts: 1 };

t.test('access_denied_services: a whole service, or one operation, in one account only', async (t) => {
  const sim = await simulator(t, { faults: { access_denied_services: { [PROD]: ['rds', 'ec2:DescribeVolumes'] } } });
  const prod = { ...clientConfig(sim), ...noRetry, credentials: await prodCredentials(sim) };
  const rds = new RDSClient(prod);
  const ec2 = new EC2Client(prod);
  const mgmtRds = new RDSClient({ ...clientConfig(sim), ...noRetry });
  t.teardown(() => [rds, ec2, mgmtRds].forEach((c) => c.destroy()));
  await t.rejects(rds.send(new DescribeDBInstancesCommand({})), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  await t.rejects(ec2.send(new DescribeVolumesCommand({})), { name: 'UnauthorizedOperation' });
  await t.resolves(ec2.send(new DescribeInstancesCommand({})), 'another EC2 operation works');
  await t.resolves(mgmtRds.send(new DescribeDBInstancesCommand({})), 'RDS works in another account');
  t.same(sim.stats().denied, { [PROD]: 2 });
});

t.test('expire_sessions: after the account\'s Nth call its sessions answer ExpiredToken; new ones work', async (t) => {
  const sim = await simulator(t, { faults: { expire_sessions: [{ account_id: PROD, after_calls: 2 }] } });
  const ec2 = new EC2Client({ ...clientConfig(sim), ...noRetry, credentials: await prodCredentials(sim) });
  t.teardown(() => ec2.destroy());
  await ec2.send(new DescribeRegionsCommand({}));
  await ec2.send(new DescribeRegionsCommand({})); // the 2nd call is answered, then the sessions expire
  await t.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'ExpiredToken' }, 'the 3rd call: ExpiredToken');
  const fresh = new EC2Client({ ...clientConfig(sim), ...noRetry, credentials: await prodCredentials(sim) });
  t.teardown(() => fresh.destroy());
  await t.resolves(fresh.send(new DescribeRegionsCommand({})), 'a session issued afterwards works');
  t.same(sim.stats().expired_tokens, { [PROD]: 1 }, 'one call refused as expired');
  t.equal(sim.stats().assume_role[PROD], 2);
});

t.test('clock_jumps: per account or global, each once, recorded', async (t) => {
  const sim = await simulator(t, { faults: { clock_jumps: [{ account_id: MGMT, after_calls: 2, advance_ms: 60_000 }, { after_calls: 3, advance_ms: 1_000 }] } });
  const sts = new STSClient({ ...clientConfig(sim), ...noRetry });
  t.teardown(() => sts.destroy());
  const t0 = sim.now().getTime();
  await sts.send(new GetCallerIdentityCommand({}));
  t.ok(sim.now().getTime() - t0 < 60_000, 'no jump after the first call');
  await sts.send(new GetCallerIdentityCommand({}));
  t.ok(sim.now().getTime() - t0 >= 60_000, 'the account jump happened at its 2nd call');
  for (let i = 0; i < 3; i++) await sts.send(new GetCallerIdentityCommand({}));
  t.ok(sim.now().getTime() - t0 >= 61_000 && sim.now().getTime() - t0 < 120_000, 'the global jump happened once, at the 3rd call');
  t.same(sim.stats().clock_jumps, [
    { account_id: MGMT, after_calls: 2, advance_ms: 60_000 },
    { account_id: MGMT, after_calls: 3, advance_ms: 1_000 },
  ]);
});

t.test('hang_after_calls: the account answers N calls, then hangs until the client gives up', async (t) => {
  const sim = await simulator(t, { faults: { hang_after_calls: { [MGMT]: 1 } } });
  const sts = new STSClient({ ...clientConfig(sim), ...noRetry });
  t.teardown(() => sts.destroy());
  await t.resolves(sts.send(new GetCallerIdentityCommand({})), 'the first call is answered');
  const controller = new AbortController();
  const hung = sts.send(new GetCallerIdentityCommand({}), { abortSignal: controller.signal });
  for (let i = 0; i < 200 && sim.stats().in_flight === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(sim.stats().in_flight, 1, 'the second call is held open');
  controller.abort();
  await t.rejects(hung);
  for (let i = 0; i < 200 && sim.stats().in_flight !== 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(sim.stats().in_flight, 0, 'closed once the client aborted');
  sim.setFaults({});
  await t.resolves(sts.send(new GetCallerIdentityCommand({})), 'setFaults({}) clears the fault and its counters');
});
