/**
 * Every tool over REST (POST /tools/<name>) on the real app and the simulator's demo
 * organization: each example, a realistic multi-account call, output schemas, figures checked
 * against the fixture, bad input, unknown tools and pagination.
 */
import t, { type Test } from 'tap';
import { allTools } from '../../src/app.js';
import { isolateNetwork } from '../aws/helpers.js';
import {
  ALL_ACCOUNTS,
  DEMO_ACCOUNTS,
  READABLE_ACCOUNTS,
  demoArguments,
  expectedCompliance,
  expectedSpend,
  pickResource,
  schemaErrors,
  startDemo,
  toolNamed,
} from './harness.js';

isolateNetwork();

const demo = await startDemo();
t.teardown(() => demo.close());
const fixture = demo.sim.fixture;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function post(name: string, args: unknown): Promise<Reply> {
  const res = await demo.app.inject({ method: 'POST', url: `/tools/${name}`, payload: JSON.stringify(args), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

/** POST, expect 200 and a body valid against the tool's output schema. */
async function ok<T>(tt: Test, name: string, args: unknown): Promise<T> {
  const r = await post(name, args);
  tt.equal(r.status, 200, `${name} ${JSON.stringify(args)} → 200${r.status === 200 ? '' : ` (got: ${String(r.body['message'])})`}`);
  tt.same(schemaErrors(toolNamed(allTools, name).outputSchema, r.body), [], `${name} output matches its schema`);
  return r.body as T;
}

/**
 * Examples that cannot succeed on the demo organization (product findings, see the report):
 * they name an account "prod" that the demo does not have, or a resource that does not exist.
 */
const EXAMPLE_TODO: Record<string, string> = {};

t.test('every example of every tool answers 200 with a schema-valid body', async (t) => {
  t.ok(allTools.length >= 10, 'at least the ten documented tools');
  for (const tool of allTools) {
    t.ok(tool.examples.length > 0, `${tool.name} has examples`);
    tool.examples.forEach((example, i) => {
      const todo = EXAMPLE_TODO[`${tool.name}#${i}`];
      t.test(`${tool.name} example ${i}: ${JSON.stringify(example)}`, todo === undefined ? {} : { todo }, async (tt) => {
        await ok(tt, tool.name, example);
      });
    });
  }
});

t.test('the realistic demo call of every tool answers 200 with a schema-valid body', async (t) => {
  const args = demoArguments(demo);
  t.same(Object.keys(args).sort(), allTools.map((x) => x.name).sort(), 'one call per tool');
  for (const tool of allTools) await ok(t, tool.name, args[tool.name]);
});

interface Compliance {
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  violations: { resource_arn: string; account_id: string; region: string; tag_name: string; violation_type: string; severity: string }[];
  next_cursor: string | null;
  data_quality: { status: string; cells_requested: number; cells_complete: number; failed: { account_id: string; error_code: string }[] };
  account_metadata?: { total_accounts: number; successful_accounts: string[]; failed_accounts: string[]; skipped_accounts: string[] };
  account_breakdown?: Record<string, { total_resources: number; compliant_resources: number; violation_count: number }>;
  account_errors?: { account_id: string; code: string; role_arn: string | null }[];
}

t.test('check_tag_compliance: totals equal the fixture evaluated with the policy', async (t) => {
  const local = await ok<Compliance>(t, 'check_tag_compliance', {});
  const expLocal = expectedCompliance(demo.policy, fixture, [DEMO_ACCOUNTS.management]);
  t.equal(local.total_resources, expLocal.total_resources, 'single-account: the management account');
  t.equal(local.compliant_resources, expLocal.compliant_resources);
  t.equal(local.violation_count, expLocal.violation_count);
  t.equal(local.data_quality.status, 'complete');
  t.equal(local.account_metadata, undefined, 'single-account answer shape');

  const pair = await ok<Compliance>(t, 'check_tag_compliance', { account_ids: ['production', 'staging'] });
  for (const id of [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]) {
    const exp = expectedCompliance(demo.policy, fixture, [id]);
    t.same(
      { ...pair.account_breakdown?.[id] },
      { ...pair.account_breakdown?.[id], total_resources: exp.total_resources, compliant_resources: exp.compliant_resources, violation_count: exp.violation_count },
      `breakdown of ${id}`,
    );
  }
  const expPair = expectedCompliance(demo.policy, fixture, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]);
  t.equal(pair.total_resources, expPair.total_resources);
  t.equal(pair.compliant_resources, expPair.compliant_resources);
  t.equal(pair.compliance_score, Math.round((expPair.compliant_resources / expPair.total_resources) * 10_000) / 10_000);
  t.same(pair.account_metadata, { total_accounts: 2, successful_accounts: [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging], failed_accounts: [], skipped_accounts: [], partial_accounts: [] });
  t.equal(pair.data_quality.status, 'complete');

  const all = await ok<Compliance>(t, 'check_tag_compliance', { account_ids: ['all'], limit: 500 });
  const expAll = expectedCompliance(demo.policy, fixture, READABLE_ACCOUNTS);
  t.equal(all.total_resources, expAll.total_resources, 'every readable account');
  t.equal(all.compliant_resources, expAll.compliant_resources);
  t.equal(all.violation_count, expAll.violation_count);
  t.equal(all.account_metadata?.total_accounts, 7);
  t.same(all.account_metadata?.failed_accounts, [DEMO_ACCOUNTS.legacy], 'legacy refuses the role');
  t.same([...(all.account_metadata?.successful_accounts ?? [])].sort(), [...READABLE_ACCOUNTS].sort());
  t.same(all.account_errors?.map((e) => [e.account_id, e.code, e.role_arn]), [[DEMO_ACCOUNTS.legacy, 'AssumeRoleFailed', `arn:aws:iam::${DEMO_ACCOUNTS.legacy}:role/FinOpsTagComplianceReadOnly`]]);
  t.equal(all.data_quality.status, 'partial', 'a failed account makes the data partial');
  t.ok(all.data_quality.failed.length > 0 && all.data_quality.failed.every((f) => f.account_id === DEMO_ACCOUNTS.legacy), 'only legacy cells failed');
  t.same([...new Set(all.violations.map((v) => v.resource_arn))].sort(), [...expAll.violating_arns].sort(), 'violations are on exactly the resources the policy flags');
  const errorArns = new Set(all.violations.filter((v) => v.severity === 'error').map((v) => v.resource_arn));
  t.same([...errorArns].sort(), [...expAll.noncompliant_arns].sort(), 'error violations are on exactly the non-compliant resources');
});

t.test('find_untagged_resources: every item misses a required tag, and all such resources are found', async (t) => {
  interface Untagged {
    total_resources: number;
    untagged_count: number;
    total_monthly_cost: number | null;
    resources: { resource_arn: string; region: string; resource_type: string; missing_required_tags: string[]; current_tags: Record<string, string>; monthly_cost_estimate?: number | null }[];
  }
  const out = await ok<Untagged>(t, 'find_untagged_resources', { account_ids: ['all'], regions: ['us-east-1'], limit: 500 });
  const exp = expectedCompliance(demo.policy, fixture, READABLE_ACCOUNTS, 'us-east-1');
  t.equal(out.total_resources, exp.total_resources, 'us-east-1 plus global types');
  t.equal(out.untagged_count, exp.missing_arns.length);
  t.same(out.resources.map((r) => r.resource_arn).sort(), [...exp.missing_arns].sort());
  for (const r of out.resources) {
    const required = demo.policy.requiredTagsFor(r.resource_type);
    t.ok(r.missing_required_tags.length > 0, `${r.resource_arn} misses something`);
    for (const tag of r.missing_required_tags) {
      t.ok(required.includes(tag), `${tag} is required for ${r.resource_type}`);
      t.notOk(Object.keys(r.current_tags).some((k) => k.toLowerCase() === tag.toLowerCase()), `${r.resource_arn} has no ${tag} tag`);
    }
  }

  const dev = await ok<Untagged>(t, 'find_untagged_resources', { account_ids: ['development'], include_costs: true, limit: 500 });
  const never = dev.resources.find((r) => r.resource_arn.endsWith('instance/i-0deadbeef00000001'));
  t.ok(never, 'the never-tagged development instance is found (direct lister)');
  t.same(never?.missing_required_tags, ['Application', 'CostCenter', 'Environment', 'Owner']);
  const costs = dev.resources.map((r) => r.monthly_cost_estimate ?? 0);
  t.same(costs, [...costs].sort((a, b) => b - a), 'sorted by cost, most expensive first');
  // The total is rounded once over unrounded allocations, so it may differ from the sum of the
  // rounded items by a cent or two.
  t.ok(Math.abs((dev.total_monthly_cost ?? -1) - costs.reduce((s, c) => s + c, 0)) <= 0.05, 'total_monthly_cost is the sum of the items');
});

t.test('validate_resource_tags: a real ARN is found and judged like the policy; a made-up ARN is not_found', async (t) => {
  const bad = pickResource(demo.policy, fixture, DEMO_ACCOUNTS.production, 'ec2:instance', false);
  const good = pickResource(demo.policy, fixture, DEMO_ACCOUNTS.production, 'ec2:instance', true);
  const madeUp = `arn:aws:ec2:us-east-1:${DEMO_ACCOUNTS.production}:instance/i-0123456789abcdef0`;
  interface Validate {
    total: number;
    compliant: number;
    non_compliant: number;
    not_found: number;
    results: { resource_arn: string; status: string; current_tags: Record<string, string> | null; violations: { tag_name: string }[] }[];
  }
  const out = await ok<Validate>(t, 'validate_resource_tags', { resource_arns: [bad.arn, good.arn, madeUp] });
  t.same(out.results.map((r) => [r.resource_arn, r.status]), [[bad.arn, 'non_compliant'], [good.arn, 'compliant'], [madeUp, 'not_found']]);
  t.same(out.results[0]?.current_tags, bad.resource.tags);
  t.same(out.results[0]?.violations.map((v) => v.tag_name).sort(), demo.policy.evaluate('ec2:instance', bad.resource.tags).violations.map((v) => v.tag_name).sort());
  t.same([out.total, out.compliant, out.non_compliant, out.not_found], [3, 1, 1, 1]);
});

t.test('get_cost_attribution_gap: total is the Cost Explorer spend of the fixture (monthly_cost × days / 30)', async (t) => {
  interface Gap {
    time_period: { start: string; end: string; days: number };
    total_spend: number;
    attributable_spend: number;
    attribution_gap: number;
    unallocated_spend: number;
    breakdown: { group: string; total_spend: number }[];
  }
  const local = await ok<Gap>(t, 'get_cost_attribution_gap', {});
  t.equal(local.time_period.days, 30);
  t.equal(local.total_spend, expectedSpend(fixture, [DEMO_ACCOUNTS.management], demo.policy.applicableTypes, 30));

  const types = ['ec2:instance', 'rds:db'];
  const pair = await ok<Gap>(t, 'get_cost_attribution_gap', { account_ids: ['production', 'staging'], resource_types: types, time_period: { start: '2026-01-01', end: '2026-02-01' }, group_by: 'account' });
  t.same(pair.time_period, { start: '2026-01-01', end: '2026-02-01', days: 31 });
  t.equal(pair.total_spend, expectedSpend(fixture, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging], types, 31), 'EC2 compute + RDS (instances and clusters), 31 days');
  t.same(
    Object.fromEntries(pair.breakdown.map((g) => [g.group, g.total_spend])),
    { [DEMO_ACCOUNTS.production]: expectedSpend(fixture, [DEMO_ACCOUNTS.production], types, 31), [DEMO_ACCOUNTS.staging]: expectedSpend(fixture, [DEMO_ACCOUNTS.staging], types, 31) },
    'per account',
  );
  t.ok(Math.abs(pair.attributable_spend + pair.attribution_gap + pair.unallocated_spend - pair.total_spend) <= 0.03, 'total = attributable + gap + unallocated');
  t.ok(pair.attribution_gap > 0, 'production and staging have non-compliant instances');
});

t.test('get_cost_attribution_gap over every account: a failed account\'s spend still counts (as unallocated, as the note says)', async (t) => {
  const gap = await ok<{ total_spend: number; unallocated_spend: number; note: string }>(t, 'get_cost_attribution_gap', { account_ids: ['all'], group_by: 'account' });
  t.match(gap.note, /spend shows as unallocated/);
  const legacySpend = expectedSpend(fixture, [DEMO_ACCOUNTS.legacy], demo.policy.applicableTypes, 30);
  t.equal(gap.total_spend, expectedSpend(fixture, ALL_ACCOUNTS, demo.policy.applicableTypes, 30), 'every requested account, legacy included');
  t.ok(gap.unallocated_spend >= legacySpend, 'legacy spend is unallocated (no scanned resource carries it)');
});

t.test('suggest_tags, get_tagging_policy, list_accounts and compare_accounts', async (t) => {
  const bad = pickResource(demo.policy, fixture, DEMO_ACCOUNTS.production, 'ec2:instance', false);
  const sugg = await ok<{ resource_arn: string; account_id: string; compliant: boolean; tags: { tag_name: string }[] }>(t, 'suggest_tags', { resource_arn: bad.arn });
  t.equal(sugg.account_id, DEMO_ACCOUNTS.production);
  t.equal(sugg.compliant, false);
  const errors = demo.policy.evaluate('ec2:instance', bad.resource.tags).violations.filter((v) => v.severity === 'error' && ['missing_required_tag', 'invalid_value', 'invalid_format'].includes(v.violation_type));
  t.same(sugg.tags.map((x) => x.tag_name).sort(), errors.map((v) => v.tag_name).sort(), 'one entry per missing or invalid required tag');

  const policy = await ok<{ policy_hash: string; required_tag_count: number; all_applicable_resource_types: string[] }>(t, 'get_tagging_policy', {});
  t.equal(policy.policy_hash, demo.policy.hash);
  t.equal(policy.required_tag_count, 4);
  t.same(policy.all_applicable_resource_types, [...demo.policy.applicableTypes].sort());

  const accounts = await ok<{ multi_account_enabled: boolean; total_accounts: number; accounts: { account_id: string; name: string | null; is_local: boolean }[] }>(t, 'list_accounts', {});
  t.equal(accounts.multi_account_enabled, true);
  t.equal(accounts.total_accounts, 7);
  t.same(accounts.accounts.map((a) => a.account_id).sort(), [...ALL_ACCOUNTS].sort());
  t.same(accounts.accounts.map((a) => [a.account_id, a.name]).sort(), Object.entries(DEMO_ACCOUNTS).map(([name, id]) => [id, name]).sort());
  t.same(accounts.accounts.filter((a) => a.is_local).map((a) => a.account_id), [DEMO_ACCOUNTS.management]);

  interface Compare {
    accounts: { account_id: string; total_resources: number; compliant_resources: number; compliance_score: number }[];
    biggest_differences: { score_gaps: { higher_account: string; lower_account: string; difference: number }[] };
  }
  const cmp = await ok<Compare>(t, 'compare_accounts', { account_ids: ['production', 'staging'] });
  const prod = expectedCompliance(demo.policy, fixture, [DEMO_ACCOUNTS.production]);
  const stag = expectedCompliance(demo.policy, fixture, [DEMO_ACCOUNTS.staging]);
  const score = (e: { compliant_resources: number; total_resources: number }): number => Math.round((e.compliant_resources / e.total_resources) * 10_000) / 10_000;
  t.same(
    cmp.accounts.map((a) => [a.account_id, a.total_resources, a.compliant_resources, a.compliance_score]),
    [
      [DEMO_ACCOUNTS.production, prod.total_resources, prod.compliant_resources, score(prod)],
      [DEMO_ACCOUNTS.staging, stag.total_resources, stag.compliant_resources, score(stag)],
    ].sort((a, b) => Number(b[3]) - Number(a[3])),
    'best score first',
  );
  t.same(cmp.biggest_differences.score_gaps.map((g) => [g.higher_account, g.lower_account]), [[DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]]);
});

t.test('generate_compliance_report: html has charts; summary equals the fixture', async (t) => {
  const out = await ok<{ format: string; content: string; summary: { total_resources: number; compliant_resources: number } }>(t, 'generate_compliance_report', { format: 'html', account_ids: ['all'] });
  t.equal(out.format, 'html');
  t.match(out.content, /^<!DOCTYPE html>/);
  t.ok(out.content.includes('<svg'), 'inline SVG charts');
  const exp = expectedCompliance(demo.policy, fixture, READABLE_ACCOUNTS);
  t.same(out.summary.total_resources, exp.total_resources);
  t.same(out.summary.compliant_resources, exp.compliant_resources);
  const csv = await ok<{ content: string }>(t, 'generate_compliance_report', { format: 'csv', account_ids: ['production'] });
  t.match(csv.content, /^row_type,account_id,account,region,resource_type,resource_id,resource_arn,tag_name,violation_type,severity,current_value,cost_impact_monthly,message\r\n/);
});

t.test('get_violation_history: no snapshot, then one after store_snapshot', async (t) => {
  const fresh = await startDemo();
  t.teardown(() => fresh.close());
  const call = async (name: string, args: unknown): Promise<Record<string, unknown>> => {
    const res = await fresh.app.inject({ method: 'POST', url: `/tools/${name}`, payload: args as object });
    t.equal(res.statusCode, 200, name);
    const body = res.json() as Record<string, unknown>;
    t.same(schemaErrors(toolNamed(allTools, name).outputSchema, body), []);
    return body;
  };
  const before = (await call('get_violation_history', {})) as { snapshot_count: number; series: unknown[]; note: string };
  t.equal(before.snapshot_count, 0);
  t.same(before.series, []);
  t.match(before.note, /store_snapshot: true/);

  const check = (await call('check_tag_compliance', { account_ids: ['production', 'staging'], store_snapshot: true })) as { snapshot_id: string | null; compliance_score: number; total_resources: number };
  t.type(check.snapshot_id, 'string');
  const after = (await call('get_violation_history', { account_ids: ['production'] })) as {
    snapshot_count: number;
    series: { snapshot_count: number; scope: { account_ids: string[] }; latest: { compliance_score: number; total_resources: number }; trend: string }[];
  };
  t.equal(after.snapshot_count, 1);
  t.equal(after.series.length, 1);
  t.same(after.series[0]?.scope.account_ids, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]);
  t.equal(after.series[0]?.latest.compliance_score, check.compliance_score);
  t.equal(after.series[0]?.latest.total_resources, check.total_resources);
  t.equal(after.series[0]?.trend, 'stable');
});

