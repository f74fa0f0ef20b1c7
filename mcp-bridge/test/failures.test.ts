import t from 'tap';
import { spawn } from 'node:child_process';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { BRIDGE_BIN, bridgeEnv, freePort, startBridge, within } from './helpers/bridge.js';

const T = { timeout: 30_000 };

/** Connects and returns the error the client got (or undefined if it connected). */
async function connectError(env: Record<string, string>): Promise<{ err: unknown; stderr: string }> {
  const bridge = startBridge(env);
  try {
    const err = await within(15_000, 'connect', bridge.client.connect(bridge.transport).then(() => undefined, (e: unknown) => e));
    return { err, stderr: bridge.stderr() };
  } finally {
    await bridge.close();
  }
}

t.test('unreachable server: a JSON-RPC error that says what to check, no hang', T, async (t) => {
  const port = await freePort();
  const { err, stderr } = await connectError({ MCP_SERVER_URL: `http://127.0.0.1:${port}` });
  t.ok(err instanceof McpError, 'initialize is answered with a JSON-RPC error');
  t.equal((err as McpError).code, -32000);
  t.match((err as McpError).message, `Cannot reach the MCP server at http://127.0.0.1:${port}/mcp: connection refused`);
  t.match((err as McpError).message, /MCP_SERVER_URL/);
  t.match(stderr, /connection refused/);
});

t.test('unreachable server over /sse: the same clear message', T, async (t) => {
  const port = await freePort();
  const { err } = await connectError({ MCP_SERVER_URL: `http://127.0.0.1:${port}/sse` });
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, `Cannot reach the MCP server at http://127.0.0.1:${port}/sse: connection refused`);
});

t.test('unknown host: the message says the name does not resolve', T, async (t) => {
  const { err } = await connectError({ MCP_SERVER_URL: 'http://no-such-host.invalid:8080' });
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, /does not resolve \(DNS\)/);
});

t.test('401 without a key: the message says to set MCP_API_KEY', T, async (t) => {
  const server = await startTestServer({ token: 'right' });
  t.teardown(() => server.close());
  const { err } = await connectError({ MCP_SERVER_URL: server.url });
  t.ok(err instanceof McpError);
  t.equal((err as McpError).code, -32000);
  t.match((err as McpError).message, /requires authentication \(HTTP 401\): set MCP_API_KEY/);
});

t.test('401 with a wrong key: the message says to check MCP_API_KEY', T, async (t) => {
  const server = await startTestServer({ token: 'right' });
  t.teardown(() => server.close());
  const { err } = await connectError({ MCP_SERVER_URL: server.url, MCP_API_KEY: 'wrong' });
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, /rejected the API key \(HTTP 401\): check the token in MCP_API_KEY/);
  t.notMatch((err as McpError).message, /wrong/, 'the token itself is never echoed');
});

t.test('401 on an /sse URL: the message says to set MCP_API_KEY', T, async (t) => {
  const server = await startTestServer({ token: 'right', mode: 'sse-only' });
  t.teardown(() => server.close());
  const { err } = await connectError({ MCP_SERVER_URL: `${server.url}/sse` });
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, /requires authentication \(HTTP 401\): set MCP_API_KEY/);
});

t.test('server killed during a call: the pending request gets an error, later calls recover', T, async (t) => {
  const first = await startTestServer();
  const bridge = startBridge({ MCP_SERVER_URL: first.url });
  let second: TestServer | undefined;
  t.teardown(async () => {
    await bridge.close();
    await first.close();
    await second?.close();
  });
  await within(10_000, 'connect', bridge.client.connect(bridge.transport));
  const call = bridge.client.callTool({ name: 'wait_for_cancel', arguments: {} }).then(() => undefined, (e: unknown) => e);
  await within(10_000, 'server waiting', first.waiting);
  await first.close();
  const err = await within(10_000, 'lost call answered', call);
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, /connection to the MCP server was lost/);
  second = await startTestServer({ port: first.port });
  const result = await within(15_000, 'echo after restart', bridge.client.callTool({ name: 'echo', arguments: { text: 'back' } }));
  t.same(result.content, [{ type: 'text', text: 'echo: back' }]);
});

