/** STS credential cache: the seed's CredentialProvider tests, single flight, local account, ExternalId. */
import t from 'tap';
import { AwsAccessError } from '../../src/aws/gateway.js';
import { CredentialCache, needsRefresh, roleArnFromTemplate, sessionNameFor } from '../../src/aws/credentials.js';
import { createAwsGateway } from '../../src/aws/create-gateway.js';
import { STSClient } from '@aws-sdk/client-sts';
import { StatsRecorder } from '../../src/aws/stats.js';
import { startSimulator } from '../../src/simulator/server.js';
import { MEMBER_A, MEMBER_B, MGMT, ROLE, account, awsConfig, fixture, harness, isolateNetwork, multiAccountConfig, resource, signal, silentLogger } from './helpers.js';

isolateNetwork();

t.test('pure helpers', async (t) => {
  t.equal(roleArnFromTemplate('arn:aws:iam::{account_id}:role/{role_name}', MEMBER_A, ROLE), `arn:aws:iam::${MEMBER_A}:role/${ROLE}`);
  t.equal(roleArnFromTemplate('arn:aws-us-gov:iam::{account_id}:role/path/{role_name}', MEMBER_A, 'R'), `arn:aws-us-gov:iam::${MEMBER_A}:role/path/R`);
  t.equal(sessionNameFor(MEMBER_A), `finops-tag-compliance-${MEMBER_A}`);
  t.equal(sessionNameFor('x'.repeat(80)).length, 64);
  const now = new Date('2026-01-01T00:00:00Z');
  t.equal(needsRefresh(new Date('2026-01-01T01:00:00Z'), now), false, 'valid for an hour: not expired');
  t.equal(needsRefresh(new Date('2025-12-31T23:59:00Z'), now), true, 'past expiry: expired');
  t.equal(needsRefresh(new Date('2026-01-01T00:03:00Z'), now), true, 'inside the 5-minute buffer: refresh');
  t.equal(needsRefresh(new Date('2026-01-01T00:05:01Z'), now), false, 'just outside the buffer');
});

t.test('credential cache against the simulator STS', async (t) => {
  const sim = await startSimulator({ fixture: fixture([account(MGMT), account(MEMBER_A), account(MEMBER_B, [], { role: { name: ROLE, external_id: null, state: 'missing' } })]) });
  let clock = sim.now().getTime();
  const sts = new STSClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.credentials });
  const stats = new StatsRecorder();
  const cache = new CredentialCache({ roles: multiAccountConfig(), sts: () => sts, stats, logger: silentLogger, now: () => new Date(clock) });
  t.teardown(async () => {
    sts.destroy();
    await sim.stop();
  });

  const first = await cache.get(MEMBER_A);
  t.equal(first.account_id, MEMBER_A);
  t.equal(first.role_arn, `arn:aws:iam::${MEMBER_A}:role/${ROLE}`);
  t.match(first.identity.accessKeyId, /^ASIA/);
  t.equal(first.expiration.getTime() - sim.now().getTime() > 59 * 60 * 1000, true, 'DurationSeconds 3600 honoured');

  const second = await cache.get(MEMBER_A);
  t.equal(second, first, 'cache hit returns the same credentials');
  t.same(sim.stats().assume_role, { [MEMBER_A]: 1 });

  clock = first.expiration.getTime() - 6 * 60 * 1000;
  t.equal(await cache.get(MEMBER_A), first, 'six minutes before expiry: still cached');
  clock = first.expiration.getTime() - 4 * 60 * 1000;
  const third = await cache.get(MEMBER_A);
  t.not(third.identity.accessKeyId, first.identity.accessKeyId, 'inside the 5-minute buffer: refreshed');
  t.same(sim.stats().assume_role, { [MEMBER_A]: 2 });

  cache.invalidate(MEMBER_A);
  t.equal(cache.size, 0, 'invalidate(account) clears that account');
  await cache.get(MEMBER_A);
  t.same(sim.stats().assume_role, { [MEMBER_A]: 3 });

  const err = await cache.get(MEMBER_B).then(() => null, (e: unknown) => e);
  t.ok(err instanceof AwsAccessError);
  if (err instanceof AwsAccessError) {
    t.equal(err.code, 'AssumeRoleFailed');
    t.equal(err.account_id, MEMBER_B);
    t.equal(err.role_arn, `arn:aws:iam::${MEMBER_B}:role/${ROLE}`);
    t.match(err.message, `arn:aws:iam::${MEMBER_B}:role/${ROLE}`);
    t.match(err.message, /trust policy/);
    t.notMatch(err.message, /simulator-admin|user\//, 'no foreign principal ARN from the raw AWS text');
  }
  t.same(stats.snapshot().assume_role_failures, { [MEMBER_B]: 1 });
  t.same(stats.snapshot().assume_role_calls, { [MEMBER_A]: 3, [MEMBER_B]: 1 });
});

