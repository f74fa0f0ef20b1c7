/** Listers against the simulator with small pages: every page read, exact counts, never-tagged found. */
import t from 'tap';
import type { ResourceRecord } from '../../src/core/types.js';
import type { SimResource } from '../../src/simulator/types.js';
import { MEMBER_A, MGMT, account, fixture, harness, isolateNetwork, resource, signal } from './helpers.js';

isolateNetwork();

const E1 = 'us-east-1';
const W1 = 'eu-west-1';

function many(n: number, make: (i: number) => SimResource): SimResource[] {
  return Array.from({ length: n }, (_, i) => make(i));
}
const pad = (i: number): string => String(i).padStart(17, '0');
const byId = (records: ResourceRecord[]): string[] => records.map((r) => r.id).sort();

const resources: SimResource[] = [
  // 7 instances in us-east-1 (3 never tagged), 1 in eu-west-1
  ...many(7, (i) => resource('ec2:instance', `i-${pad(i)}`, E1, i < 3 ? {} : { Name: `web-${i}`, CostCenter: 'cc1' }, { attributes: { instance_type: 'm5.large', state: 'running' } })),
  resource('ec2:instance', `i-${pad(99)}`, W1, { Name: 'eu' }),
  ...many(6, (i) => resource('ec2:volume', `vol-${pad(i)}`, E1, i === 0 ? {} : { Owner: 'x' }, { attributes: { size_gb: 10 + i, ...(i === 1 ? { attached_instance_id: `i-${pad(3)}` } : {}) } })),
  ...many(5, (i) => resource('ec2:snapshot', `snap-${pad(i)}`, E1, {}, { attributes: { size_gb: 8, volume_id: `vol-${pad(i)}` } })),
  ...many(3, (i) => resource('ec2:elastic-ip', `eipalloc-${pad(i)}`, E1, i === 2 ? {} : { Name: `ip${i}` }, { attributes: { public_ip: `203.0.113.${i}` } })),
  ...many(4, (i) => resource('ec2:natgateway', `nat-${pad(i)}`, E1, {}, {})),
  ...many(5, (i) => resource('rds:db', `db-${i}`, E1, i % 2 === 0 ? {} : { Team: 'data' }, { attributes: { db_class: 'db.r5.large', engine: 'postgres' } })),
  ...many(3, (i) => resource('rds:cluster', `cluster-${i}`, E1, i === 0 ? {} : { Team: 'data' }, { attributes: { engine: 'aurora-postgresql' } })),
  // buckets: 2 tagged in us-east-1, 1 tagged in eu-west-1, 1 never tagged, 1 emptied (tags removed)
  resource('s3:bucket', 'b-east-1', E1, { Team: 'a' }),
  resource('s3:bucket', 'b-east-2', E1, { Team: 'b', Env: 'prod' }),
  resource('s3:bucket', 'b-west-1', W1, { Team: 'c' }),
  resource('s3:bucket', 'b-west-never', W1, {}),
  resource('s3:bucket', 'b-east-emptied', E1, {}, { ever_tagged: true }),
  // Tagging API types: 5 functions (1 never tagged: invisible to the Tagging API), 2 distributions
  ...many(5, (i) => resource('lambda:function', `fn-${i}`, E1, i === 0 ? {} : { Team: 'api' })),
  resource('cloudfront:distribution', 'E1111111111111', E1, { Team: 'web' }),
  resource('cloudfront:distribution', 'E2222222222222', E1, { Team: 'web' }),
];

