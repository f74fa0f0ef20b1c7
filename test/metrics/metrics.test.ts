/**
 * /metrics against the simulator: valid exposition, and the numbers move exactly as the scan did
 * (AWS calls per service:operation equal the simulator's own count). Access control.
 */
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { accountLabeler, OTHER_ACCOUNT } from '../../src/metrics/account-labels.js';
import { ALL_ACCOUNTS, DEMO_ACCOUNTS, startDemo } from '../e2e/harness.js';
import { isolateNetwork } from '../helpers/network.js';
import { parseExposition, total, type Family } from './parse.js';

isolateNetwork();

/** `service:Operation` → attempts, from finops_aws_calls_total (every outcome). */
function callsByOperation(families: Map<string, Family>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of families.get('finops_aws_calls_total')?.samples ?? []) {
    const key = `${s.labels.service}:${s.labels.operation}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

t.test('the parser refuses what Prometheus would refuse', async (t) => {
  t.throws(() => parseExposition('x 1\n'), /no HELP/);
  t.throws(() => parseExposition('# HELP a A\n# TYPE a counter\na{b="1} 1\n'), /unterminated/);
  t.throws(() => parseExposition('# HELP a A\n# TYPE a counter\na{1b="x"} 1\n'), /bad label name/);
  t.throws(() => parseExposition('# HELP a A\n# TYPE a counter\na one\n'), /bad value/);
  t.throws(() => parseExposition('# HELP h H\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), /not cumulative/);
  t.throws(() => parseExposition('# HELP h H\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'), /!= _count/);
  const ok = parseExposition('# HELP h H\n# TYPE h histogram\nh_bucket{k="v",le="1"} 1\nh_bucket{k="v",le="+Inf"} 2\nh_sum{k="v"} 3.5\nh_count{k="v"} 2\n');
  t.equal(total(ok, 'h'), 2);
});

t.test('account labels are bounded: the first N keep their id, later ones are "other"', async (t) => {
  const label = accountLabeler(2);
  t.same(['111111111111', '222222222222', '333333333333', '111111111111', '444444444444'].map(label), ['111111111111', '222222222222', OTHER_ACCOUNT, '111111111111', OTHER_ACCOUNT]);
  t.equal(accountLabeler(0)('111111111111'), OTHER_ACCOUNT);
});

t.test('after a scan the metrics equal what the simulator saw', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const before = parseExposition((await demo.app.inject({ method: 'GET', url: '/metrics' })).body);
  t.equal(total(before, 'finops_aws_calls_total'), 0, 'no AWS call before the first request');
  demo.sim.resetStats();

  const scan = await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['all'] } });
  t.equal(scan.statusCode, 200);
  const bad = await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { resource_types: ['nope:thing'] } });
  t.equal(bad.statusCode, 400);

  const res = await demo.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const m = parseExposition(res.body);
  const sim = demo.sim.stats();

  t.same(callsByOperation(m), sim.calls, 'AWS calls per service:operation equal the simulator count exactly');
  t.equal(total(m, 'finops_cost_explorer_requests_total'), sim.calls['ce:GetCostAndUsage'] ?? 0);
  const assumeRoles: Record<string, number> = {};
  for (const s of m.get('finops_aws_assume_role_total')?.samples ?? []) assumeRoles[s.labels.account ?? ''] = s.value;
  t.same(assumeRoles, sim.assume_role, 'AssumeRole calls per account equal the simulator count');
  t.equal(total(m, 'finops_aws_assume_role_failures_total', { account: DEMO_ACCOUNTS.legacy }), 1, 'the legacy account refuses the scanner once');
  t.equal(total(m, 'finops_aws_assume_role_failures_total'), 1);

  t.equal(total(m, 'finops_tool_calls_total', { tool: 'check_tag_compliance', outcome: 'ok' }), 1);
  t.equal(total(m, 'finops_tool_calls_total', { tool: 'check_tag_compliance', outcome: 'client_error' }), 1);
  t.equal(total(m, 'finops_tool_call_duration_seconds', { tool: 'check_tag_compliance' }), 2);
  t.equal(total(m, 'finops_scans_total', { outcome: 'partial' }), 1, 'one scan, partial because of the legacy account');
  t.equal(total(m, 'finops_scans_total'), 1, 'the refused call never scanned');
  t.equal(total(m, 'finops_scan_accounts_total'), ALL_ACCOUNTS.length);
  t.equal(total(m, 'finops_http_requests_total', { route: '/tools/:name', status_code: '200', method: 'POST' }), 1, 'routes are patterns, not raw URLs');
  t.equal(total(m, 'finops_http_requests_total', { route: '/tools/:name', status_code: '400' }), 1);
  t.equal(total(m, 'finops_http_requests_total', { route: '/metrics' }), 1, 'the first scrape is counted by the second');
  t.ok(total(m, 'finops_cache_requests_total', { result: 'miss' }) > 0, 'the first scan loads through the cache');
  t.equal(total(m, 'finops_cache_backend_up', { backend: 'memory' }), 1);
  t.same(m.get('finops_mcp_sessions_active')?.samples.map((s) => [s.labels.transport, s.value]), [['streamable-http', 0], ['sse', 0]]);

  // The same scan again is served from the cache: no new AWS call, cache hits instead.
  const missesBefore = total(m, 'finops_cache_requests_total', { result: 'miss' });
  t.equal((await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['all'] } })).statusCode, 200);
  const again = parseExposition((await demo.app.inject({ method: 'GET', url: '/metrics' })).body);
  t.same(callsByOperation(again), demo.sim.stats().calls, 'still equal to the simulator after a cached scan');
  t.equal(total(again, 'finops_aws_calls_total', { service: 'ec2', operation: 'DescribeInstances' }), total(m, 'finops_aws_calls_total', { service: 'ec2', operation: 'DescribeInstances' }), 'no inventory call the second time');
  t.ok(total(again, 'finops_cache_requests_total', { result: 'hit' }) > 0, 'the second scan hits the cache');
  t.equal(total(again, 'finops_cache_requests_total', { result: 'miss' }) >= missesBefore, true);
  t.equal(total(again, 'finops_scans_total'), 2);
});

t.test('/metrics needs a key when keys are configured, unless METRICS_PUBLIC=true', async (t) => {
  const keys = { mode: 'api_key' as const, api_keys: [{ id: 'ops', key: 'k-0123456789abcdef' }] };
  const closed = await buildApp({ config: testConfig({ auth: keys }), logger: false, policy: { watch: false } });
  t.teardown(() => closed.close());
  const anonymous = await closed.inject({ method: 'GET', url: '/metrics' });
  t.equal(anonymous.statusCode, 401);
  const withKey = await closed.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer k-0123456789abcdef' } });
  t.equal(withKey.statusCode, 200);
  t.equal(total(parseExposition(withKey.body), 'finops_http_requests_total', { route: '/metrics', status_code: '401' }), 1, 'the refused scrape is counted');

  const open = await buildApp({ config: testConfig({ auth: keys, metrics: { public: true, account_label_limit: 50 } }), logger: false, policy: { watch: false } });
  t.teardown(() => open.close());
  t.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  t.equal((await open.inject({ method: 'GET', url: '/tools' })).statusCode, 401, 'only /metrics becomes public');
});

t.test('every app has its own registry', async (t) => {
  const a = await buildApp({ config: testConfig(), logger: false, policy: { watch: false } });
  const b = await buildApp({ config: testConfig(), logger: false, policy: { watch: false } });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  await a.inject({ method: 'GET', url: '/ready' });
  await a.inject({ method: 'GET', url: '/ready' });
  const mb = parseExposition((await b.inject({ method: 'GET', url: '/metrics' })).body);
  const ma = parseExposition((await a.inject({ method: 'GET', url: '/metrics' })).body);
  t.equal(total(ma, 'finops_http_requests_total', { route: '/ready' }), 2);
  t.equal(total(mb, 'finops_http_requests_total', { route: '/ready' }), 0);
});

t.test('outcomes: throttled and access-denied answers are labelled as the simulator gave them', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  demo.sim.setFaults({ throttle_rate: 0.1, seed: 7, access_denied_accounts: [DEMO_ACCOUNTS.staging] });
  demo.sim.resetStats();
  const res = await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['production', 'staging'] } });
  t.equal(res.statusCode, 200);
  const m = parseExposition((await demo.app.inject({ method: 'GET', url: '/metrics' })).body);
  const sim = demo.sim.stats();
  t.ok(sim.throttled > 0, 'the simulator throttled some calls');
  t.same(callsByOperation(m), sim.calls, 'retries included, the counts still match');
  t.equal(total(m, 'finops_aws_calls_total', { outcome: 'throttled' }), sim.throttled, 'every throttling answer is labelled throttled');
  t.ok(total(m, 'finops_aws_calls_total', { outcome: 'access_denied' }) > 0, 'AccessDenied answers are labelled access_denied', { outcomes: (m.get('finops_aws_calls_total')?.samples ?? []).filter((s) => s.labels.outcome !== 'ok').map((s) => [s.labels.operation, s.labels.outcome, s.value]) });
  t.equal(total(m, 'finops_scans_total', { outcome: 'partial' }), 1);
});