t.test('bad input: 400 naming the field; unknown tool: 404', async (t) => {
  const limit = await post('check_tag_compliance', { limit: 0 });
  t.equal(limit.status, 400);
  t.equal(limit.body['error'], 'invalid_arguments');
  t.equal(limit.body['field'], '/limit');
  t.match(String(limit.body['message']), /^Invalid arguments for check_tag_compliance: limit/);

  const extra = await post('find_untagged_resources', { regionz: ['us-east-1'] });
  t.equal(extra.status, 400);
  t.match(String(extra.body['message']), /unknown field "regionz"/);

  const missing = await post('validate_resource_tags', {});
  t.equal(missing.status, 400);
  t.equal(missing.body['field'], '/resource_arns');

  const type = await post('check_tag_compliance', { resource_types: ['ec2:spaceship'] });
  t.equal(type.status, 400);
  t.match(String(type.body['message']), /ec2:spaceship/);
  t.match(String(type.body['field']), /resource_types/);

  const account = await post('compare_accounts', { account_ids: ['production', 'nosuchaccount'] });
  t.equal(account.status, 400);
  t.match(String(account.body['message']), /nosuchaccount/);

  const period = await post('get_cost_attribution_gap', { time_period: { start: '2026-02-30', end: '2026-03-05' } });
  t.equal(period.status, 400);
  t.same([period.body['field'], period.body['message']], ['/time_period/start', 'start must be a calendar date written YYYY-MM-DD (got "2026-02-30").']);

  const region = await post('find_untagged_resources', { regions: ['ap-south-1'] });
  t.equal(region.status, 400);
  t.same([region.body['field'], region.body['message']], ['/regions', 'Region(s) ap-south-1 are unknown or not enabled. Enabled regions: eu-west-1, us-east-1, us-west-2.']);

  const arn = await post('suggest_tags', { resource_arn: 'nope' });
  t.equal(arn.status, 400);
  t.equal(arn.body['field'], '/resource_arn');

  const json = await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: '{bad json', headers: { 'content-type': 'application/json' } });
  t.equal(json.statusCode, 400);
  t.equal((json.json() as { error: string }).error, 'invalid_json');

  const unknown = await post('no_such_tool', {});
  t.equal(unknown.status, 404);
  t.equal(unknown.body['error'], 'not_found');
  t.match(String(unknown.body['message']), /Unknown tool "no_such_tool"\. Valid tools: check_tag_compliance/);
});

