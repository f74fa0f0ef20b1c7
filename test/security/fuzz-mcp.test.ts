/**
 * MCP fuzz (issue 7): thousands of generated malformed or hostile tool calls for EVERY tool in
 * allTools through the real MCP SDK Client: most through the app's own MCP server glue on an
 * in-memory transport, the rest over Streamable HTTP and HTTP+SSE on a loopback listener
 * (malformed JSON-RPC is in fuzz-mcp-rpc.test.ts). Property: every call ends in a result, an
 * isError result with a message, or a JSON-RPC error with a message — never an internal error,
 * an HTTP 5xx, a hang, an output that breaks the tool's outputSchema, a crash or prototype pollution.
 */
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allTools } from '../../src/app.js';
import { VERSION } from '../../src/config/version.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { INTERNAL_MESSAGE } from '../../plugins/errors.js';
import { isolateNetwork } from '../helpers/network.js';
import { pollutedKeys, prototypeSnapshot, startFuzzApp } from '../helpers/fuzz-app.js';
import { toolInputs } from '../helpers/fuzz-inputs.js';
import { crashWatch, fixtureExamples, pool, Tally } from '../helpers/fuzz-run.js';

isolateNetwork();

const SEED = 20260702;
/** Through the product's MCP server glue on an in-memory transport (no HTTP: the bulk of the calls, quickly). */
const IN_MEMORY_CASES = 3000;
/** Through the real HTTP transports on a loopback listener. */
const STREAMABLE_CASES = 800;
const SSE_CASES = 200;
const ANSWER_TIMEOUT_MS = 15_000;

const fz = await startFuzzApp();
t.teardown(() => fz.close());
const crashes = crashWatch();
t.teardown(() => crashes.stop());
const base = await fz.app.listen({ host: '127.0.0.1', port: 0 });
const examples = fixtureExamples(allTools, fz.sim.fixture);
const protoBefore = prototypeSnapshot();
const requestInit = { headers: fz.headers };

/** Messages the SDK client raises itself when a result breaks the tool's declared output. */
const CLIENT_SIDE = /output schema|structured content/i;

/** The fuzz property for one tools/call outcome; returns what is wrong, or null. */
function callViolation(outcome: { result?: CallToolResult; error?: unknown }): { status: string; wrong: string | null } {
  if (outcome.error !== undefined) {
    const err = outcome.error;
    if (!(err instanceof McpError)) {
      // The transport refused the HTTP request itself (e.g. a body with a "__proto__" key): a 4xx with a message is fine.
      const message = err instanceof Error ? err.message : String(err);
      const code = (err as { code?: unknown }).code;
      const status = typeof code === 'number' ? code : Number(/HTTP (\d{3})/.exec(message)?.[1] ?? NaN);
      if (status >= 400 && status < 500 && /"message":"[^"]+"/.test(message)) return { status: `http ${status}`, wrong: null };
      return { status: 'thrown', wrong: `neither a JSON-RPC error nor an HTTP 4xx with a message: ${message.slice(0, 200)}` };
    }
    if (err.code === -32603) return { status: 'rpc -32603', wrong: `internal error: ${err.message}` };
    if (CLIENT_SIDE.test(err.message)) return { status: 'bad output', wrong: err.message.slice(0, 300) };
    if (err.message.replace(/^MCP error -?\d+:/, '').trim() === '') return { status: `rpc ${err.code}`, wrong: 'JSON-RPC error without a message' };
    return { status: `rpc ${err.code}`, wrong: null };
  }
  const result = outcome.result;
  if (result === undefined) return { status: 'nothing', wrong: 'no result and no error' };
  if (result.isError === true) {
    const first = result.content[0];
    const text = first !== undefined && first.type === 'text' ? first.text : '';
    if (text.trim() === '') return { status: 'isError', wrong: 'isError without a message' };
    if (text.startsWith(INTERNAL_MESSAGE)) return { status: 'isError internal', wrong: `internal error: ${text}` };
    return { status: 'isError', wrong: null };
  }
  return { status: 'result', wrong: null };
}