t.test('every lister reads every page', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, resources)]), { page_size: { ec2: 2, rds: 2, s3: 2, tagging: 2 } });
  t.teardown(h.close);
  const cell = (resource_type: string, region = E1) => ({ account_id: MEMBER_A, region, resource_type });
  const pages: number[] = [];

  const instances = await h.gateway.listCell(cell('ec2:instance'), signal(), (n) => pages.push(n));
  t.equal(instances.length, 7);
  t.same(pages, [2, 4, 6, 7], 'onPage after each of the 4 pages');
  t.equal(h.sim.stats().calls['ec2:DescribeInstances'], 4);
  t.equal(instances.filter((r) => Object.keys(r.tags).length === 0).length, 3, 'never-tagged instances found');
  const web3 = instances.find((r) => r.id === `i-${pad(3)}`);
  t.same(web3, {
    arn: `arn:aws:ec2:us-east-1:${MEMBER_A}:instance/i-${pad(3)}`,
    id: `i-${pad(3)}`,
    name: 'web-3',
    type: 'ec2:instance',
    account_id: MEMBER_A,
    region: E1,
    tags: { Name: 'web-3', CostCenter: 'cc1' },
    created_at: '2025-01-02T03:04:05.000Z',
    attributes: { instance_type: 'm5.large', state: 'running', availability_zone: 'us-east-1a', platform: 'Linux/UNIX' },
  });
  t.same(byId(await h.gateway.listCell(cell('ec2:instance', W1), signal())), [`i-${pad(99)}`], 'region scoped');

  const volumes = await h.gateway.listCell(cell('ec2:volume'), signal());
  t.equal(volumes.length, 6);
  t.equal(h.sim.stats().calls['ec2:DescribeVolumes'], 3);
  const attached = volumes.find((v) => v.id === `vol-${pad(1)}`);
  t.equal(attached?.attributes['attached_instance_id'], `i-${pad(3)}`);
  t.equal(attached?.attributes['size_gb'], 11);
  t.equal(volumes.find((v) => v.id === `vol-${pad(0)}`)?.attributes['attached_instance_id'], null);

  const snaps = await h.gateway.listCell(cell('ec2:snapshot'), signal());
  t.equal(snaps.length, 5);
  t.equal(h.sim.stats().calls['ec2:DescribeSnapshots'], 3);
  t.equal(snaps.find((s) => s.id === `snap-${pad(0)}`)?.arn, `arn:aws:ec2:us-east-1::snapshot/snap-${pad(0)}`);

  const eips = await h.gateway.listCell(cell('ec2:elastic-ip'), signal());
  t.same(byId(eips), [0, 1, 2].map((i) => `eipalloc-${pad(i)}`));
  t.equal(eips.find((e) => e.id === `eipalloc-${pad(0)}`)?.attributes['public_ip'], '203.0.113.0');

  const nats = await h.gateway.listCell(cell('ec2:natgateway'), signal());
  t.equal(nats.length, 4);
  t.equal(h.sim.stats().calls['ec2:DescribeNatGateways'], 2);

  const dbs = await h.gateway.listCell(cell('rds:db'), signal());
  t.equal(dbs.length, 5);
  t.equal(h.sim.stats().calls['rds:DescribeDBInstances'], 3);
  t.equal(dbs.filter((d) => Object.keys(d.tags).length === 0).length, 3, 'never-tagged DB instances found');
  const db1 = dbs.find((d) => d.id === 'db-1');
  t.equal(db1?.arn, `arn:aws:rds:us-east-1:${MEMBER_A}:db:db-1`);
  t.same(db1?.tags, { Team: 'data' });
  t.equal(db1?.attributes['db_instance_class'], 'db.r5.large');
  t.equal(db1?.attributes['engine'], 'postgres');

  const clusters = await h.gateway.listCell(cell('rds:cluster'), signal());
  t.same(byId(clusters), ['cluster-0', 'cluster-1', 'cluster-2']);
  t.equal(h.sim.stats().calls['rds:DescribeDBClusters'], 2);

  const fns = await h.gateway.listCell(cell('lambda:function'), signal());
  t.same(byId(fns), ['fn-1', 'fn-2', 'fn-3', 'fn-4'], 'the Tagging API cannot see the never-tagged function');
  t.equal(fns.find((f) => f.id === 'fn-1')?.arn, `arn:aws:lambda:us-east-1:${MEMBER_A}:function:fn-1`);
  t.equal(h.sim.stats().calls['tagging:GetResources'], 2);

  const dists = await h.gateway.listCell({ account_id: MEMBER_A, region: 'global', resource_type: 'cloudfront:distribution' }, signal());
  t.same(byId(dists), ['E1111111111111', 'E2222222222222']);
  t.same(dists.map((d) => d.region), ['global', 'global']);

  t.same(h.gateway.stats().calls, h.sim.stats().calls, 'the gateway counts exactly the calls the simulator saw');
});

t.test('S3: tags from the Tagging API, GetBucketTagging only for the rest', async (t) => {
  const h = await harness(fixture([account(MGMT), account(MEMBER_A, resources)]), { page_size: { s3: 2, tagging: 2 } });
  t.teardown(h.close);
  const buckets = await h.gateway.listCell({ account_id: MEMBER_A, region: 'global', resource_type: 's3:bucket' }, signal());
  const view = Object.fromEntries(buckets.map((b) => [b.id, { region: b.region, tags: b.tags, arn: b.arn }]));
  t.same(view, {
    'b-east-1': { region: E1, tags: { Team: 'a' }, arn: 'arn:aws:s3:::b-east-1' },
    'b-east-2': { region: E1, tags: { Team: 'b', Env: 'prod' }, arn: 'arn:aws:s3:::b-east-2' },
    'b-west-1': { region: W1, tags: { Team: 'c' }, arn: 'arn:aws:s3:::b-west-1' },
    'b-west-never': { region: W1, tags: {}, arn: 'arn:aws:s3:::b-west-never' },
    'b-east-emptied': { region: E1, tags: {}, arn: 'arn:aws:s3:::b-east-emptied' },
  });
  const calls = h.sim.stats().calls;
  t.equal(calls['s3:ListBuckets'], 3, 'five buckets, pages of two');
  t.equal(calls['s3:GetBucketTagging'], 2, 'only the never-tagged and the emptied bucket');
  t.equal(calls['s3:GetBucketLocation'], undefined, 'BucketRegion made GetBucketLocation unnecessary');
  t.equal(calls['tagging:GetResources'], 3, 'one GetResources walk per region holding buckets: 3 known in us-east-1 (2 pages), 1 in eu-west-1');
});
