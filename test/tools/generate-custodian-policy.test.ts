/**
 * generate_custodian_policy end to end on the demo organization (REST and MCP): valid YAML, the
 * policies match exactly the resources check_tag_compliance reports in error (interpreted on the
 * demo's own resources), accounts.yml lists every demo account with the member role ARN,
 * dry_run false gives mark/unmark/act, arguments are validated.
 */
import t from 'tap';
import { parse } from 'yaml';
import type { FastifyInstance } from 'fastify';
import { appContextFactory } from '../../plugins/tools.js';
import { buildApp } from '../../src/app.js';
import { roleArnFromTemplate } from '../../src/aws/credentials.js';
import { loadConfig, testConfig } from '../../src/config/index.js';
import { startSimulator } from '../../src/simulator/server.js';
import { demoOrganization } from '../../src/simulator/demo-org.js';
import { generateCustodianPolicy } from '../../src/tools/generate-custodian-policy.js';
import { DEMO_ACCOUNTS, READABLE_ACCOUNTS, schemaErrors, startDemo, visibleResources } from '../e2e/harness.js';
import { connectMcp } from '../e2e/helpers.js';
import { isolateNetwork } from '../helpers/network.js';
import { matchPolicy, toC7n } from '../remediation/custodian-interpreter.js';

isolateNetwork();

const URL_ = '/tools/generate_custodian_policy';

interface PolicyDoc {
  name: string;
  resource: string;
  filters: unknown[];
  actions: ({ type: string } & Record<string, unknown>)[];
  conditions?: unknown[];
}
interface Answer {
  policy_yaml: string;
  combined_yaml: string;
  accounts_yaml: string | null;
  accounts: { account_id: string; name: string; role: string | null }[];
  policies: { name: string; resource_type: string; registry_type: string; role: string; action_type: string; filter_count: number; yaml_content: string }[];
  total_policies: number;
  resource_types_covered: string[];
  skipped_types: { resource_type: string; reason: string }[];
  target_tags: string[];
  violation_types: string[];
  dry_run: boolean;
  commands: Record<string, string>;
  notes: string[];
}

async function call(app: FastifyInstance, args: unknown): Promise<{ status: number; body: Answer & { message?: string; error?: string } }> {
  const r = await app.inject({ method: 'POST', url: URL_, payload: JSON.stringify(args), headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.json() };
}

/** Every ARN check_tag_compliance reports with an error (all pages). */
async function errorArns(app: FastifyInstance, accountIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor: string | null = null;
  do {
    const r = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: accountIds, severity: 'errors_only', limit: 500, ...(cursor === null ? {} : { cursor }) } });
    const body = r.json() as { violations: { resource_arn: string }[]; next_cursor: string | null; data_quality: { status: string } };
    for (const v of body.violations) out.add(v.resource_arn);
    cursor = body.next_cursor;
  } while (cursor !== null);
  return out;
}