t.test('SSE session lost (server restart): re-initialized on the next request', T, async (t) => {
  const first = await startTestServer({ mode: 'sse-only' });
  const bridge = startBridge({ MCP_SERVER_URL: `${first.url}/sse`, MCP_BRIDGE_LOG_LEVEL: 'debug' });
  let second: TestServer | undefined;
  t.teardown(async () => {
    await bridge.close();
    await first.close();
    await second?.close();
  });
  await within(10_000, 'connect', bridge.client.connect(bridge.transport));
  await first.close();
  second = await startTestServer({ mode: 'sse-only', port: first.port });
  // The bridge notices the broken stream; give it a moment, then call.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const result = await within(15_000, 'echo after restart', bridge.client.callTool({ name: 'echo', arguments: { text: 'sse back' } }));
  t.same(result.content, [{ type: 'text', text: 'echo: sse back' }]);
  t.same(second.events, ['initialize', 'initialized', 'tool:echo'], JSON.stringify(second.events) + bridge.stderr());
});

interface RawRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bridge as a plain child: writes `lines` to stdin, closes stdin once `answers` lines came out. */
function runRaw(env: Record<string, string>, lines: string[], answers: number, args: string[] = []): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BRIDGE_BIN, ...args], { env: bridgeEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (stdout.split('\n').length - 1 >= answers) child.stdin.end();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bridge did not exit; stderr: ${stderr}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
    for (const line of lines) child.stdin.write(`${line}\n`);
    if (answers === 0) child.stdin.end();
  });
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

t.test('stdout carries only JSON-RPC; stdin close exits 0', T, async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const run = await runRaw(
    { MCP_SERVER_URL: server.url, MCP_BRIDGE_LOG_LEVEL: 'debug' },
    [INIT, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })],
    2,
  );
  t.equal(run.code, 0);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  t.equal(lines.length, 2);
  const parsed = lines.map((l) => JSON.parse(l) as { jsonrpc: string; id: number; result: Record<string, unknown> });
  t.same(parsed.map((m) => [m.jsonrpc, m.id]), [['2.0', 1], ['2.0', 2]]);
  t.equal((parsed[1]?.result['tools'] as unknown[]).length, 6);
  t.match(run.stderr, /debug: client -> server initialize id=1/, 'logs go to stderr');
  t.match(run.stderr, /shutting down: stdin closed/);
});

t.test('bad configuration: message on stderr, exit code 2', T, async (t) => {
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{}, [], /MCP_SERVER_URL is not set/],
    [{ MCP_SERVER_URL: 'mcp.acme.com' }, [], /MCP_SERVER_URL is not a valid URL/],
    [{ MCP_SERVER_URL: 'ftp://mcp.acme.com' }, [], /must start with http:\/\/ or https:\/\//],
    [{ MCP_SERVER_URL: 'http://x', MCP_TIMEOUT: '0' }, [], /MCP_TIMEOUT must be a positive number of seconds/],
    [{ MCP_SERVER_URL: 'http://x', MCP_VERIFY_TLS: 'maybe' }, [], /MCP_VERIFY_TLS must be true or false/],
    [{ MCP_SERVER_URL: 'http://x', MCP_HEADERS: 'no colon here' }, [], /MCP_HEADERS: "no colon here" is not a header/],
    [{ MCP_SERVER_URL: 'http://x' }, ['--log-level', 'loud'], /--log-level must be one of error, warn, info, debug/],
    [{ MCP_SERVER_URL: 'http://x' }, ['--bogus'], /unknown option "--bogus"/],
  ];
  for (const [env, args, expected] of cases) {
    const run = await runRaw(env, [], 0, args);
    t.equal(run.code, 2, `exit 2 for ${JSON.stringify(env)} ${args.join(' ')}`);
    t.match(run.stderr, expected);
    t.equal(run.stdout, '');
  }
});

t.test('--help and --version', T, async (t) => {
  const help = await runRaw({}, [], 0, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /--api-key <token>/);
  const version = await runRaw({}, [], 0, ['--version']);
  t.equal(version.code, 0);
  t.equal(version.stdout, 'finops-mcp-bridge 0.1.0\n');
});

t.test('MCP_VERIFY_TLS=false warns on stderr', T, async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const run = await runRaw({ MCP_SERVER_URL: server.url, MCP_VERIFY_TLS: 'false' }, [INIT], 1);
  t.equal(run.code, 0);
  t.match(run.stderr, /TLS certificate verification is OFF/);
  t.equal(run.stdout.split('\n').filter((l) => l !== '').length, 1);
});
