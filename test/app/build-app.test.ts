import t, { type Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { allTools, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { startSimulator } from '../../src/simulator/server.js';
import { isolateNetwork } from '../aws/helpers.js';

isolateNetwork();

/** The whole app (every plugin, the real tools) against the simulator's demo organization. */
async function fullApp(t: Test) {
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'static', account_ids: [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging] },
  });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  t.teardown(async () => {
    await app.close();
    await sim.stop();
  });
  return { app, sim };
}

t.test('buildApp registers every plugin and serves every tool', async (t) => {
  const { app } = await fullApp(t);
  const res = await app.inject({ method: 'GET', url: '/tools' });
  t.equal(res.statusCode, 200);
  t.same((res.json() as { tools: { name: string }[] }).tools.map((x) => x.name), allTools.map((x) => x.name));
  t.ok(allTools.some((x) => x.name === 'check_tag_compliance'));
});

t.test("the deployment guide's curl: urlencoded JSON with accounts → a multi-account answer", async (t) => {
  const { app } = await fullApp(t);
  const res = await app.inject({
    method: 'POST',
    url: '/tools/check_tag_compliance',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: JSON.stringify({ accounts: [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging] }),
  });
  t.equal(res.statusCode, 200);
  const body = res.json() as { account_metadata: { total_accounts: number; successful_accounts: string[] }; account_breakdown: Record<string, unknown>; data_quality: { status: string } };
  t.equal(body.account_metadata.total_accounts, 2);
  t.same([...body.account_metadata.successful_accounts].sort(), [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging].sort());
  t.same(Object.keys(body.account_breakdown).sort(), [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging].sort());
  t.equal(body.data_quality.status, 'complete');
});

t.test('GET /health reports policy, cache, history and the AWS identity', async (t) => {
  const { app } = await fullApp(t);
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  const body = res.json() as { status: string; version: string; policy: { status: string }; cache: { backend: string; status: string }; history: { backend: string; status: string }; aws: { status: string; account_id: string } };
  t.equal(body.status, 'ok');
  t.equal(body.version, '0.1.0');
  t.equal(body.policy.status, 'ok');
  t.same(body.cache, { backend: 'memory', status: 'ok' });
  t.equal(body.history.backend, 'sqlite');
  t.equal(body.history.status, 'ok');
  t.equal(body.aws.status, 'ok');
  t.equal(body.aws.account_id, DEMO_ACCOUNTS.management);
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
});

t.test('health is degraded (not failing) when AWS cannot be reached', async (t) => {
  const config = testConfig({ aws: { endpoint_url: 'http://127.0.0.1:9', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' }, max_attempts: 1, request_timeout_ms: 1000 } });
  const app = await buildApp({ config, logger: false, policy: { watch: false }, health: { probeWaitMs: 10_000 } });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  const body = res.json() as { status: string; aws: { status: string; account_id: string | null } };
  t.equal(body.status, 'degraded');
  t.equal(body.aws.status, 'unreachable');
  t.equal(body.aws.account_id, null);
});

t.test('MCP against the full app: list_accounts over Streamable HTTP', async (t) => {
  const { app } = await fullApp(t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
  t.teardown(() => client.close());
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), allTools.map((x) => x.name));
  const result = await client.callTool({ name: 'list_accounts', arguments: {} });
  t.equal(result.isError, undefined);
  t.type(result.structuredContent, 'object');
});