t.test('demo organization', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const { app, sim, config } = demo;

  t.test('dry run over every applicable type: valid YAML matching exactly what check_tag_compliance reports', async (t) => {
    const { status, body } = await call(app, {});
    t.equal(status, 200);
    t.same(schemaErrors(generateCustodianPolicy.outputSchema, body), []);
    t.equal(body.dry_run, true);
    t.equal(body.combined_yaml, body.policy_yaml);
    const parsed = parse(body.policy_yaml) as { policies: PolicyDoc[] };
    t.equal(parsed.policies.length, body.total_policies);
    t.same(body.resource_types_covered, [...demo.policy.applicableTypes].sort());
    t.equal(body.skipped_types.length, 0);
    for (const p of parsed.policies) {
      t.match(p.name, /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/, `${p.name}: a valid Custodian policy name`);
      t.match(p.resource, /^aws\.[a-z0-9-]+$/);
      t.same(p.actions.map((a) => a.type), ['notify'], `${p.name}: notify only in a dry run`);
      t.ok(p.actions[0]?.['transport'], 'notify has a transport');
    }
    t.equal(new Set(parsed.policies.map((p) => p.name)).size, parsed.policies.length, 'policy names are unique');
    t.ok(parsed.policies.some((p) => p.resource === 'aws.elb') && parsed.policies.some((p) => p.resource === 'aws.app-elb'), 'load balancers: classic and v2');
    const perPolicy = body.policies.map((p) => parse(p.yaml_content) as { policies: PolicyDoc[] });
    t.same(perPolicy.map((d) => d.policies[0]), parsed.policies, 'yaml_content of each policy is that policy alone');

    // Same resources: interpret each type's filter on the demo's resources, compare with the scan.
    const scanned = await errorArns(app, READABLE_ACCOUNTS);
    const filterOf = new Map<string, unknown[]>();
    body.policies.forEach((p, i) => {
      if (!filterOf.has(p.registry_type)) filterOf.set(p.registry_type, parsed.policies[i]?.filters ?? []);
    });
    const matched = new Set<string>();
    let considered = 0;
    for (const v of visibleResources(sim.fixture, READABLE_ACCOUNTS)) {
      const filters = filterOf.get(v.resource.type);
      if (filters === undefined) continue;
      considered++;
      if (matchPolicy(filters, toC7n(v.resource.tags))) matched.add(v.arn);
    }
    t.ok(considered > 50 && scanned.size > 10, `a real sample (${considered} resources, ${scanned.size} in error)`);
    t.same([...matched].sort(), [...scanned].sort(), 'the Custodian filters select exactly the resources in error');
  });

  t.test('accounts.yml: every demo account, member role ARN from the configured template, local account without role', async (t) => {
    const { body } = await call(app, { resource_types: ['ec2:instance'] });
    t.not(body.accounts_yaml, null);
    const file = parse(body.accounts_yaml ?? '') as { accounts: { account_id: unknown; name: string; role?: string; regions?: string[]; tags: string[] }[] };
    t.same(file.accounts.map((a) => a.account_id).sort(), Object.values(DEMO_ACCOUNTS).sort(), 'every demo account, ids as strings');
    for (const a of file.accounts) {
      t.type(a.account_id, 'string');
      if (a.account_id === DEMO_ACCOUNTS.management) t.equal(a.role, undefined, 'the management (server) account runs without AssumeRole');
      else t.equal(a.role, roleArnFromTemplate(config.multi_account.role_arn_template, String(a.account_id), config.multi_account.role_name), `${a.name}: role ARN`);
    }
    t.ok(file.accounts.some((a) => a.name === 'production'), 'accounts are named after the organization');
    t.match(body.commands['org_run'], /^c7n-org run -c accounts\.yml -s output --region all -u tag-compliance\.yml$/);
    t.match(body.commands['validate'], /custodian validate tag-compliance\.yml/);

    const some = await call(app, { resource_types: ['ec2:instance'], account_ids: ['production', 'staging'] });
    t.same(some.body.accounts.map((a) => a.account_id).sort(), [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging].sort());
    const regions = await call(app, { resource_types: ['ec2:instance'], regions: ['us-east-1', 'eu-west-1'] });
    const withRegions = parse(regions.body.accounts_yaml ?? '') as { accounts: { regions?: string[] }[] };
    t.ok(withRegions.accounts.every((a) => a.regions?.join() === 'us-east-1,eu-west-1'), 'regions per account');
    t.match(regions.body.commands['run'], /--region us-east-1 --region eu-west-1/);
  });

  t.test('dry_run false: mark / unmark / act, stop only where Custodian can, never blind tagging', async (t) => {
    const { status, body } = await call(app, { resource_types: ['ec2:instance', 's3:bucket'], dry_run: false, remediation_op: 'stop', grace_days: 3 });
    t.equal(status, 200);
    const docs = (parse(body.policy_yaml) as { policies: PolicyDoc[] }).policies;
    t.same(docs.map((d) => d.name), [
      'tag-compliance-ec2-instance-mark',
      'tag-compliance-ec2-instance-unmark',
      'tag-compliance-ec2-instance-act',
      'tag-compliance-s3-bucket-mark',
      'tag-compliance-s3-bucket-unmark',
      'tag-compliance-s3-bucket-act',
    ]);
    const byName = new Map(docs.map((d) => [d.name, d]));
    const mark = byName.get('tag-compliance-ec2-instance-mark');
    t.same(mark?.actions[0], { type: 'mark-for-op', tag: 'c7n_tag_compliance', op: 'stop', days: 3, msg: 'Tag compliance (Owner, Environment, CostCenter, Application): {op}@{action_date}' });
    t.same(mark?.filters[0], { 'tag:c7n_tag_compliance': 'absent' });
    t.same(byName.get('tag-compliance-ec2-instance-act')?.actions.map((a) => a.type), ['stop', 'notify']);
    t.same(byName.get('tag-compliance-ec2-instance-act')?.filters[0], { type: 'marked-for-op', tag: 'c7n_tag_compliance', op: 'stop' });
    t.same(byName.get('tag-compliance-s3-bucket-act')?.actions.map((a) => a.type), ['notify'], 'S3 cannot be stopped');
    t.same(byName.get('tag-compliance-s3-bucket-unmark')?.actions, [{ type: 'remove-tag', tags: ['c7n_tag_compliance'] }]);
    t.notOk(docs.some((d) => d.actions.some((a) => a.type === 'tag')), 'no tag action with guessed values');
    t.ok(body.notes.some((n) => n.includes('aws.s3 cannot be stopped')));

    // unmark = marked and NOT non-compliant: a compliant resource with the marker matches, a broken one does not.
    const unmark = byName.get('tag-compliance-ec2-instance-unmark')?.filters ?? [];
    const good = { Owner: 'a@b.co', Environment: 'production', CostCenter: 'Sales', Application: 'web', c7n_tag_compliance: 'x' };
    t.equal(matchPolicy(unmark, toC7n(good)), true);
    t.equal(matchPolicy(unmark, toC7n({ ...good, Environment: 'qa' })), false);
    t.equal(matchPolicy(mark?.filters ?? [], toC7n({ ...good, Environment: 'qa', c7n_tag_compliance: '' })), false, 'already marked: not marked again');
  });

  t.test('violation types and target tags (names ignore case like the policy)', async (t) => {
    const { body } = await call(app, { resource_types: 'ec2:instance', violation_types: 'invalid_value', target_tags: ['environment'] });
    t.same(body.target_tags, ['Environment']);
    t.same(body.violation_types, ['invalid_value']);
    const [doc] = (parse(body.policy_yaml) as { policies: PolicyDoc[] }).policies;
    const f = doc?.filters ?? [];
    t.equal(matchPolicy(f, toC7n({})), false, 'a missing Environment is not an invalid value');
    t.equal(matchPolicy(f, toC7n({ Environment: 'qa' })), true);
    t.equal(matchPolicy(f, toC7n({ Environment: 'Production' })), false, 'a case-only difference is a warning, not an error');
    t.equal(matchPolicy(f, toC7n({ environment: 'qa' })), true, 'the value under a key that differs only by case is checked');
    t.equal(matchPolicy(f, toC7n({ Environment: ' ' })), true, 'blank');

    const skip = await call(app, { resource_types: ['ec2:instance', 'ec2:elastic-ip'], target_tags: ['Application'] });
    t.same(skip.body.resource_types_covered, ['ec2:instance']);
    t.match(skip.body.skipped_types, [{ resource_type: 'ec2:elastic-ip', reason: /None of the target tags applies/ }]);
  });

  t.test('bad arguments are refused with a clear message', async (t) => {
    const tag = await call(app, { target_tags: ['Team'] });
    t.equal(tag.status, 400);
    t.match(JSON.stringify(tag.body), /'Team' is not a required tag.*Owner, Environment, CostCenter, Application/);
    const type = await call(app, { resource_types: ['ec2:nope'] });
    t.equal(type.status, 400);
    t.match(JSON.stringify(type.body), /Unknown resource type/);
    const kind = await call(app, { violation_types: ['prohibited'] });
    t.equal(kind.status, 400);
    const acct = await call(app, { account_ids: ['nobody'] });
    t.equal(acct.status, 400);
    t.match(JSON.stringify(acct.body), /Unknown account/);
  });

  t.test('MCP gives the same answer as REST', async (t) => {
    const mcp = await connectMcp(app);
    t.teardown(() => mcp.close());
    const args = { resource_types: ['ec2:instance', 'rds:db'], dry_run: false };
    const viaMcp = await mcp.client.callTool({ name: 'generate_custodian_policy', arguments: args });
    t.notOk(viaMcp.isError);
    const rest = await call(app, args);
    t.same(viaMcp.structuredContent, rest.body);
    const listed = await mcp.client.listTools();
    const tool = listed.tools.find((x) => x.name === 'generate_custodian_policy');
    t.equal(tool?.annotations?.readOnlyHint, true);
  });
});

