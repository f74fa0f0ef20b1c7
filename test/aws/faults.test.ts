/** Failures: throttling, hanging accounts, expired tokens, access denied, disabled regions, safe messages. */
import t from 'tap';
import { AwsAccessError } from '../../src/aws/gateway.js';
import type { SimResource } from '../../src/simulator/types.js';
import { MEMBER_A, MEMBER_B, MGMT, ROLE, account, fixture, harness, isolateNetwork, resource, signal } from './helpers.js';

isolateNetwork();

const instances: SimResource[] = Array.from({ length: 9 }, (_, i) => resource('ec2:instance', `i-${String(i).padStart(17, '0')}`, 'us-east-1', { Name: `n${i}` }));
const cell = { account_id: MEMBER_A, region: 'us-east-1', resource_type: 'ec2:instance' };

async function failure(p: Promise<unknown>): Promise<AwsAccessError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof AwsAccessError)) throw new Error(`expected an AwsAccessError, got ${String(err)}`);
  return err;
}

t.test('throttling is retried by the SDK until the listing completes', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, instances)]), {
    faults: { throttle_rate: 0.4, seed: 7 },
    page_size: { ec2: 2 },
    aws: { max_attempts: 10 },
  });
  t.teardown(h.close);
  const records = await h.gateway.listCell(cell, signal());
  t.same(records.map((r) => r.id).sort(), instances.map((r) => r.id).sort(), 'all nine instances despite throttling');
  const simStats = h.sim.stats();
  t.ok(simStats.throttled > 0, 'the simulator did throttle');
  t.equal(h.gateway.stats().throttled, simStats.throttled, 'every throttled answer counted');
  t.equal(h.gateway.stats().calls['ec2:DescribeInstances'], simStats.calls['ec2:DescribeInstances'], 'retries counted as real requests');
});

t.test('throttling that outlasts the retries fails the cell with Throttling', async (t) => {
  const h = await harness(fixture([account(MGMT, instances)]), { faults: { throttle_rate: 1 }, aws: { max_attempts: 2 } });
  t.teardown(h.close);
  // the local account: no AssumeRole needed, but GetCallerIdentity is throttled too
  const err = await failure(h.gateway.localAccountId(signal()));
  t.equal(err.code, 'Throttling');
  t.equal(err.retryable, true);
  t.equal(h.gateway.stats().throttled, 2, 'two attempts, both throttled');
  t.equal(h.sim.stats().throttled, 2);
});

t.test('a hanging account is stopped by the caller signal', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, instances)]), { faults: { hang_accounts: [MEMBER_A] } });
  t.teardown(h.close);
  await h.gateway.ensureAccount(MEMBER_A, signal()); // STS answers: the hang is inside the account
  const timedOut = await failure(h.gateway.listCell(cell, AbortSignal.timeout(200)));
  t.equal(timedOut.code, 'Timeout');
  t.equal(timedOut.account_id, MEMBER_A);
  const ac = new AbortController();
  const pending = h.gateway.listCell(cell, ac.signal);
  setTimeout(() => ac.abort(), 50);
  const cancelled = await failure(pending);
  t.equal(cancelled.code, 'Cancelled');
  t.match(cancelled.message, /cancelled by the caller/);
});

t.test('an ExpiredToken refreshes the credentials and retries once', async (t) => {
  // The gateway judges expiry with the real clock; the simulator's clock jumps ahead.
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, instances)]), { gateway: { now: () => new Date() } });
  t.teardown(h.close);
  t.equal((await h.gateway.listCell(cell, signal())).length, 9);
  t.same(h.sim.stats().assume_role, { [MEMBER_A]: 1 });
  h.sim.advanceClock(2 * 60 * 60 * 1000);
  const again = await h.gateway.listCell(cell, signal());
  t.equal(again.length, 9, 'the listing succeeds after the refresh');
  t.same(h.sim.stats().assume_role, { [MEMBER_A]: 2 }, 'one new AssumeRole');
  t.same(h.gateway.stats().assume_role_calls, { [MEMBER_A]: 2 });
});

