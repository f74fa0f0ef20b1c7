/**
 * HTTP benchmark: autocannon (in a child process, so the load generator does not share the
 * server's event loop) against, in one run and one process:
 *   1. a bare Fastify route (POST /bare → tiny JSON): the ceiling of this machine right now;
 *   2. a bare Fastify route answering the same bytes as the tool (the floor for that payload);
 *   3. a cached `POST /tools/check_tag_compliance` (a finished answer from the answer cache:
 *      arguments validated, sources re-validated by stamp, stored bytes sent);
 *   4. the same call as MCP `tools/call` over Streamable HTTP, one MCP session per connection
 *      (as real assistants do), unique JSON-RPC ids per request.
 * Prints requests/s, p50/p99 latency and each target's ratio to the bare route.
 *
 * The MCP session guards (MCP_SESSION_TOOL_CALL_BUDGET, MCP_REPEAT_CALL_LIMIT) are turned off for
 * the run: with them on, a session repeating one call gets a short refusal after 5 calls, and the
 * benchmark would measure refusals instead of cached answers. A probe call checks that the
 * measured request really returns the answer (no isError).
 *
 *   node dist/bench/http.js --duration 3 --connections 50
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { DEFAULT_ROLE_NAME, generateOrganization } from '../src/simulator/generate.js';
import { startSimulator } from '../src/simulator/server.js';
import { Flags } from './lib/args.js';
import type { CannonFigures, CannonOptions } from './lib/cannon-child.js';
import { POLICY_PATH } from './lib/paths.js';
import { figure, fmt, heading, target } from './lib/print.js';

type CannonResult = CannonFigures;

const CHILD = fileURLToPath(new URL('./lib/cannon-child.js', import.meta.url));

/** Run autocannon in a child process and read its figures. */
function cannon(opts: CannonOptions): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${String(code)}: ${err.slice(0, 500)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as CannonResult);
      } catch (e) {
        reject(new Error(`could not read autocannon output: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** initialize + notifications/initialized; returns the session id and negotiated protocol version. */
async function openSession(base: string): Promise<{ id: string; version: string }> {
  const res = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: MCP_HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } }),
  });
  const id = res.headers.get('mcp-session-id');
  const text = await res.text();
  if (res.status !== 200 || id === null) throw new Error(`MCP initialize answered ${res.status}: ${text.slice(0, 300)}`);
  const match = /"protocolVersion":"([^"]+)"/.exec(text);
  const version = match?.[1] ?? '2025-06-18';
  const ack = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': version },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await ack.text();
  return { id, version };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${addr.port}`;
}

function line(label: string, r: CannonResult, bare: CannonResult | null): void {
  const ratio = bare === null || bare.rps === 0 ? '' : `  (${((r.rps / bare.rps) * 100).toFixed(1)} % of bare)`;
  figure(label, `${fmt(Math.round(r.rps))} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  n=${fmt(r.total)}  ${fmt(r.bytes_per_response)} B/resp${r.non2xx + r.errors > 0 ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ''}${ratio}`);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const flags = new Flags(argv);
  const duration = flags.int('duration', 3, 1);
  const connections = flags.int('connections', 50, 1);
  const accounts = flags.int('accounts', 3, 1);
  const perRegion = flags.int('per-region', 50, 0);
  const regions = ['us-east-1', 'eu-west-1'];

  const fixture = generateOrganization({ accounts, regions, resourcesPerRegion: perRegion, seed: 1 });
  const sim = await startSimulator({ fixture });
  const config = testConfig({
    policy_path: POLICY_PATH,
    aws: { region: 'us-east-1', endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'organizations', account_ids: [], role_name: DEFAULT_ROLE_NAME, external_id: null },
    auth: { mode: 'none', api_keys: [] },
    cache: { redis_url: null },
    mcp: { stateless: false },
    // See the header: the per-session guards would turn the measured calls into refusals.
    security: { session_tool_call_budget: 0, repeat_call_limit: 0 },
  });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  const bareApp = Fastify({ logger: false });
  bareApp.post('/bare', async () => ({ ok: true }));
  let sameBytes = Buffer.alloc(0);
  bareApp.post('/bare-same-bytes', async (_req, reply) => reply.type('application/json; charset=utf-8').send(sameBytes));
  try {
    const base = await listen(app);
    const bareBase = await listen(bareApp);
    const args = { account_ids: ['all'], limit: 50 };
    const json = { 'content-type': 'application/json' };
    // Fill the caches (inventory, costs, answer) once; every measured call is then a cached answer.
    const warm = await fetch(`${base}/tools/check_tag_compliance`, { method: 'POST', headers: json, body: JSON.stringify(args) });
    const warmText = await warm.text();
    if (warm.status !== 200) throw new Error(`warm-up check_tag_compliance answered ${warm.status}`);
    sameBytes = Buffer.from(warmText, 'utf8');
    const warmBody = JSON.parse(warmText) as { total_resources?: number };
    const sessions: { id: string; version: string }[] = [];
    for (let i = 0; i < connections; i++) sessions.push(await openSession(base));
    const version = sessions[0]?.version ?? '2025-06-18';
    const rpc = `{"jsonrpc":"2.0","id":"[<id>]","method":"tools/call","params":{"name":"check_tag_compliance","arguments":${JSON.stringify(args)}}}`;
    const mcpHeaders = { ...MCP_HEADERS, 'mcp-protocol-version': version };
    // The measured MCP request must return the answer, not a refusal or an error.
    const probe = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...mcpHeaders, 'mcp-session-id': sessions[0]?.id ?? '' }, body: rpc.replace('[<id>]', 'probe') });
    const probeText = await probe.text();
    if (probe.status !== 200 || probeText.includes('"isError":true') || !probeText.includes('structuredContent')) throw new Error(`MCP probe call did not return the answer: ${probeText.slice(0, 300)}`);
    sim.resetStats();

    heading(`http: ${connections} connections, ${duration} s per target, check_tag_compliance over ${fmt(warmBody.total_resources ?? 0)} cached resources (${fmt(sameBytes.length)} B answer)`);
    const load = { connections, duration };
    const bare = await cannon({ url: `${bareBase}/bare`, body: JSON.stringify(args), headers: json, ...load });
    line('bare Fastify route', bare, null);
    const bareSame = await cannon({ url: `${bareBase}/bare-same-bytes`, body: JSON.stringify(args), headers: json, ...load });
    line('bare route, same bytes as the answer', bareSame, bare);
    const rest = await cannon({ url: `${base}/tools/check_tag_compliance`, body: JSON.stringify(args), headers: json, ...load });
    line('REST check_tag_compliance (cached)', rest, bare);
    const mcp = await cannon({ url: `${base}/mcp`, body: rpc, headers: mcpHeaders, ids: true, session_ids: sessions.map((x) => x.id), ...load });
    line(`MCP tools/call (${sessions.length} sessions, cached)`, mcp, bare);
    // Service time without queueing: one connection, one second.
    const single = await cannon({ url: `${base}/tools/check_tag_compliance`, body: JSON.stringify(args), headers: json, connections: 1, duration: 1 });
    line('REST cached, 1 connection (service time)', single, null);
    const singleMcp = await cannon({ url: `${base}/mcp`, body: rpc, headers: mcpHeaders, ids: true, session_ids: [sessions[0]?.id ?? ''], connections: 1, duration: 1 });
    line('MCP cached, 1 connection (service time)', singleMcp, null);
    const s = sim.stats();
    figure('AWS calls during the run (after warm-up)', Object.values(s.calls).reduce((a, b) => a + b, 0));
    figure('REST / bare route with the same bytes', bareSame.rps === 0 ? 'n/a' : `${((rest.rps / bareSame.rps) * 100).toFixed(1)} %`);

    heading('targets');
    const restShare = bare.rps === 0 ? 0 : rest.rps / bare.rps;
    target('cached REST rps / bare rps', `${(restShare * 100).toFixed(1)} %`, '≥ 50 %', restShare >= 0.5);
    target(`MCP p99 at ${connections} connections`, `${mcp.p99} ms`, '< 20 ms', mcp.p99 < 20);
    if (rest.non2xx + rest.errors + mcp.non2xx + mcp.errors > 0) figure('note', 'some requests failed: the figures above are not comparable');
  } finally {
    await app.close();
    await bareApp.close();
    await sim.stop();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`http benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
