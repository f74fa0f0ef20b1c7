import t from 'tap';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { GHOST, LEGACY, MGMT, PROD, clientConfig, isolateNetwork, simulator } from './helpers.js';

isolateNetwork();

const ROLE = (acct: string, name = 'FinOpsReadOnly') => `arn:aws:iam::${acct}:role/${name}`;

t.test('GetCallerIdentity with base credentials names the management account', async (t) => {
  const sim = await simulator(t);
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  const id = await sts.send(new GetCallerIdentityCommand({}));
  t.equal(id.Account, MGMT);
  t.equal(id.Arn, `arn:aws:iam::${MGMT}:user/simulator-admin`);
  t.equal(sim.stats().calls['sts:GetCallerIdentity'], 1);
});

t.test('AssumeRole issues ASIA credentials bound to the target account', async (t) => {
  const sim = await simulator(t);
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: ROLE(PROD), RoleSessionName: 'finops-scan', ExternalId: 'ext-123', DurationSeconds: 900 }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('no credentials');
  t.match(c.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  t.equal(c.Expiration.getTime() - sim.now().getTime() <= 900_000, true);
  t.equal(c.Expiration.getTime() - sim.now().getTime() > 890_000, true);
  t.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${PROD}:assumed-role/FinOpsReadOnly/finops-scan`);
  const member = new STSClient({
    ...clientConfig(sim),
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  t.teardown(() => member.destroy());
  const id = await member.send(new GetCallerIdentityCommand({}));
  t.equal(id.Account, PROD);
  t.same(sim.stats().assume_role, { [PROD]: 1 });
  t.equal(sim.stats().calls_by_account[PROD], 1);
  t.equal(sim.stats().calls_by_account[MGMT], 1);
});

t.test('AssumeRole refusals surface as AccessDenied (403)', async (t) => {
  const sim = await simulator(t);
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  const cases: [string, string, string | undefined][] = [
    ['missing role', ROLE(GHOST), undefined],
    ['untrusted role', ROLE(LEGACY), undefined],
    ['wrong ExternalId', ROLE(PROD), 'nope'],
    ['no ExternalId when one is required', ROLE(PROD), undefined],
    ['different role name', ROLE(PROD, 'OtherRole'), 'ext-123'],
    ['unknown account', ROLE('999999999999'), undefined],
  ];
  for (const [label, arn, ext] of cases) {
    const err = await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's1', ExternalId: ext })).then(
      () => null,
      (e: unknown) => e,
    );
    t.match(err, { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, label);
  }
  t.equal(sim.stats().assume_role[PROD], 3);
});

t.test('AssumeRole validates session name and duration', async (t) => {
  const sim = await simulator(t);
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  await t.rejects(sts.send(new AssumeRoleCommand({ RoleArn: ROLE(PROD), RoleSessionName: 'x'.repeat(65), ExternalId: 'ext-123' })), {
    name: 'ValidationError',
  });
  await t.rejects(
    sts.send(new AssumeRoleCommand({ RoleArn: ROLE(PROD), RoleSessionName: 'ok', ExternalId: 'ext-123', DurationSeconds: 899 })),
    { name: 'ValidationError' },
  );
  await t.rejects(
    sts.send(new AssumeRoleCommand({ RoleArn: ROLE(PROD), RoleSessionName: 'ok', ExternalId: 'ext-123', DurationSeconds: 43201 })),
    { name: 'ValidationError' },
  );
});

t.test('credentials expire on the simulated clock', async (t) => {
  const sim = await simulator(t);
  const sts = new STSClient(clientConfig(sim));
  t.teardown(() => sts.destroy());
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE(PROD), RoleSessionName: 'exp', ExternalId: 'ext-123', DurationSeconds: 900 }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  const creds = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  const member = new STSClient({ ...clientConfig(sim), credentials: creds });
  const ec2 = new EC2Client({ ...clientConfig(sim), credentials: creds });
  t.teardown(() => {
    member.destroy();
    ec2.destroy();
  });
  t.equal((await member.send(new GetCallerIdentityCommand({}))).Account, PROD);
  sim.advanceClock(901_000);
  await t.rejects(member.send(new GetCallerIdentityCommand({})), { name: 'ExpiredToken', $metadata: { httpStatusCode: 400 } });
  await t.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'ExpiredToken' });
});

t.test('unknown access keys are refused in each protocol', async (t) => {
  const sim = await simulator(t);
  const bad = { accessKeyId: 'AKIADOESNOTEXIST0000', secretAccessKey: 'x' };
  const sts = new STSClient({ ...clientConfig(sim), credentials: bad });
  const ec2 = new EC2Client({ ...clientConfig(sim), credentials: bad });
  t.teardown(() => {
    sts.destroy();
    ec2.destroy();
  });
  await t.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
  await t.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'AuthFailure', $metadata: { httpStatusCode: 401 } });
});