t.test('field pointers use one format for schema and handler errors', async (t) => {
  const schema = await post('check_tag_compliance', { limit: 0 });
  const handler = await post('check_tag_compliance', { account_ids: ['nosuchaccount'] });
  t.equal(schema.body['field'], '/limit');
  t.equal(handler.body['field'], '/account_ids');
});

t.test('check_tag_compliance: an unknown region in filters.regions is reported on that field', async (t) => {
  const res = await post('check_tag_compliance', { filters: { regions: ['ap-south-1'] } });
  t.equal(res.status, 400);
  t.equal(res.body['field'], '/filters/regions');
  const single = await post('check_tag_compliance', { filters: { region: 'ap-south-1' } });
  t.equal(single.status, 400);
  t.equal(single.body['field'], '/filters/region');
});

t.test('account aliases of the demo organization are known and accepted by account_ids', async (t) => {
  const accounts = await ok<{ accounts: { account_id: string; alias: string | null }[] }>(t, 'list_accounts', {});
  t.same(accounts.accounts.find((a) => a.account_id === DEMO_ACCOUNTS.production)?.alias, 'acme-production');
  const byAlias = await ok<Compliance>(t, 'check_tag_compliance', { account_ids: ['acme-production'] });
  t.same(byAlias.account_metadata?.successful_accounts, [DEMO_ACCOUNTS.production]);
});

