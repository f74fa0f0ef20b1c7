import t from 'tap';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrganization, generatedAccountId } from '../../src/simulator/generate.js';
import { DEMO_ACCOUNTS, DEMO_REGIONS, demoOrganization } from '../../src/simulator/demo-org.js';
import { loadFixture, parseFixture } from '../../src/simulator/fixture-file.js';
import { resourceArn } from '../../src/simulator/arn.js';
import { isKnownType } from '../../src/aws/registry.js';
import type { SimFixture } from '../../src/simulator/types.js';

const REQUIRED = ['Owner', 'Environment', 'CostCenter', 'Application'];
const ENVS = ['production', 'staging', 'development', 'test'];
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

function allResources(f: SimFixture) {
  return f.accounts.flatMap((a) => a.resources.map((r) => ({ a, r })));
}

t.test('generateOrganization is deterministic per seed and sized as asked', async (t) => {
  const opts = { accounts: 6, regions: ['us-east-1', 'eu-west-1'], resourcesPerRegion: 10, seed: 5, brokenRoleAccounts: 2, suspendedAccounts: 1 };
  const a = generateOrganization(opts);
  t.same(generateOrganization(opts), a);
  t.not(JSON.stringify(generateOrganization({ ...opts, seed: 6 })), JSON.stringify(a));
  t.equal(a.accounts.length, 6);
  t.equal(a.organization.management_account_id, generatedAccountId(0));
  for (const acct of a.accounts) t.equal(acct.resources.length, 20, `${acct.name} has 10 per region`);
  t.same(
    a.accounts.map((x) => [x.status, x.role.state]),
    [
      ['ACTIVE', 'ok'],
      ['ACTIVE', 'ok'],
      ['ACTIVE', 'ok'],
      ['SUSPENDED', 'ok'],
      ['ACTIVE', 'missing'],
      ['ACTIVE', 'untrusted'],
    ],
  );
  const arns = allResources(a).map(({ a: acct, r }) => resourceArn(r, acct.id));
  t.equal(new Set(arns).size, arns.length, 'ARNs are unique');
  t.ok(allResources(a).every(({ r }) => isKnownType(r.type)), 'only registry types');
});

t.test('generated tags: compliance rate 1 yields policy-compliant tags; 0 yields defects of every kind', async (t) => {
  const good = generateOrganization({ accounts: 2, regions: ['us-east-1'], resourcesPerRegion: 40, complianceRate: 1, seed: 3 });
  for (const { r } of allResources(good)) {
    for (const k of REQUIRED) t.ok(r.tags[k] !== undefined && r.tags[k] !== '', `${r.id} has ${k}`);
    t.match(r.tags['Owner'], EMAIL);
    t.ok(ENVS.includes(r.tags['Environment'] ?? ''));
  }
  const bad = generateOrganization({ accounts: 3, regions: ['us-east-1', 'eu-west-1'], resourcesPerRegion: 40, complianceRate: 0, seed: 3 });
  const rs = allResources(bad).map(({ r }) => r);
  const compliant = rs.filter(
    (r) => REQUIRED.every((k) => (r.tags[k] ?? '') !== '') && EMAIL.test(r.tags['Owner'] ?? '') && ENVS.includes(r.tags['Environment'] ?? ''),
  );
  // Only wrong-case CostCenter/Application drift can remain formally "present"; most are broken.
  t.ok(compliant.length < rs.length / 4, `${compliant.length} of ${rs.length} still compliant`);
  t.ok(rs.some((r) => r.ever_tagged === false), 'some never tagged');
  t.ok(rs.some((r) => r.ever_tagged === true && Object.keys(r.tags).length === 0), 'some with tags removed');
  t.ok(rs.some((r) => r.tags['Environment'] === ''), 'some empty values');
  t.ok(rs.some((r) => 'costcenter' in r.tags || 'owner' in r.tags || 'environment' in r.tags || 'application' in r.tags), 'some key-case drift');
});

