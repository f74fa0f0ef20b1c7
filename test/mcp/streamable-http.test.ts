import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { isolateNetwork } from '../aws/helpers.js';
import { API_KEY, cancellations, transportApp } from './fixtures.js';

isolateNetwork();

async function listening(t: Test, overrides: DeepPartial<AppConfig> = {}): Promise<{ app: FastifyInstance; url: URL }> {
  const app = await transportApp(overrides);
  t.teardown(() => app.close());
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: new URL('/mcp', address) };
}

async function connect(t: Test, url: URL, headers: Record<string, string> = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  t.teardown(() => client.close());
  return { client, transport };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

t.test('initialize, tools/list with the TypeBox JSON schemas', async (t) => {
  const { url } = await listening(t);
  const { client } = await connect(t, url);
  t.equal(client.getServerVersion()?.name, 'finops-tag-compliance');
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), ['echo_scope', 'explode', 'refuse', 'wait_for_cancel']);
  const echo = tools[0];
  t.equal(echo?.inputSchema.type, 'object');
  t.same(Object.keys(echo?.inputSchema.properties ?? {}), ['resource_types', 'account_ids', 'regions', 'mode', 'limit']);
  t.same((echo?.inputSchema.properties as Record<string, unknown>).limit, { type: 'integer', minimum: 1, maximum: 500, default: 50 });
  t.equal(echo?.outputSchema?.type, 'object');
  t.equal(echo?.annotations?.readOnlyHint, true);
});

t.test('tools/call returns structuredContent and a text copy, with progress notifications', async (t) => {
  const { url } = await listening(t);
  const { client } = await connect(t, url);
  const progress: number[] = [];
  const result = await client.callTool({ name: 'echo_scope', arguments: { resource_types: ['rds:db'] } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  t.same(result.structuredContent, { received: { resource_types: ['rds:db'], limit: 50 }, principal: 'anonymous' });
  const content = result.content as { type: string; text: string }[];
  t.equal(content[0]?.type, 'text');
  t.same(JSON.parse(content[0]?.text ?? ''), result.structuredContent);
  t.equal(result.isError, undefined);
  t.same(progress, [1, 2, 3]);
});

t.test('bad input and failures are isError results', async (t) => {
  const { url } = await listening(t);
  const { client } = await connect(t, url);
  const bad = await client.callTool({ name: 'echo_scope', arguments: { resource_types: ['ec2:spaceship'] } });
  t.equal(bad.isError, true);
  t.same(bad.content, [{ type: 'text', text: 'Invalid arguments for echo_scope: resource_types/0: "ec2:spaceship" is not a supported resource type (allowed: ec2:instance, s3:bucket, rds:db)' }]);

  const refused = await client.callTool({ name: 'refuse', arguments: {} });
  t.same(refused.content, [{ type: 'text', text: 'Account 999999999999 is not configured: use one of 111111111111, 222222222222' }]);

  const boom = await client.callTool({ name: 'explode', arguments: {} });
  t.equal(boom.isError, true);
  t.same(boom.content, [{ type: 'text', text: 'An internal error occurred; the server log has the details.' }]);

  const unknown = await client.callTool({ name: 'nope', arguments: {} });
  t.equal(unknown.isError, true);
  t.same(unknown.content, [{ type: 'text', text: 'Unknown tool "nope". Valid tools: echo_scope, explode, refuse, wait_for_cancel' }]);
});

t.test('unknown session id → 404; missing session id → 400', async (t) => {
  const { url } = await listening(t);
  const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
  const unknown = await fetch(url, { method: 'POST', headers: { ...jsonHeaders, 'mcp-session-id': 'no-such-session' }, body: JSON.stringify(list) });
  t.equal(unknown.status, 404);
  t.equal(((await unknown.json()) as { error: { message: string } }).error.message, 'Session not found: it expired or was closed. Start a new session with an initialize request.');
  const missing = await fetch(url, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(list) });
  t.equal(missing.status, 400);
  await missing.body?.cancel();
});

t.test('DELETE ends a session', async (t) => {
  const { url } = await listening(t);
  const { transport } = await connect(t, url);
  const id = transport.sessionId;
  t.type(id, 'string');
  await transport.terminateSession();
  const after = await fetch(url, { method: 'POST', headers: { ...jsonHeaders, 'mcp-session-id': id ?? '' }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
  t.equal(after.status, 404);
  await after.body?.cancel();
});

t.test('over MCP_MAX_SESSIONS → 503 with a clear message', async (t) => {
  const { url } = await listening(t, { mcp: { max_sessions: 1 } });
  await connect(t, url);
  const res = await fetch(url, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(initialize) });
  t.equal(res.status, 503);
  t.equal(
    ((await res.json()) as { error: { message: string } }).error.message,
    'The server has reached its limit of 1 open MCP sessions (MCP_MAX_SESSIONS). Close unused sessions or retry later.',
  );
});

t.test('client cancellation aborts the tool call signal', async (t) => {
  const { url } = await listening(t);
  const { client } = await connect(t, url);
  const before = { ...cancellations };
  const controller = new AbortController();
  const call = client.callTool({ name: 'wait_for_cancel', arguments: {} }, undefined, { signal: controller.signal });
  await until(() => cancellations.started > before.started);
  controller.abort('user pressed stop');
  await t.rejects(call);
  await until(() => cancellations.aborted > before.aborted);
  t.equal(cancellations.aborted, before.aborted + 1);
});

t.test('closing the app ends sessions and aborts in-flight calls', async (t) => {
  const { app, url } = await listening(t);
  const { client } = await connect(t, url);
  const before = { ...cancellations };
  const call = client.callTool({ name: 'wait_for_cancel', arguments: {} }).catch((err: unknown) => err);
  await until(() => cancellations.started > before.started);
  await app.close();
  await until(() => cancellations.aborted > before.aborted);
  t.equal(cancellations.aborted, before.aborted + 1);
  await call;
});

t.test('stateless mode serves tools/list and tools/call without sessions', async (t) => {
  const { url } = await listening(t, { mcp: { stateless: true } });
  const { client, transport } = await connect(t, url);
  t.equal(transport.sessionId, undefined);
  const { tools } = await client.listTools();
  t.equal(tools.length, 4);
  const result = await client.callTool({ name: 'echo_scope', arguments: { limit: 2 } });
  t.same(result.structuredContent, { received: { limit: 2 }, principal: 'anonymous' });
});

t.test('with API keys: MCP needs the Bearer key and the principal is the key id', async (t) => {
  const { url } = await listening(t, { auth: { mode: 'api_key', api_keys: [{ id: 'claude', key: API_KEY }] } });
  const denied = await fetch(url, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(initialize) });
  t.equal(denied.status, 401);
  t.equal(denied.headers.get('www-authenticate'), 'Bearer');
  await denied.body?.cancel();
  const { client } = await connect(t, url, { authorization: `Bearer ${API_KEY}` });
  const result = await client.callTool({ name: 'echo_scope', arguments: {} });
  t.same(result.structuredContent, { received: { limit: 50 }, principal: 'claude' });
});

t.test("a session cannot be used with another principal's key", async (t) => {
  const other = 'other-key-0123456789abcdef';
  const { url } = await listening(t, { auth: { mode: 'api_key', api_keys: [{ id: 'a', key: API_KEY }, { id: 'b', key: other }] } });
  const { transport } = await connect(t, url, { authorization: `Bearer ${API_KEY}` });
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...jsonHeaders, authorization: `Bearer ${other}`, 'mcp-session-id': transport.sessionId ?? '' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
  });
  t.equal(res.status, 404);
  await res.body?.cancel();
});