t.test('single flight: 50 concurrent ensureAccount calls make one AssumeRole', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A)]), { faults: { latency_ms: 30 } });
  t.teardown(h.close);
  await Promise.all(Array.from({ length: 50 }, () => h.gateway.ensureAccount(MEMBER_A, signal())));
  t.same(h.sim.stats().assume_role, { [MEMBER_A]: 1 });
  t.same(h.gateway.stats().assume_role_calls, { [MEMBER_A]: 1 });
  // one credential set serves every region and service of the account
  await h.gateway.listCell({ account_id: MEMBER_A, region: 'us-east-1', resource_type: 'ec2:instance' }, signal());
  await h.gateway.listCell({ account_id: MEMBER_A, region: 'eu-west-1', resource_type: 'rds:db' }, signal());
  await h.gateway.listCell({ account_id: MEMBER_A, region: 'global', resource_type: 's3:bucket' }, signal());
  await h.gateway.enabledRegions(MEMBER_A, signal());
  t.same(h.sim.stats().assume_role, { [MEMBER_A]: 1 }, 'still one AssumeRole after several services and regions');
});

t.test('the local account is scanned with the base credentials, no AssumeRole', async (t) => {
  const h = await harness(fixture([account(MGMT, [resource('ec2:instance', 'i-0000000000000local', 'us-east-1', { Name: 'local' })]), account(MEMBER_A)]));
  t.teardown(h.close);
  t.equal(await h.gateway.localAccountId(signal()), MGMT);
  await h.gateway.ensureAccount(MGMT, signal());
  const records = await h.gateway.listCell({ account_id: MGMT, region: 'us-east-1', resource_type: 'ec2:instance' }, signal());
  t.same(records.map((r) => r.id), ['i-0000000000000local']);
  t.same(h.sim.stats().assume_role, {});
  t.equal(h.sim.stats().calls['sts:GetCallerIdentity'], 1, 'caller identity read once');
  await h.gateway.localAccountId(signal());
  t.equal(h.sim.stats().calls['sts:GetCallerIdentity'], 1, 'and cached');
});

t.test('ExternalId is sent when configured', async (t) => {
  const fx = fixture([account(MGMT), account(MEMBER_A, [], { role: { name: ROLE, external_id: 'ext-123', state: 'ok' } })]);
  const without = await harness(fx);
  t.teardown(without.close);
  const err = await without.gateway.ensureAccount(MEMBER_A, signal()).then(() => null, (e: unknown) => e);
  t.ok(err instanceof AwsAccessError && err.code === 'AssumeRoleFailed', 'refused without the ExternalId');
  t.match(String(err instanceof Error ? err.message : ''), /AWS_ASSUME_ROLE_EXTERNAL_ID/);

  const withId = await harness(fx, { multiAccount: { external_id: 'ext-123' } });
  t.teardown(withId.close);
  await withId.gateway.ensureAccount(MEMBER_A, signal());
  t.same(withId.sim.stats().assume_role, { [MEMBER_A]: 1 });
  t.same(withId.gateway.stats().assume_role_failures, {});
});

t.test('partition-aware role ARN template', async (t) => {
  const sim = await startSimulator({ fixture: fixture([account(MGMT), account(MEMBER_A)]) });
  const gw = createAwsGateway({
    aws: awsConfig(sim),
    multiAccount: multiAccountConfig({ role_arn_template: 'arn:aws-us-gov:iam::{account_id}:role/{role_name}' }),
    logger: silentLogger,
  });
  t.teardown(async () => {
    await gw.close();
    await sim.stop();
  });
  t.equal(gw.roleArnFor(MEMBER_A), `arn:aws-us-gov:iam::${MEMBER_A}:role/${ROLE}`);
  await gw.ensureAccount(MEMBER_A, signal());
  t.same(sim.stats().assume_role, { [MEMBER_A]: 1 });
});