t.test('volumes attached to instances inherit their tags', async (t) => {
  const f = generateOrganization({ accounts: 2, regions: ['us-east-1'], resourcesPerRegion: 60, types: ['ec2:instance', 'ec2:volume'], seed: 9 });
  let attached = 0;
  for (const acct of f.accounts) {
    for (const v of acct.resources.filter((r) => r.type === 'ec2:volume')) {
      const instId = v.attributes?.['attached_instance_id'];
      if (typeof instId !== 'string') continue;
      attached++;
      const inst = acct.resources.find((r) => r.id === instId);
      t.ok(inst, `instance ${instId} exists`);
      t.same(v.tags, inst?.tags);
    }
  }
  t.ok(attached > 10, `${attached} volumes attached`);
});

t.test('demo organization: accounts, regions, broken legacy role, tag policies, data shapes', async (t) => {
  const f = demoOrganization();
  t.same(demoOrganization(), f, 'deterministic');
  t.same(f.regions, DEMO_REGIONS);
  t.same(
    f.accounts.map((a) => a.name),
    ['management', 'production', 'staging', 'development', 'data', 'sandbox', 'legacy'],
  );
  t.equal(f.accounts.find((a) => a.id === DEMO_ACCOUNTS.legacy)?.role.state, 'untrusted');
  t.same(
    f.accounts.filter((a) => a.role.state !== 'ok').map((a) => a.name),
    ['legacy'],
  );
  const rs = allResources(f);
  t.ok(rs.length >= 200 && rs.length <= 400, `${rs.length} resources`);
  for (const type of ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:natgateway', 'rds:db', 'rds:cluster', 's3:bucket', 'lambda:function', 'dynamodb:table', 'ecs:service']) {
    t.ok(rs.some(({ r }) => r.type === type), `has ${type}`);
  }
  for (const type of ['ec2:instance', 'rds:db', 's3:bucket']) {
    t.ok(rs.some(({ r }) => r.type === type && r.ever_tagged === false), `some never-tagged ${type}`);
  }
  t.equal(f.tag_policies?.length, 2);
  const arns = rs.map(({ a, r }) => resourceArn(r, a.id));
  t.equal(new Set(arns).size, arns.length, 'ARNs unique');
  const buckets = rs.filter(({ r }) => r.type === 's3:bucket').map(({ r }) => r.id);
  t.equal(new Set(buckets).size, buckets.length, 'bucket names globally unique');
  t.ok(rs.every(({ r }) => r.monthly_cost >= 0 && !Number.isNaN(Date.parse(r.created_at))));
  const compliantShare =
    rs.filter(({ r }) => REQUIRED.every((k) => (r.tags[k] ?? '') !== '') && ENVS.includes(r.tags['Environment'] ?? '')).length / rs.length;
  t.ok(compliantShare > 0.4 && compliantShare < 0.85, `compliant share ${compliantShare.toFixed(2)}`);
});

t.test('fixture files: demo, generated spec, JSON file validated', async (t) => {
  t.equal((await loadFixture('demo')).organization.management_account_id, DEMO_ACCOUNTS.management);
  const g = await loadFixture('generated:4x2x3');
  t.equal(g.accounts.length, 4);
  t.same(g.regions, ['us-east-1', 'eu-west-1']);
  t.equal(g.accounts[0]?.resources.length, 6);
  const dir = await mkdtemp(join(tmpdir(), 'sim-fixture-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify(g));
  t.same(await loadFixture(good), g);
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ ...g, accounts: [{ ...g.accounts[0], id: 'abc' }] }));
  await t.rejects(loadFixture(bad), /bad\.json is not a valid simulator fixture: \/accounts\/0\/id/);
  await t.rejects(loadFixture(join(dir, 'missing.json')), /no such readable file/);
  t.throws(() => parseFixture({ ...g, organization: { ...g.organization, management_account_id: '999999999999' } }, 'x.json'), /management_account_id/);
});