t.test('access denied names the role to fix and the missing action; no secrets', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, instances)]), { faults: { access_denied_accounts: [MEMBER_A] } });
  t.teardown(h.close);
  const roleArn = `arn:aws:iam::${MEMBER_A}:role/${ROLE}`;
  const ec2 = await failure(h.gateway.listCell(cell, signal()));
  t.equal(ec2.code, 'AccessDenied');
  t.equal(ec2.role_arn, roleArn);
  t.equal(ec2.account_id, MEMBER_A);
  t.equal(ec2.message, `Access denied in account ${MEMBER_A} region us-east-1 while listing ec2:instance (ec2:DescribeInstances). Grant ec2:DescribeInstances to the role ${roleArn}.`);
  const s3 = await failure(h.gateway.listCell({ account_id: MEMBER_A, region: 'global', resource_type: 's3:bucket' }, signal()));
  t.equal(s3.code, 'AccessDenied');
  t.match(s3.message, `Grant s3:ListAllMyBuckets to the role ${roleArn}`);
  const tagged = await failure(h.gateway.listCell({ account_id: MEMBER_A, region: 'us-east-1', resource_type: 'dynamodb:table' }, signal()));
  t.match(tagged.message, 'Grant tag:GetResources');
  for (const e of [ec2, s3, tagged]) {
    const text = `${e.message} ${JSON.stringify(e)}`;
    t.notMatch(text, h.sim.credentials.secretAccessKey);
    t.notMatch(text, h.sim.credentials.accessKeyId);
    t.notMatch(text, /ASIA|SIMTOKEN|not authorized to perform/, 'no session keys, no raw AWS text');
  }
});

t.test('assume-role failures: missing role, untrusted, suspended account', async (t) => {
  const h = await harness(
    fixture([
      account(MGMT),
      account(MEMBER_A, [], { role: { name: ROLE, external_id: null, state: 'untrusted' } }),
      account(MEMBER_B, [], { status: 'SUSPENDED' }),
    ]),
  );
  t.teardown(h.close);
  const untrusted = await failure(h.gateway.ensureAccount(MEMBER_A, signal()));
  t.equal(untrusted.code, 'AssumeRoleFailed');
  t.equal(untrusted.role_arn, `arn:aws:iam::${MEMBER_A}:role/${ROLE}`);
  t.match(untrusted.message, `Deploy the member role arn:aws:iam::${MEMBER_A}:role/${ROLE}`);
  t.notMatch(untrusted.message, /simulator-admin|arn:aws:iam::111111111111/, 'the caller ARN from the raw message is not repeated');
  const cellErr = await failure(h.gateway.listCell({ ...cell, account_id: MEMBER_B }, signal()));
  t.equal(cellErr.code, 'AssumeRoleFailed', 'a cell of an account that cannot be assumed fails with AssumeRoleFailed');
  t.same(h.gateway.stats().assume_role_failures, { [MEMBER_A]: 1, [MEMBER_B]: 1 });
});

t.test('a region not enabled in the account is RegionDisabled', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, instances, { regions: ['us-east-1'] })]));
  t.teardown(h.close);
  t.same(await h.gateway.enabledRegions(MEMBER_A, signal()), ['us-east-1']);
  const err = await failure(h.gateway.listCell({ ...cell, region: 'eu-west-1' }, signal()));
  t.equal(err.code, 'RegionDisabled');
  t.match(err.message, /Region eu-west-1 is not enabled for account 222222222222/);
});

t.test('enabled regions are narrowed by ALLOWED_REGIONS and cached', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A)], ['us-east-1', 'eu-west-1', 'ap-southeast-2']), { aws: { allowed_regions: ['eu-west-1', 'ap-southeast-2', 'sa-east-1'] } });
  t.teardown(h.close);
  t.same(await h.gateway.enabledRegions(MEMBER_A, signal()), ['ap-southeast-2', 'eu-west-1']);
  t.same(await h.gateway.enabledRegions(MEMBER_A, signal()), ['ap-southeast-2', 'eu-west-1']);
  t.equal(h.sim.stats().calls['ec2:DescribeRegions'], 1);
  h.gateway.invalidate(MEMBER_A);
  await h.gateway.enabledRegions(MEMBER_A, signal());
  t.equal(h.sim.stats().calls['ec2:DescribeRegions'], 2, 'invalidate drops the cache');
});