async function fuzzClient(t: Test, label: string, connect: () => Promise<Client>, total: number, seed: number): Promise<Tally> {
  const clients = [await connect(), await connect()];
  t.teardown(async () => {
    for (const c of clients) await c.close();
  });
  // tools/list first: the SDK client then checks every structuredContent against its outputSchema.
  for (const c of clients) await c.listTools();
  const tally = new Tally();
  const perTool = Math.ceil(total / allTools.length);
  const started = performance.now();
  for (const [i, tool] of allTools.entries()) {
    const cases = fc.sample(toolInputs(tool, examples), { numRuns: perTool, seed: seed + i });
    await pool(cases, 6, async (c, n) => {
      const client = clients[n % clients.length] as Client;
      let outcome: { result?: CallToolResult; error?: unknown };
      try {
        // Arguments of any shape go on the wire as generated (the server must cope with non-objects too).
        const params = { name: tool.name, arguments: c.args as Record<string, unknown> };
        outcome = { result: (await client.callTool(params, undefined, { timeout: ANSWER_TIMEOUT_MS })) as CallToolResult };
      } catch (error) {
        outcome = { error };
      }
      const { status, wrong } = callViolation(outcome);
      tally.add(`${tool.name}/${c.kind}`, status);
      if (wrong !== null) tally.fail(`${tool.name}/${c.kind}`, wrong, c.args);
    });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.comment(`MCP ${label}: ${tally.total} tool calls over ${allTools.length} tools in ${seconds} s (seed ${seed}); outcomes: ${tally.histogram()}`);
  return tally;
}

t.test(`${IN_MEMORY_CASES} generated tool calls through the SDK client and the app's MCP server on an in-memory transport`, async (t) => {
  const tally = await fuzzClient(
    t,
    'in-memory',
    async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const server = createMcpServer({ runner: fz.app.toolRunner, logger: fz.app.log, principal: { id: 'fuzzer', allowed_accounts: null }, version: VERSION });
      await server.connect(serverSide);
      const client = new Client({ name: 'fuzz-memory', version: '1.0.0' });
      await client.connect(clientSide);
      return client;
    },
    IN_MEMORY_CASES,
    SEED + 50,
  );
  t.ok(tally.total >= IN_MEMORY_CASES, `at least ${IN_MEMORY_CASES} calls`);
  t.same(tally.failures, [], 'every call ends in a result, an isError with a message or a JSON-RPC error with a message');
  t.ok((tally.byStatus.get('result') ?? 0) > 0 && (tally.byStatus.get('isError') ?? 0) > 0, 'both valid and invalid calls were generated');
});

t.test(`${STREAMABLE_CASES} generated tool calls through the SDK client over Streamable HTTP`, async (t) => {
  const tally = await fuzzClient(
    t,
    'Streamable HTTP',
    async () => {
      const client = new Client({ name: 'fuzz', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit }));
      return client;
    },
    STREAMABLE_CASES,
    SEED,
  );
  t.ok(tally.total >= STREAMABLE_CASES, `at least ${STREAMABLE_CASES} calls`);
  t.same(tally.failures, [], 'every call ends in a result, an isError with a message or a JSON-RPC error with a message');
  t.ok((tally.byStatus.get('result') ?? 0) > 0 && (tally.byStatus.get('isError') ?? 0) > 0, 'both valid and invalid calls were generated');
});

t.test(`${SSE_CASES} generated tool calls through the SDK client over HTTP+SSE`, async (t) => {
  const tally = await fuzzClient(
    t,
    'HTTP+SSE',
    async () => {
      const client = new Client({ name: 'fuzz-sse', version: '1.0.0' });
      await client.connect(new SSEClientTransport(new URL('/sse', base), { requestInit }));
      return client;
    },
    SSE_CASES,
    SEED + 100,
  );
  t.ok(tally.total >= SSE_CASES, `at least ${SSE_CASES} calls`);
  t.same(tally.failures, [], 'every call ends in a result, an isError with a message or a JSON-RPC error with a message');
});

t.test('regression the fuzz found: arguments that are not an object get -32602 Invalid params, not -32603', async (t) => {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createMcpServer({ runner: fz.app.toolRunner, logger: fz.app.log, principal: { id: 'fuzzer', allowed_accounts: null }, version: VERSION });
  await server.connect(serverSide);
  const client = new Client({ name: 'regression', version: '1.0.0' });
  await client.connect(clientSide);
  t.teardown(() => client.close());
  for (const args of [['production'], 'all', 42, null]) {
    const error = await client.callTool({ name: 'check_tag_compliance', arguments: args as unknown as Record<string, unknown> }).then(
      () => null,
      (err: unknown) => err,
    );
    t.ok(error instanceof McpError && error.code === -32602, `${JSON.stringify(args)}: -32602`);
    t.match(error instanceof Error ? error.message : '', /Invalid tools\/call request/);
  }
});

t.test('after the fuzz: nothing polluted, nothing crashed, the server still works', async (t) => {
  t.same(prototypeSnapshot(), protoBefore, 'built-in prototypes unchanged');
  t.same(pollutedKeys(), [], 'a fresh object has no polluted keys');
  t.same(crashes.seen, [], 'no unhandled rejection or uncaught exception');
  t.same(fz.problems, [], 'no error-level log line and no tool answer outside its output schema');
  const client = new Client({ name: 'after-fuzz', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit }));
  t.teardown(() => client.close());
  const result = (await client.callTool({ name: 'list_accounts', arguments: {} })) as CallToolResult;
  t.equal(result.isError, undefined, 'a valid call still succeeds');
  const s = fz.secrets.stats();
  t.comment(`secret scan: ${s.responses} responses, ${s.log_lines} log lines, ${(s.bytes / 1e6).toFixed(1)} MB scanned`);
  t.same(fz.secrets.findings(), [], 'no secret in any response or log line');
});
