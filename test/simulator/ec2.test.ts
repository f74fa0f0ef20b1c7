import t, { type Test } from 'tap';
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeVolumesCommand,
  EC2Client,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Simulator } from '../../src/simulator/types.js';
import { PROD, clientConfig, isolateNetwork, simulator } from './helpers.js';

isolateNetwork();

async function prodClient(t: Test, sim: Simulator, region = 'us-east-1'): Promise<EC2Client> {
  const sts = new STSClient(clientConfig(sim));
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/FinOpsReadOnly`, RoleSessionName: 'ec2-test', ExternalId: 'ext-123' }),
  );
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  const ec2 = new EC2Client({
    ...clientConfig(sim, region),
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  t.teardown(() => ec2.destroy());
  return ec2;
}

t.test('DescribeRegions lists the fixture regions', async (t) => {
  const sim = await simulator(t);
  const ec2 = await prodClient(t, sim);
  const out = await ec2.send(new DescribeRegionsCommand({}));
  t.same(
    out.Regions?.map((r) => r.RegionName),
    ['us-east-1', 'eu-west-1'],
  );
});

t.test('DescribeInstances pages to the end with a small page size', async (t) => {
  const sim = await simulator(t, { page_size: { ec2: 5 } });
  const ec2 = await prodClient(t, sim);
  const ids: string[] = [];
  let pages = 0;
  for await (const page of paginateDescribeInstances({ client: ec2 }, { MaxResults: 1000 })) {
    pages++;
    for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
  }
  const expected = sim.fixture.accounts
    .find((a) => a.id === PROD)
    ?.resources.filter((r) => r.type === 'ec2:instance' && r.region === 'us-east-1')
    .map((r) => r.id);
  t.equal(ids.length, 23);
  t.same(ids, expected);
  t.equal(pages, 5);
  t.equal(sim.stats().calls['ec2:DescribeInstances'], 5);
});

t.test('DescribeInstances renders type, state, launch time, tags and attached volumes', async (t) => {
  const sim = await simulator(t);
  const ec2 = await prodClient(t, sim);
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-a000000000000'] }));
  const inst = out.Reservations?.[0]?.Instances?.[0];
  t.equal(inst?.InstanceId, 'i-a000000000000');
  t.equal(inst?.InstanceType, 't3.large');
  t.equal(inst?.State?.Name, 'stopped');
  t.equal(inst?.State?.Code, 80);
  t.equal(inst?.LaunchTime?.toISOString(), '2025-01-01T00:00:00.000Z');
  t.same(inst?.Tags, [
    { Key: 'Owner', Value: 'dev0@example.com' },
    { Key: 'Environment', Value: 'prod' },
  ]);
  t.equal(inst?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId, 'vol-000000000001');
  t.equal(out.Reservations?.[0]?.OwnerId, PROD);
  const untagged = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-a000000000003'] }));
  t.same(untagged.Reservations?.[0]?.Instances?.[0]?.Tags, undefined);
  const filtered = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }));
  t.equal(filtered.Reservations?.length, 5);
  await t.rejects(ec2.send(new DescribeInstancesCommand({ MaxResults: 2 })), { name: 'InvalidParameterValue' });
  await t.rejects(ec2.send(new DescribeInstancesCommand({ NextToken: 'garbage' })), { name: 'InvalidParameterValue' });
});

t.test('DescribeVolumes shows size, type and attachment', async (t) => {
  const sim = await simulator(t);
  const ec2 = await prodClient(t, sim);
  const out = await ec2.send(new DescribeVolumesCommand({}));
  t.equal(out.Volumes?.length, 1);
  const v = out.Volumes?.[0];
  t.equal(v?.Size, 100);
  t.equal(v?.VolumeType, 'gp3');
  t.equal(v?.State, 'in-use');
  t.equal(v?.Attachments?.[0]?.InstanceId, 'i-a000000000000');
  t.same(v?.Tags, [{ Key: 'Owner', Value: 'dev0@example.com' }]);
  const eu = await prodClient(t, sim, 'eu-west-1');
  t.same((await eu.send(new DescribeVolumesCommand({}))).Volumes, []);
});
