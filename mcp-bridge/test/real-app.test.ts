/**
 * The bridge in front of the REAL app (buildApp + the simulator's demo organization): what a
 * stdio client sees through the bridge equals what a direct Streamable HTTP client sees, and
 * API keys configured on the app are enforced through the bridge (MCP_API_KEY).
 */
import t, { type Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isolateNetwork } from '../../test/aws/helpers.js';
import { DEMO_ACCOUNTS, expectedCompliance, startDemo, withoutVolatile, type Demo } from '../../test/e2e/harness.js';
import { startBridge, within, type BridgeHandle } from './helpers/bridge.js';

isolateNetwork();

const T = { timeout: 60_000 };
const API_KEY = 'ci-key-0123456789abcdef0123456789';

async function listeningDemo(t: Test, overrides: Parameters<typeof startDemo>[0] = {}): Promise<{ demo: Demo; base: string }> {
  const demo = await startDemo(overrides);
  t.teardown(() => demo.close());
  const base = await demo.app.listen({ host: '127.0.0.1', port: 0 });
  return { demo, base };
}

async function directClient(t: Test, base: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'direct', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers } }));
  t.teardown(() => client.close());
  return client;
}

function bridgeTo(t: Test, env: Record<string, string>): BridgeHandle {
  const bridge = startBridge(env);
  t.teardown(() => bridge.close());
  return bridge;
}

t.test('through the bridge: the same tools/list and the same tools/call result as a direct client', T, async (t) => {
  const { demo, base } = await listeningDemo(t);
  const direct = await directClient(t, base);
  const bridge = bridgeTo(t, { MCP_SERVER_URL: base });
  await within(30_000, 'bridge connect', bridge.client.connect(bridge.transport));
  t.equal(bridge.client.getServerVersion()?.name, 'finops-tag-compliance', 'the real server answered initialize');

  const viaBridge = await within(30_000, 'tools/list', bridge.client.listTools());
  const viaDirect = await direct.listTools();
  t.equal(viaBridge.tools.length, viaDirect.tools.length);
  t.ok(viaBridge.tools.length >= 10, 'every tool of the server');
  t.same(viaBridge.tools.map((x) => x.name), viaDirect.tools.map((x) => x.name), 'same names, same order');
  t.same(viaBridge.tools, viaDirect.tools, 'same schemas, annotations and descriptions');

  const args = { account_ids: ['production', 'staging'] };
  const first = (await direct.callTool({ name: 'check_tag_compliance', arguments: args })) as CallToolResult;
  const second = (await within(30_000, 'tools/call', bridge.client.callTool({ name: 'check_tag_compliance', arguments: args }))) as CallToolResult;
  t.equal(second.isError, undefined);
  t.same(withoutVolatile(second.structuredContent), withoutVolatile(first.structuredContent), 'same structuredContent');
  const out = second.structuredContent as { scan_timestamp: string; total_resources: number };
  t.equal(out.scan_timestamp, (first.structuredContent as { scan_timestamp: string }).scan_timestamp, 'served from the same cached inventory');
  t.equal(out.total_resources, expectedCompliance(demo.policy, demo.sim.fixture, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]).total_resources);
  t.same(second.content, first.content, 'same text copy');

  const updates: number[] = [];
  const fresh = (await within(
    30_000,
    'tools/call with progress',
    bridge.client.callTool({ name: 'check_tag_compliance', arguments: { account_ids: ['all'], force_refresh: true } }, undefined, {
      onprogress: (p) => updates.push(p.progress),
      resetTimeoutOnProgress: true,
    }),
  )) as CallToolResult;
  t.equal(fresh.isError, undefined);
  t.ok(updates.length > 1, `progress notifications pass through the bridge (${updates.length})`);
  t.ok(updates.every((v, i) => i === 0 || v > (updates[i - 1] ?? Infinity)), 'progress strictly increases');

  const bad = (await within(30_000, 'bad call', bridge.client.callTool({ name: 'check_tag_compliance', arguments: { limit: 0 } }))) as CallToolResult;
  t.equal(bad.isError, true, 'a tool error passes through as an isError result');
  t.match(bad.content[0], { type: 'text', text: /^Invalid arguments for check_tag_compliance: limit/ });
});

t.test('with API keys on the app: no MCP_API_KEY → a JSON-RPC error naming MCP_API_KEY; with it → works', T, async (t) => {
  const { base } = await listeningDemo(t, { auth: { mode: 'api_key', api_keys: [{ id: 'ci', key: API_KEY }] } });

  const refused = await fetch(new URL('/mcp', base), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
  t.equal(refused.status, 401, 'the app itself refuses a request without a key');

  const without = startBridge({ MCP_SERVER_URL: base });
  const err = await within(30_000, 'connect without key', without.client.connect(without.transport).then(() => undefined, (e: unknown) => e));
  await without.close();
  t.ok(err instanceof McpError, 'initialize is answered with a JSON-RPC error');
  t.equal((err as McpError).code, -32000);
  t.match((err as McpError).message, /requires authentication \(HTTP 401\): set MCP_API_KEY/);

  const wrong = startBridge({ MCP_SERVER_URL: base, MCP_API_KEY: 'x'.repeat(32) });
  const wrongErr = await within(30_000, 'connect with a wrong key', wrong.client.connect(wrong.transport).then(() => undefined, (e: unknown) => e));
  await wrong.close();
  t.ok(wrongErr instanceof McpError);
  t.match((wrongErr as McpError).message, /rejected the API key \(HTTP 401\): check the token in MCP_API_KEY/);
  t.notMatch((wrongErr as McpError).message, /xxxxxxxx/, 'the token is never echoed');

  const bridge = bridgeTo(t, { MCP_SERVER_URL: base, MCP_API_KEY: API_KEY });
  await within(30_000, 'connect with key', bridge.client.connect(bridge.transport));
  const { tools } = await within(30_000, 'tools/list', bridge.client.listTools());
  const direct = await directClient(t, base, { authorization: `Bearer ${API_KEY}` });
  t.same(tools, (await direct.listTools()).tools);
  const result = (await within(30_000, 'tools/call', bridge.client.callTool({ name: 'list_accounts', arguments: {} }))) as CallToolResult;
  t.equal(result.isError, undefined);
  t.equal((result.structuredContent as { total_accounts: number }).total_accounts, 7);
});
