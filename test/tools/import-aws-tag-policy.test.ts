/**
 * import_aws_tag_policy end to end: the real app (every plugin) over the simulator's demo
 * organization plus three more tag policies, through REST and MCP. Listing reads every page,
 * importing converts real Organizations syntax, saving writes only inside a temporary policies
 * directory, activating hot-swaps the policy check_tag_compliance uses, and an invalid import
 * leaves the active policy alone.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import t, { type Test } from 'tap';
import { describePolicy, effectiveTagPolicy, listPolicyTargets, listTagPolicies } from '../../src/aws/tag-policies.js';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { TaggingPolicyDocument } from '../../src/policy/types.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { DEFAULT_ROLE_NAME } from '../../src/simulator/generate.js';
import { startSimulator } from '../../src/simulator/server.js';
import { importAwsTagPolicy } from '../../src/tools/import-aws-tag-policy.js';
import { isolateNetwork } from '../aws/helpers.js';
import { connectMcp } from '../e2e/helpers.js';
import { expectedCompliance, schemaErrors } from '../e2e/harness.js';

isolateNetwork();

const OU_DATA = 'ou-a1b2-data0001';
const OU_SANDBOX = 'ou-a1b2-sbox0001';

const fixture = demoOrganization();
fixture.tag_policies = [
  ...(fixture.tag_policies ?? []),
  {
    id: 'p-data0tags',
    name: 'acme-data-classification',
    content: JSON.stringify({
      tags: {
        dataclassification: {
          tag_key: { '@@assign': 'DataClassification' },
          tag_value: { '@@assign': ['public', 'internal', 'confidential', 'restricted'] },
          report_required_tag_for: { '@@assign': ['s3:bucket', 'dynamodb:table', 'redshift:cluster'] },
        },
        costcenter: { tag_value: { '@@append': ['DataPlatform-*'] } },
      },
    }),
    targets: [OU_DATA],
  },
  {
    id: 'p-sbox0tags',
    name: 'acme-sandbox-relaxed',
    content: JSON.stringify({ tags: { environment: { tag_value: { '@@remove': ['production'] } } } }),
    targets: [OU_SANDBOX],
  },
  {
    id: 'p-broken001',
    name: 'Broken Long Value',
    content: JSON.stringify({
      tags: { team: { tag_key: { '@@assign': 'Team' }, tag_value: { '@@assign': ['x'.repeat(300)] }, enforced_for: { '@@assign': ['ec2:instance'] } } },
    }),
    targets: [],
  },
];

// Small pages force every paginated call to take several.
const sim = await startSimulator({
  fixture,
  port: 0,
  host: '127.0.0.1',
  page_size: { 'organizations:ListPolicies': 2, 'organizations:ListTargetsForPolicy': 1 },
});
t.teardown(() => sim.stop());

interface Env {
  dir: string;
  policyPath: string;
  app: Awaited<ReturnType<typeof buildApp>>;
  call(args: Record<string, unknown>, tool?: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

async function start(t: Test, writes = true, watch = false): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), 'import-tag-policy-'));
  const dir = join(root, 'policies');
  // The policies directory is one level down, so `..` has somewhere to go.
  mkdirSync(dir);
  const policyPath = join(dir, 'tagging_policy.json');
  copyFileSync(join(process.cwd(), 'policies', 'tagging_policy.json'), policyPath);
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'organizations' },
    policy_path: policyPath,
    policy_import_writes: writes,
  });
  const app = await buildApp({ config, logger: false, policy: { watch, debounceMs: 20 } });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    dir,
    policyPath,
    app,
    async call(args, tool = 'import_aws_tag_policy') {
      const res = await app.inject({ method: 'POST', url: `/tools/${tool}`, payload: args });
      return { status: res.statusCode, body: res.json() };
    },
  };
}

const policyOf = (body: Record<string, unknown>): TaggingPolicyDocument => body['policy'] as TaggingPolicyDocument;
const requiredOf = (body: Record<string, unknown>) =>
  policyOf(body).required_tags.map((r) => ({ name: r.name, allowed_values: r.allowed_values, validation_regex: r.validation_regex, applies_to: r.applies_to }));

t.test('list: every policy over every page, with its targets', async (t) => {
  const env = await start(t);
  const before = env.app.aws.stats().calls['organizations:ListPolicies'] ?? 0;
  const r = await env.call({});
  t.equal(r.status, 200);
  t.same(schemaErrors(importAwsTagPolicy.outputSchema, r.body), []);
  t.equal(r.body['mode'], 'list');
  t.equal(r.body['total_policies'], 5);
  t.equal((env.app.aws.stats().calls['organizations:ListPolicies'] ?? 0) - before, 3, 'five policies at two per page: three ListPolicies pages');
  const policies = r.body['policies'] as { policy_id: string; name: string; description: string | null; targets: { target_id: string; type: string }[] }[];
  t.same(policies.map((p) => p.policy_id), ['p-95ouzwl3', 'p-7h2kx9qa', 'p-data0tags', 'p-sbox0tags', 'p-broken001']);
  t.same(policies[0]?.targets, [{ target_id: 'r-a1b2', name: 'Root', type: 'ROOT' }]);
  t.same(policies[1]?.targets.map((x) => [x.target_id, x.type]), [['ou-a1b2-wrkl0001', 'ORGANIZATIONAL_UNIT']]);
  t.same(policies[4]?.targets, []);
  t.type(policies[0]?.description, 'string');

  const first = await env.call({ limit: 2 });
  t.equal((first.body['policies'] as unknown[]).length, 2);
  t.type(first.body['next_cursor'], 'string');
  const second = await env.call({ limit: 2, cursor: first.body['next_cursor'] });
  t.same((second.body['policies'] as { policy_id: string }[]).map((p) => p.policy_id), ['p-data0tags', 'p-sbox0tags']);
});

t.test('import one policy: a preview that changes nothing', async (t) => {
  const env = await start(t);
  const active = await env.call({}, 'get_tagging_policy');
  const r = await env.call({ policy_id: 'p-95ouzwl3' });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  t.same(schemaErrors(importAwsTagPolicy.outputSchema, r.body), []);
  t.equal(r.body['valid'], true);
  t.same(r.body['source'], { kind: 'policy', policy_ids: ['p-95ouzwl3'], policy_names: ['acme-baseline-tags'], account_id: null });
  t.same(requiredOf(r.body), [
    { name: 'Owner', allowed_values: null, validation_regex: '^(?:.*@acme\\.example)$', applies_to: ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:natgateway', 'rds:db', 's3:bucket'] },
    { name: 'CostCenter', allowed_values: ['Engineering', 'Sales', 'Marketing', 'Finance', 'Operations', 'Data'], validation_regex: null, applies_to: ['ec2:instance', 'rds:db', 's3:bucket'] },
  ]);
  t.same(policyOf(r.body).optional_tags?.map((o) => [o.name, o.allowed_values]), [['Environment', ['production', 'staging', 'development', 'test']]]);
  t.equal(policyOf(r.body).tag_naming_rules?.case_sensitivity, true);
  t.ok((r.body['warnings'] as string[]).some((w) => w.includes('Environment') && w.includes('optional')), 'the optional key is explained');
  t.equal(r.body['saved_to'], null);
  t.equal(r.body['activated'], false);
  t.equal(r.body['active_policy_hash'], active.body['policy_hash']);
  t.same(readdirSync(env.dir), ['tagging_policy.json'], 'nothing written');
  t.equal((await env.call({}, 'get_tagging_policy')).body['policy_hash'], active.body['policy_hash'], 'active policy unchanged');
  // Language models send single-element arrays for strings and enums.
  const arrays = await env.call({ policy_id: ['p-95ouzwl3'], required_tags_from: ['all_keys'] });
  t.equal(arrays.status, 200, JSON.stringify(arrays.body).slice(0, 300));
  t.equal((arrays.body['source'] as { kind: string }).kind, 'policy');
  t.same(requiredOf(arrays.body).map((x) => [x.name, x.applies_to?.length]), [['Owner', 7], ['Environment', 0], ['CostCenter', 3]], 'all_keys: Environment required on every type');
});

t.test('a parent-first chain merges like the effective policy AWS returns for an account (REST and MCP agree)', async (t) => {
  const env = await start(t);
  const chain = await env.call({ policy_id: ['p-95ouzwl3', 'p-7h2kx9qa'] });
  const effective = await env.call({ account_id: 'production' });
  t.equal(chain.status, 200);
  t.equal(effective.status, 200, JSON.stringify(effective.body).slice(0, 300));
  t.same(effective.body['source'], { kind: 'effective_policy', policy_ids: [], policy_names: [], account_id: DEMO_ACCOUNTS.production });
  t.same(requiredOf(chain.body), requiredOf(effective.body));
  const byName = new Map(requiredOf(chain.body).map((r) => [r.name, r]));
  t.same(byName.get('Environment'), { name: 'Environment', allowed_values: ['production', 'staging', 'development'], validation_regex: null, applies_to: ['ec2:instance', 'rds:db'] }, '@@remove in the OU policy, enforced_for → applies_to');
  t.equal(byName.get('CostCenter')?.validation_regex, '^(?:Engineering|Sales|Marketing|Finance|Operations|Data|Platform-.*)$', '@@append of a wildcard turns the list into one regex');
  t.equal(byName.get('Application')?.validation_regex, '^(?:.*-api|.*-service|.*-gateway|observability)$');
  t.same(byName.get('Application')?.applies_to, ['ec2:instance', 'lambda:function']);

  const data = await env.call({ account_id: DEMO_ACCOUNTS.data });
  const dataRequired = new Map(requiredOf(data.body).map((r) => [r.name, r]));
  t.same(dataRequired.get('DataClassification')?.applies_to, ['s3:bucket', 'dynamodb:table', 'redshift:cluster']);
  t.notOk(dataRequired.has('Application'), 'the workloads OU policy does not reach the data OU');

  const mcp = await connectMcp(env.app);
  t.teardown(() => mcp.close());
  const res = await mcp.client.callTool({ name: 'import_aws_tag_policy', arguments: { account_id: 'production' } });
  t.notOk(res.isError);
  const structured = res.structuredContent as Record<string, unknown>;
  t.same(requiredOf(structured), requiredOf(effective.body));
  t.same(structured['warnings'], effective.body['warnings']);
});

t.test('save: only inside the policies directory, never over an existing file unless asked, never over the active one', async (t) => {
  const env = await start(t);
  const r = await env.call({ account_id: 'production', save_to_file: true, name: 'acme-production' });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  const file = join(env.dir, 'acme-production.json');
  t.equal(r.body['saved_to'], file);
  t.same(readdirSync(env.dir).sort(), ['acme-production.json', 'tagging_policy.json']);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as TaggingPolicyDocument;
  t.same(saved, r.body['policy'], 'the file holds the converted policy');
  t.doesNotThrow(() => parsePolicy(saved), 'and it loads as a policy');

  const again = await env.call({ account_id: 'production', name: 'acme-production' });
  t.equal(again.status, 409, 'no silent overwrite');
  t.match(again.body['message'], /overwrite: true/);
  const replaced = await env.call({ account_id: 'production', name: 'acme-production.json', overwrite: true });
  t.equal(replaced.status, 200);
  t.equal(replaced.body['replaced_existing_file'], true);

  const active = await env.call({ policy_id: 'p-95ouzwl3', name: 'tagging_policy', overwrite: true });
  t.equal(active.status, 409);
  t.match(active.body['message'], /active policy file/);
  t.equal(readFileSync(env.policyPath, 'utf8'), readFileSync(join(process.cwd(), 'policies', 'tagging_policy.json'), 'utf8'), 'the active file is untouched');

  const byDefault = await env.call({ policy_id: 'p-broken001', save_to_file: false });
  t.equal(byDefault.status, 200, 'an invalid conversion can be previewed');
  t.equal(byDefault.body['valid'], false);
  t.match(byDefault.body['validation_error'], /256 characters/);
  const defaultName = await env.call({ policy_id: 'p-7h2kx9qa', save_to_file: true });
  t.equal(defaultName.status, 200);
  t.equal(defaultName.body['saved_to'], join(env.dir, 'acme-workloads-enforced.json'), 'default file name from the AWS policy name');
});

t.test('writes outside the policies directory are refused with a clear 400', async (t) => {
  const env = await start(t);
  const outside = join(env.dir, '..');
  const secret = join(outside, 'secret.json');
  writeFileSync(secret, '{"keep": true}\n');
  symlinkSync(secret, join(env.dir, 'link.json'));
  const cases: [string, RegExp][] = [
    ['../x', /climbs out|path separator/],
    ['../../etc/x', /climbs out/],
    ['/etc/x', /absolute path/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['..', /climbs out/],
    ['x\u0000y', /NUL/],
    ['Prod', /upper-case/],
    ['prod policy', /characters other than/],
    ['.hidden', /characters other than/],
    ['a'.repeat(65), /longer than 64/],
    ['C:\\temp\\x', /absolute path/],
  ];
  for (const [name, why] of cases) {
    const r = await env.call({ policy_id: 'p-95ouzwl3', save_to_file: true, name });
    t.equal(r.status, 400, `${JSON.stringify(name)} refused`);
    t.equal(r.body['field'], '/name');
    t.match(r.body['message'], why, `${JSON.stringify(name)}: ${String(r.body['message'])}`);
  }
  const link = await env.call({ policy_id: 'p-95ouzwl3', name: 'link', overwrite: true });
  t.equal(link.status, 400, 'a symbolic link is never written through');
  t.match(link.body['message'], /symbolic link/);
  t.equal(readFileSync(secret, 'utf8'), '{"keep": true}\n', 'the link target is untouched');
  t.ok(lstatSync(join(env.dir, 'link.json')).isSymbolicLink());
  t.same(readdirSync(env.dir).sort(), ['link.json', 'tagging_policy.json'], 'nothing else written in the policies directory');
  t.same(readdirSync(outside).sort(), ['policies', 'secret.json'], 'nor next to it');
  t.notOk(existsSync('/etc/x.json'));
});

t.test('activate: check_tag_compliance uses the imported policy at once; an invalid one keeps the old policy', async (t) => {
  const env = await start(t);
  const before = await env.call({}, 'get_tagging_policy');
  const r = await env.call({ account_id: 'production', save_to_file: true, name: 'prod-effective', activate: true });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  t.equal(r.body['activated'], true);
  t.equal(r.body['previous_policy_hash'], before.body['policy_hash']);
  t.not(r.body['active_policy_hash'], before.body['policy_hash']);
  t.equal(r.body['active_policy_hash'], r.body['policy_hash']);
  t.match(r.body['note'], /POLICY_PATH=/);
  const now = await env.call({}, 'get_tagging_policy');
  t.equal(now.body['policy_hash'], r.body['policy_hash'], 'get_tagging_policy reports the imported policy');

  const imported = parsePolicy(r.body['policy']);
  const expected = expectedCompliance(imported, fixture, [DEMO_ACCOUNTS.production]);
  const check = await env.call({ account_ids: ['production'] }, 'check_tag_compliance');
  t.equal(check.status, 200);
  t.equal(check.body['total_resources'], expected.total_resources, 'scope of the imported policy');
  t.equal(check.body['compliant_resources'], expected.compliant_resources, 'verdicts of the imported policy');
  const old = expectedCompliance(parsePolicy(JSON.parse(readFileSync(env.policyPath, 'utf8'))), fixture, [DEMO_ACCOUNTS.production]);
  t.not(`${expected.total_resources}/${expected.compliant_resources}`, `${old.total_resources}/${old.compliant_resources}`, 'the two policies give different answers, so the test can tell them apart');

  t.equal(env.app.policyStore.path, join(env.dir, 'prod-effective.json'), 'the store follows the saved file');
  const refresh = await env.call({ account_id: 'production', name: 'prod-effective', overwrite: true });
  t.equal(refresh.status, 409, 'the followed file is not replaced by an import that does not activate it');
  const reimport = await env.call({ account_id: 'production', name: 'prod-effective', overwrite: true, activate: true });
  t.equal(reimport.status, 200, 'but it can be refreshed by an import that activates it');
  t.equal(reimport.body['replaced_existing_file'], true);
  t.equal(reimport.body['policy_hash'], r.body['policy_hash'], 'the same AWS content gives the same policy and hash');
  const original = await env.call({ policy_id: 'p-95ouzwl3', name: 'tagging_policy', overwrite: true, activate: true });
  t.equal(original.status, 409, 'the file POLICY_PATH names stays protected after the switch');

  const broken = await env.call({ policy_id: 'p-broken001', activate: true });
  t.equal(broken.status, 422);
  t.match(broken.body['message'], /active policy is unchanged/);
  t.equal((await env.call({}, 'get_tagging_policy')).body['policy_hash'], r.body['policy_hash'], 'the imported policy stays active');

  const nothing = await env.call({ policy_id: 'p-sbox0tags', activate: true });
  t.equal(nothing.status, 422, 'a policy that requires nothing is not activated');
  t.equal(nothing.body['error'], 'nothing_to_check');
  const allKeys = await env.call({ policy_id: 'p-sbox0tags', required_tags_from: 'all_keys' });
  t.equal(allKeys.status, 200);
  t.same(requiredOf(allKeys.body).map((x) => x.name), ['environment'], 'no tag_key: the lower-case key, as AWS');
});

t.test('bad requests and Organizations errors are clear 4xx answers', async (t) => {
  const env = await start(t);
  const missing = await env.call({ policy_id: 'p-doesnotexist' });
  t.equal(missing.status, 404);
  t.match(missing.body['message'], /No Organizations policy has the id p-doesnotexist/);
  const badId = await env.call({ policy_id: 'not-a-policy' });
  t.equal(badId.status, 400);
  const both = await env.call({ policy_id: 'p-95ouzwl3', account_id: 'production' });
  t.equal(both.status, 400);
  const notMember = await env.call({ account_id: '999999999999' });
  t.equal(notMember.status, 404, 'an id outside the organization: TargetNotFound');
  t.match(notMember.body['message'], /no account 999999999999/);
  const unknown = await env.call({ account_id: 'no-such-account' });
  t.equal(unknown.status, 400);
  t.equal(unknown.body['field'], '/account_id');
  const saveWithout = await env.call({ save_to_file: true, name: 'x' });
  t.equal(saveWithout.status, 400);
  t.match(saveWithout.body['message'], /pass policy_id/);
  const twice = await env.call({ policy_id: ['p-95ouzwl3', 'p-95ouzwl3'] });
  t.equal(twice.status, 400);
});

t.test('without POLICY_IMPORT_WRITES, saving and activating are refused (403) and previews still work', async (t) => {
  const env = await start(t, false);
  const before = await env.call({}, 'get_tagging_policy');
  for (const args of [{ policy_id: 'p-95ouzwl3', save_to_file: true }, { policy_id: 'p-95ouzwl3', name: 'x' }, { account_id: 'production', activate: true }]) {
    const r = await env.call(args);
    t.equal(r.status, 403, JSON.stringify(args));
    t.match(r.body['message'], /POLICY_IMPORT_WRITES=true/);
  }
  t.same(readdirSync(env.dir), ['tagging_policy.json']);
  t.equal((await env.call({}, 'get_tagging_policy')).body['policy_hash'], before.body['policy_hash']);
  t.equal((await env.call({ account_id: 'production' })).status, 200);
  t.equal((await env.call({})).status, 200);
});

t.test('AccessDenied from Organizations names the action to grant (server running in a member account)', async (t) => {
  const sts = new STSClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { ...sim.credentials } });
  t.teardown(() => sts.destroy());
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEMO_ACCOUNTS.production}:role/${DEFAULT_ROLE_NAME}`, RoleSessionName: 'import-test' }));
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) throw new Error('no credentials');
  const config = testConfig({ aws: { endpoint_url: sim.endpoint, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } } });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  t.teardown(() => app.close());
  const list = await app.inject({ method: 'POST', url: '/tools/import_aws_tag_policy', payload: {} });
  t.equal(list.statusCode, 403);
  t.match(list.json().message, /organizations:ListPolicies/);
  const one = await app.inject({ method: 'POST', url: '/tools/import_aws_tag_policy', payload: { policy_id: 'p-95ouzwl3' } });
  t.equal(one.statusCode, 403);
  t.match(one.json().message, /organizations:DescribePolicy/);
});

t.test('Organizations errors map to stable codes (not in an organization, no effective policy)', async (t) => {
  const failing = (name: string) => ({ send: async () => Promise.reject(Object.assign(new Error('raw AWS text with arn:aws:iam::999999999999:role/x'), { name, $metadata: { httpStatusCode: 400 } })) }) as unknown as OrganizationsClient;
  const signal = new AbortController().signal;
  await t.rejects(listTagPolicies(failing('AWSOrganizationsNotInUseException'), signal), { code: 'OrganizationsNotInUse', message: /not a member of an AWS Organization/ });
  await t.rejects(effectiveTagPolicy(failing('EffectivePolicyNotFoundException'), '111111111111', signal), { code: 'EffectivePolicyNotFound' });
  await t.rejects(describePolicy(failing('PolicyNotFoundException'), 'p-12345678', signal), { code: 'PolicyNotFound' });
  await t.rejects(listPolicyTargets(failing('PolicyTypeNotEnabledException'), 'p-12345678', signal), { code: 'PolicyTypeNotEnabled' });
  await t.rejects(effectiveTagPolicy(failing('InvalidInputException'), '111111111111', signal), { code: 'InvalidInput', message: /111111111111/ });
  const other: unknown = await listTagPolicies(failing('ServiceException'), signal).then(() => null, (e: unknown) => e);
  t.ok(other instanceof Error);
  t.notMatch((other as Error).message, /999999999999/, 'raw AWS text is never copied');
});

t.test('activated from a saved file, edits to that file are hot-reloaded', async (t) => {
  const env = await start(t, true, true);
  const r = await env.call({ account_id: 'production', name: 'followed', activate: true });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  t.match(r.body['note'], /follows .*followed\.json/);
  const edited = { ...(r.body['policy'] as TaggingPolicyDocument), required_tags: [{ name: 'Owner', applies_to: ['s3:bucket'] }] };
  writeFileSync(join(env.dir, 'followed.json'), JSON.stringify(edited));
  const want = parsePolicy(edited).hash;
  let seen = '';
  for (let i = 0; i < 200 && seen !== want; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    seen = String((await env.call({}, 'get_tagging_policy')).body['policy_hash']);
  }
  t.equal(seen, want, 'the edit of the followed file became the active policy');
});
