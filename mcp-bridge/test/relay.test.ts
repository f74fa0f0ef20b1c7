import t, { type Test } from 'tap';
import { LATEST_PROTOCOL_VERSION, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { startBridge, within, type BridgeHandle } from './helpers/bridge.js';

const T = { timeout: 30_000 };

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Records the progress notifications the client's transport receives (before the SDK's handlers). */
function recordProgress(bridge: BridgeHandle): number[] {
  const seen: number[] = [];
  const original = bridge.transport.onmessage;
  bridge.transport.onmessage = (message) => {
    if ('method' in message && message.method === 'notifications/progress') seen.push(Number(message.params?.['progress']));
    original?.(message);
  };
  return seen;
}

function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

async function setup(t: Test, env: Record<string, string> = {}, serverOpts = {}): Promise<{ server: TestServer; bridge: BridgeHandle }> {
  const server = await startTestServer(serverOpts);
  const bridge = startBridge({ MCP_SERVER_URL: server.url, ...env });
  t.teardown(async () => {
    await bridge.close();
    await server.close();
  });
  await within(10_000, 'connect', bridge.client.connect(bridge.transport));
  return { server, bridge };
}

t.test('initialize, tools/list and tools/call go through the bridge', T, async (t) => {
  const { server, bridge } = await setup(t);
  t.equal(bridge.client.getServerVersion()?.name, 'bridge-test-server');
  t.same(bridge.client.getServerCapabilities()?.tools, { listChanged: true });
  const tools = await within(10_000, 'tools/list', bridge.client.listTools());
  t.same(tools.tools.map((tool) => tool.name), ['echo', 'count_progress', 'wait_for_cancel', 'ask_roots', 'notify', 'ask_client']);
  const result = await within(10_000, 'echo', bridge.client.callTool({ name: 'echo', arguments: { text: 'hello' } }));
  t.equal(text(result), 'echo: hello');
  t.same(server.events.filter((e) => e !== 'GET /mcp'), ['initialize', 'initialized', 'tools/list', 'tool:echo']);
  t.equal(server.lastHeaders['mcp-protocol-version'], LATEST_PROTOCOL_VERSION);
});

t.test('progress notifications pass through to the client', T, async (t) => {
  const { bridge } = await setup(t);
  const seen = recordProgress(bridge);
  const result = await within(
    10_000,
    'count_progress',
    bridge.client.callTool({ name: 'count_progress', arguments: { steps: 4 } }, undefined, { onprogress: () => undefined }),
  );
  t.equal(text(result), 'counted to 4');
  t.same(seen, [1, 2, 3, 4]);
});