t.test('GET /tools lists every tool with its schemas and examples', async (t) => {
  const res = await demo.app.inject({ method: 'GET', url: '/tools' });
  t.equal(res.statusCode, 200);
  const body = res.json() as { tools: { name: string; input_schema: unknown; output_schema: unknown; examples: unknown[] }[] };
  t.same(body.tools.map((x) => x.name), allTools.map((x) => x.name));
  for (const listed of body.tools) {
    const tool = toolNamed(allTools, listed.name);
    t.same(listed.input_schema, JSON.parse(JSON.stringify(tool.inputSchema)), `${listed.name} input_schema`);
    t.same(listed.output_schema, JSON.parse(JSON.stringify(tool.outputSchema)), `${listed.name} output_schema`);
    t.same(listed.examples, tool.examples);
  }
});

t.test('pagination: following next_cursor to the end yields every violation exactly once', async (t) => {
  const args = { account_ids: ['all'], severity: 'all' };
  const full = await ok<Compliance>(t, 'check_tag_compliance', { ...args, limit: 500 });
  t.equal(full.next_cursor, null);
  t.equal(full.violations.length, full.violation_count);
  const seen: Compliance['violations'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Compliance = await ok<Compliance>(t, 'check_tag_compliance', { ...args, limit: 17, ...(cursor === null ? {} : { cursor }) });
    t.ok(page.violations.length <= 17);
    seen.push(...page.violations);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  t.equal(pages, Math.ceil(full.violation_count / 17));
  t.same(seen, full.violations, 'same violations, same order');
  const keys = seen.map((v) => `${v.resource_arn}|${v.tag_name}|${v.violation_type}`);
  t.equal(new Set(keys).size, keys.length, 'no duplicate');

  const foreign = await post('check_tag_compliance', { account_ids: ['production'], cursor: String(full.next_cursor ?? seenCursor(seen.length)) });
  t.equal(foreign.status, 400, 'a cursor of another query is refused');
  t.equal(foreign.body['field'], '/cursor');
});

/** A syntactically valid cursor of the `all` query (offset n). */
function seenCursor(n: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: n, f: 'not-this-query' }), 'utf8').toString('base64url');
}