t.test('role settings: the server configuration when the context carries it, defaults with a note otherwise', async (t) => {
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  t.teardown(() => sim.stop());
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'organizations', role_name: 'OrgCustodian', role_arn_template: 'arn:aws-us-gov:iam::{account_id}:role/ops/{role_name}', external_id: 'ext-123' },
  });
  let appRef: FastifyInstance | null = null;
  const app = await buildApp({
    config,
    logger: false,
    policy: { watch: false },
    contextFactory: (base) => ({ ...appContextFactory(appRef as FastifyInstance)(base), config }) as ReturnType<ReturnType<typeof appContextFactory>>,
  });
  appRef = app;
  await app.ready();
  t.teardown(() => app.close());
  const { body } = await call(app, { resource_types: ['s3:bucket'], account_ids: ['production'] });
  const file = parse(body.accounts_yaml ?? '') as { accounts: { role?: string; external_id?: string }[] };
  t.same(file.accounts, [{ account_id: DEMO_ACCOUNTS.production, name: 'production', role: `arn:aws-us-gov:iam::${DEMO_ACCOUNTS.production}:role/ops/OrgCustodian`, external_id: 'ext-123', tags: file.accounts[0] === undefined ? [] : (file.accounts[0] as { tags: string[] }).tags }]);
  t.notOk(body.notes.some((n) => n.includes('default role settings')));

  const plain = await buildApp({ config, logger: false, policy: { watch: false } });
  await plain.ready();
  t.teardown(() => plain.close());
  const fallback = await call(plain, { resource_types: ['s3:bucket'], account_ids: ['production'] });
  const ok = fallback.body.accounts[0]?.role === `arn:aws-us-gov:iam::${DEMO_ACCOUNTS.production}:role/ops/OrgCustodian`;
  t.ok(ok || fallback.body.notes.some((n) => n.includes('default role settings')), 'either the server passes its configuration, or the answer says the defaults were used');
});