t.test('cancellation reaches the server', T, async (t) => {
  const { server, bridge } = await setup(t);
  const abort = new AbortController();
  const call = bridge.client.callTool({ name: 'wait_for_cancel', arguments: {} }, undefined, { signal: abort.signal });
  const outcome = call.then(
    () => 'answered',
    (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`,
  );
  await within(10_000, 'server starts waiting', server.waiting);
  abort.abort('user pressed stop');
  const reason = await within(10_000, 'server sees the abort', server.cancelled);
  t.match(reason, /user pressed stop/);
  t.match(await outcome, /^rejected: .*user pressed stop/);
  t.ok(server.events.includes('cancelled:wait_for_cancel'));
  // The bridge keeps working after a cancellation.
  t.equal(text(await within(10_000, 'echo', bridge.client.callTool({ name: 'echo', arguments: { text: 'after' } }))), 'echo: after');
});

t.test('server-to-client requests (roots/list) are relayed', T, async (t) => {
  const { bridge } = await setup(t);
  const result = await within(10_000, 'ask_roots', bridge.client.callTool({ name: 'ask_roots', arguments: {} }));
  t.equal(text(result), 'file:///work/finops');
});

t.test('sampling and elicitation requests from the server are relayed', T, async (t) => {
  const { bridge } = await setup(t);
  const result = await within(10_000, 'ask_client', bridge.client.callTool({ name: 'ask_client', arguments: {} }));
  t.equal(text(result), 'sampled / accept 123456789012');
});

t.test('server restart: the bridge re-initializes and retries, the client notices nothing', T, async (t) => {
  const first = await startTestServer();
  const bridge = startBridge({ MCP_SERVER_URL: first.url, MCP_BRIDGE_LOG_LEVEL: 'info' });
  let second: TestServer | undefined;
  t.teardown(async () => {
    await bridge.close();
    await first.close();
    await second?.close();
  });
  await within(10_000, 'connect', bridge.client.connect(bridge.transport));
  t.equal(text(await within(10_000, 'echo 1', bridge.client.callTool({ name: 'echo', arguments: { text: 'one' } }))), 'echo: one');

  await first.close();
  second = await startTestServer({ port: first.port });
  const result = await within(15_000, 'echo 2', bridge.client.callTool({ name: 'echo', arguments: { text: 'two' } }));
  t.equal(text(result), 'echo: two');
  t.same(second.events.filter((e) => e !== 'tools/list' && e !== 'GET /mcp'), ['initialize', 'initialized', 'tool:echo']);
  t.match(bridge.stderr(), /re-initializ/);
  // Progress still flows on the recovered session.
  const seen = recordProgress(bridge);
  await within(10_000, 'progress', bridge.client.callTool({ name: 'count_progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined }));
  t.same(seen, [1, 2]);
});

t.test('falls back to HTTP+SSE when /mcp answers 404', T, async (t) => {
  const { server, bridge } = await setup(t, { MCP_BRIDGE_LOG_LEVEL: 'info' }, { mode: 'sse-only' });
  const tools = await within(10_000, 'tools/list', bridge.client.listTools());
  t.equal(tools.tools.length, 6);
  const seen = recordProgress(bridge);
  const result = await within(
    10_000,
    'count_progress',
    bridge.client.callTool({ name: 'count_progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined }),
  );
  t.equal(text(result), 'counted to 2');
  t.same(seen, [1, 2]);
  t.equal(server.events[0], 'initialize');
  t.match(bridge.stderr(), /falling back to HTTP\+SSE/);
});

t.test('an /sse URL uses HTTP+SSE directly', T, async (t) => {
  const server = await startTestServer({ mode: 'sse-only' });
  const bridge = startBridge({ MCP_SERVER_URL: `${server.url}/sse`, MCP_BRIDGE_LOG_LEVEL: 'info' });
  t.teardown(async () => {
    await bridge.close();
    await server.close();
  });
  await within(10_000, 'connect', bridge.client.connect(bridge.transport));
  t.equal(text(await within(10_000, 'echo', bridge.client.callTool({ name: 'echo', arguments: { text: 'sse' } }))), 'echo: sse');
  t.notMatch(bridge.stderr(), /falling back/);
});

t.test('bearer token and extra headers are sent', T, async (t) => {
  const { server } = await setup(t, { MCP_API_KEY: 'sekret-token', MCP_HEADERS: 'X-Team: finops; X-Env: prod' }, { token: 'sekret-token' });
  t.equal(server.lastHeaders['authorization'], 'Bearer sekret-token');
  t.equal(server.lastHeaders['x-team'], 'finops');
  t.equal(server.lastHeaders['x-env'], 'prod');
});

t.test('request timeout answers with an error that names MCP_TIMEOUT and cancels on the server', T, async (t) => {
  const { server, bridge } = await setup(t, { MCP_TIMEOUT: '1' });
  const err = await within(10_000, 'timeout', bridge.client.callTool({ name: 'wait_for_cancel', arguments: {} }).then(() => undefined, (e: unknown) => e));
  t.ok(err instanceof Error, 'the call is rejected');
  t.match(String((err as Error).message), /MCP_TIMEOUT/);
  t.equal((err as { code?: number }).code, -32001);
  await within(10_000, 'server sees the cancel', server.cancelled);
});

t.test('progress keeps a long request alive past MCP_TIMEOUT', T, async (t) => {
  const { bridge } = await setup(t, { MCP_TIMEOUT: '1' });
  const seen = recordProgress(bridge);
  // 5 steps 400 ms apart: 2 s in all, never 1 s without progress.
  const result = await within(
    10_000,
    'slow count',
    bridge.client.callTool({ name: 'count_progress', arguments: { steps: 5, delay_ms: 400 } }, undefined, { onprogress: () => undefined }),
  );
  t.equal(text(result), 'counted to 5');
  t.same(seen, [1, 2, 3, 4, 5]);
});

t.test('logging and list-changed notifications reach the client (request stream and standalone stream)', T, async (t) => {
  const { server, bridge } = await setup(t);
  // The standalone stream is opened by the bridge after notifications/initialized.
  await within(10_000, 'GET stream', until(() => server.events.includes('GET /mcp')));
  const logged = new Promise<unknown>((resolve) => bridge.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params.data)));
  const changed = new Promise<string>((resolve) => bridge.client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => resolve(n.method)));
  const result = await within(10_000, 'notify', bridge.client.callTool({ name: 'notify', arguments: {} }));
  t.equal(text(result), 'notified');
  t.equal(await within(10_000, 'log message', logged), 'scan started');
  t.equal(await within(10_000, 'list changed', changed), 'notifications/tools/list_changed');
});
