import t from 'tap';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EC2Client, paginateDescribeInstances, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { S3Client, paginateListBuckets } from '@aws-sdk/client-s3';
import { ResourceGroupsTaggingAPIClient, paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { startSimulator } from '../../src/simulator/server.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { DEFAULT_ROLE_NAME } from '../../src/simulator/generate.js';
import { isolateNetwork } from './helpers.js';

isolateNetwork();

t.test('the demo organization scans end to end through the real SDK clients', async (t) => {
  const sim = await startSimulator({ fixture: demoOrganization(), page_size: { ec2: 7, rds: 20, tagging: 25 } });
  t.teardown(() => sim.stop());
  const base = { endpoint: sim.endpoint, region: 'us-east-1', maxAttempts: 1 };
  const sts = new STSClient({ ...base, credentials: sim.credentials });
  t.teardown(() => sts.destroy());
  await t.rejects(
    sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEMO_ACCOUNTS.legacy}:role/${DEFAULT_ROLE_NAME}`, RoleSessionName: 'scan' })),
    { name: 'AccessDenied' },
  );
  for (const name of ['production', 'development', 'sandbox'] as const) {
    const id = DEMO_ACCOUNTS[name];
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/${DEFAULT_ROLE_NAME}`, RoleSessionName: 'scan' }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const account = sim.fixture.accounts.find((a) => a.id === id);
    if (!account) throw new Error('account missing');
    const regions = account.regions ?? sim.fixture.regions;
    for (const region of regions) {
      const ec2 = new EC2Client({ ...base, region, credentials });
      const rds = new RDSClient({ ...base, region, credentials });
      const tagging = new ResourceGroupsTaggingAPIClient({ ...base, region, credentials });
      let instances = 0;
      for await (const p of paginateDescribeInstances({ client: ec2 }, { MaxResults: 1000 })) {
        for (const r of p.Reservations ?? []) instances += r.Instances?.length ?? 0;
      }
      let volumes = 0;
      for await (const p of paginateDescribeVolumes({ client: ec2 }, {})) volumes += p.Volumes?.length ?? 0;
      let dbs = 0;
      for await (const p of paginateDescribeDBInstances({ client: rds }, {})) dbs += p.DBInstances?.length ?? 0;
      let tagged = 0;
      for await (const p of paginateGetResources({ client: tagging }, {})) tagged += p.ResourceTagMappingList?.length ?? 0;
      const here = account.resources.filter((r) => r.region === region);
      t.equal(instances, here.filter((r) => r.type === 'ec2:instance').length, `${name} ${region} instances`);
      t.equal(volumes, here.filter((r) => r.type === 'ec2:volume').length, `${name} ${region} volumes`);
      t.equal(dbs, here.filter((r) => r.type === 'rds:db').length, `${name} ${region} DB instances`);
      t.equal(tagged, here.filter((r) => r.ever_tagged ?? Object.keys(r.tags).length > 0).length, `${name} ${region} tagging API`);
      ec2.destroy();
      rds.destroy();
      tagging.destroy();
    }
    const s3 = new S3Client({ ...base, credentials, forcePathStyle: true });
    let buckets = 0;
    for await (const p of paginateListBuckets({ client: s3 }, {})) buckets += p.Buckets?.length ?? 0;
    t.equal(buckets, account.resources.filter((r) => r.type === 's3:bucket').length, `${name} buckets`);
    s3.destroy();
  }
  const ce = new CostExplorerClient({ ...base, credentials: sim.credentials });
  t.teardown(() => ce.destroy());
  const out = await ce.send(
    new GetCostAndUsageCommand({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }],
    }),
  );
  t.equal(out.NextPageToken, undefined);
  const perAccount = new Map((out.ResultsByTime?.[0]?.Groups ?? []).map((g) => [g.Keys?.[0], Number(g.Metrics?.['UnblendedCost']?.Amount)]));
  for (const a of sim.fixture.accounts) {
    const expected = (a.resources.reduce((s, r) => s + r.monthly_cost, 0) * 31) / 30;
    t.equal(perAccount.get(a.id)?.toFixed(4), expected.toFixed(4), `${a.name} cost`);
  }
});

t.test('IAM ListAccountAliases answers the caller account alias (query protocol)', async (t) => {
  const sim = await startSimulator({ fixture: demoOrganization() });
  t.teardown(() => sim.stop());
  const res = await fetch(`${sim.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${sim.credentials.accessKeyId}/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: 'Action=ListAccountAliases&Version=2010-05-08',
  });
  t.equal(res.status, 200);
  const body = await res.text();
  t.match(body, /<AccountAliases><member>acme-management<\/member><\/AccountAliases>/);
  t.match(body, /<IsTruncated>false<\/IsTruncated>/);
  const unsigned = await fetch(`${sim.endpoint}/`, { method: 'POST', body: 'Action=ListAccountAliases' });
  t.equal(unsigned.status, 403);
  t.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/);
  t.equal(sim.stats().calls['iam:ListAccountAliases'], 1);
});
