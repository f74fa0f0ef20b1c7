import t from 'tap';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import {
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  S3Client,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import type { SimResource } from '../../src/simulator/types.js';
import { PROD, clientConfig, isolateNetwork, prodCredentials, simulator } from './helpers.js';

isolateNetwork();

function dbs(n: number): SimResource[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'rds:db',
    region: 'us-east-1',
    id: `db-${String(i).padStart(3, '0')}`,
    tags: { Owner: `o${i}@example.com` },
    monthly_cost: 50,
    created_at: '2024-01-01T00:00:00.000Z',
    attributes: { engine: 'mysql', db_class: 'db.t3.small', cluster_id: i < 2 ? 'aurora-main' : null },
  }));
}

t.test('RDS DescribeDBInstances pages with Marker and carries TagList', async (t) => {
  const sim = await simulator(t, { page_size: { rds: 20 } });
  sim.updateFixture((f) => {
    const prod = f.accounts.find((a) => a.id === PROD);
    prod?.resources.push(...dbs(44), {
      type: 'rds:cluster',
      region: 'us-east-1',
      id: 'aurora-main',
      tags: {},
      ever_tagged: false,
      monthly_cost: 400,
      created_at: '2024-02-01T00:00:00.000Z',
      attributes: { engine: 'aurora-mysql' },
    });
  });
  const rds = new RDSClient({ ...clientConfig(sim), credentials: await prodCredentials(sim) });
  t.teardown(() => rds.destroy());
  const ids: string[] = [];
  let pages = 0;
  for await (const page of paginateDescribeDBInstances({ client: rds }, {})) {
    pages++;
    for (const db of page.DBInstances ?? []) if (db.DBInstanceIdentifier) ids.push(db.DBInstanceIdentifier);
  }
  t.equal(ids.length, 45);
  t.equal(pages, 3);
  t.equal(new Set(ids).size, 45);
  const one = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-db' }));
  const db = one.DBInstances?.[0];
  t.equal(db?.Engine, 'postgres');
  t.equal(db?.DBInstanceClass, 'db.r6g.large');
  t.equal(db?.AllocatedStorage, 200);
  t.equal(db?.DBInstanceArn, `arn:aws:rds:us-east-1:${PROD}:db:orders-db`);
  t.equal(db?.InstanceCreateTime?.toISOString(), '2024-06-01T00:00:00.000Z');
  t.same(db?.TagList, [
    { Key: 'Owner', Value: 'db@example.com' },
    { Key: 'Environment', Value: 'prod' },
  ]);
  await t.rejects(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })), {
    name: 'DBInstanceNotFoundFault',
    $metadata: { httpStatusCode: 404 },
  });
  await t.rejects(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 101 })), { name: 'InvalidParameterValue' });
  await t.rejects(rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'engine', Values: ['mysql'] }] })), {
    name: 'InvalidParameterCombination',
  });
  const clusters = await rds.send(new DescribeDBClustersCommand({}));
  t.equal(clusters.DBClusters?.length, 1);
  t.same(clusters.DBClusters?.[0]?.TagList, []);
  t.same(
    clusters.DBClusters?.[0]?.DBClusterMembers?.map((m) => m.DBInstanceIdentifier),
    ['db-000', 'db-001'],
  );
});

t.test('S3 ListBuckets pages with continuation tokens and reports BucketRegion', async (t) => {
  const sim = await simulator(t, { page_size: { s3: 1 } });
  const s3 = new S3Client({ ...clientConfig(sim), credentials: await prodCredentials(sim), forcePathStyle: true });
  t.teardown(() => s3.destroy());
  const seen: [string, string][] = [];
  for await (const page of paginateListBuckets({ client: s3 }, {})) {
    for (const b of page.Buckets ?? []) seen.push([b.Name ?? '', b.BucketRegion ?? '']);
  }
  t.same(seen, [
    ['acme-prod-logs', 'eu-west-1'],
    ['acme-prod-untagged', 'us-east-1'],
  ]);
  const first = await s3.send(new ListBucketsCommand({ MaxBuckets: 1 }));
  t.equal(first.Buckets?.length, 1);
  t.type(first.ContinuationToken, 'string');
});

t.test('S3 GetBucketTagging, NoSuchTagSet and GetBucketLocation', async (t) => {
  const sim = await simulator(t);
  const s3 = new S3Client({ ...clientConfig(sim), credentials: await prodCredentials(sim), forcePathStyle: true });
  t.teardown(() => s3.destroy());
  const tagged = await s3.send(new GetBucketTaggingCommand({ Bucket: 'acme-prod-logs' }));
  t.same(tagged.TagSet, [{ Key: 'Owner', Value: 'ops@example.com' }]);
  await t.rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'acme-prod-untagged' })), {
    name: 'NoSuchTagSet',
    $metadata: { httpStatusCode: 404 },
  });
  await t.rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket' })), { name: 'NoSuchBucket' });
  t.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-prod-logs' }))).LocationConstraint, 'eu-west-1');
  t.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-prod-untagged' }))).LocationConstraint, undefined);
  const mgmt = new S3Client({ ...clientConfig(sim), forcePathStyle: true });
  t.teardown(() => mgmt.destroy());
  await t.rejects(mgmt.send(new GetBucketTaggingCommand({ Bucket: 'acme-prod-logs' })), { name: 'AccessDenied' });
  t.same((await mgmt.send(new ListBucketsCommand({}))).Buckets, []);
  t.equal(sim.stats().calls['s3:GetBucketTagging'], 4);
});
