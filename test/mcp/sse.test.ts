import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { isolateNetwork } from '../aws/helpers.js';
import { API_KEY, transportApp } from './fixtures.js';

isolateNetwork();

t.test('HTTP+SSE: list and call tools with the SDK SSE client', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'old-client', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL('/sse', base)));
  t.teardown(() => client.close());

  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), ['echo_scope', 'explode', 'refuse', 'wait_for_cancel']);
  const progress: number[] = [];
  const result = await client.callTool({ name: 'echo_scope', arguments: { mode: 'summary' } }, undefined, { onprogress: (p) => progress.push(p.progress) });
  t.same(result.structuredContent, { received: { mode: 'summary', limit: 50 }, principal: 'anonymous' });
  t.same(progress, [1, 2, 3]);
  const bad = await client.callTool({ name: 'echo_scope', arguments: { limit: 0 } });
  t.equal(bad.isError, true);
  t.same(bad.content, [{ type: 'text', text: 'Invalid arguments for echo_scope: limit: 0 must be at least 1' }]);
});

t.test('POST /messages for an unknown session → 404', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/messages?sessionId=nope', payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
  t.equal(res.statusCode, 404);
  t.equal((res.json() as { message: string }).message, 'SSE session not found: it expired or was closed. Open a new stream with GET /sse.');
});

t.test('SSE needs the API key when keys are configured', async (t) => {
  const app = await transportApp({ auth: { mode: 'api_key', api_keys: [{ id: 'legacy', key: API_KEY }] } });
  t.teardown(() => app.close());
  const denied = await app.inject({ method: 'GET', url: '/sse' });
  t.equal(denied.statusCode, 401);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const headers = { authorization: `Bearer ${API_KEY}` };
  const client = new Client({ name: 'old-client', version: '1.0.0' });
  await client.connect(
    new SSEClientTransport(new URL('/sse', base), {
      requestInit: { headers },
      eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
    }),
  );
  t.teardown(() => client.close());
  const result = await client.callTool({ name: 'echo_scope', arguments: {} });
  t.same(result.structuredContent, { received: { limit: 50 }, principal: 'legacy' });
});

t.test('closing the app ends open SSE streams (close does not wait for them)', async (t) => {
  const app = await transportApp();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'old-client', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL('/sse', base)));
  const { tools } = await client.listTools();
  t.equal(tools.length, 4);
  await app.close();
  t.equal(app.server.listening, false);
  await client.close();
});