t.test('single-account mode: no accounts.yml, custodian commands only', async (t) => {
  const demo = await startDemo({ multi_account: { enabled: false } });
  t.teardown(() => demo.close());
  const { body } = await call(demo.app, { resource_types: ['ec2:instance'] });
  t.equal(body.accounts_yaml, null);
  t.same(body.accounts, []);
  t.equal(body.commands['org_run'], undefined);
  t.match(body.commands['run'], /^custodian run --region all -s output tag-compliance\.yml$/);
});

t.test("a key limited to some accounts gets only those in accounts.yml", async (t) => {
  const auth = loadConfig({ API_KEYS: 'ci:ci-key-0123456789abcdef,admin:admin-key-0123456789abcdef', API_KEY_ACCOUNTS: `ci=${DEMO_ACCOUNTS.production}|${DEMO_ACCOUNTS.staging};admin=*` }).auth;
  const demo = await startDemo({ auth });
  t.teardown(() => demo.close());
  const post = (key: string, args: unknown) =>
    demo.app.inject({ method: 'POST', url: URL_, payload: JSON.stringify(args), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
  const ci = await post('ci-key-0123456789abcdef', { resource_types: ['ec2:instance'] });
  t.equal(ci.statusCode, 200);
  t.same((ci.json() as Answer).accounts.map((a) => a.account_id).sort(), [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging].sort());
  const denied = await post('ci-key-0123456789abcdef', { resource_types: ['ec2:instance'], account_ids: ['development'] });
  t.equal(denied.statusCode, 403);
  const admin = await post('admin-key-0123456789abcdef', { resource_types: ['ec2:instance'] });
  t.equal((admin.json() as Answer).accounts.length, Object.keys(DEMO_ACCOUNTS).length);
});
