/**
 * HTTP benchmark: autocannon (in a child process, so the load generator does not share the
 * server's event loop) against, in one run and one process:
 *   1. a bare Fastify route (POST /bare → tiny JSON): the ceiling of this machine right now;
 *   2. a cached `POST /tools/check_tag_compliance` (inventory and costs from the result cache:
 *      every request still evaluates the policy, aggregates and pages the answer);
 *   3. the same call as MCP `tools/call` over Streamable HTTP in one session (Mcp-Session-Id from
 *      an initialize; unique JSON-RPC ids per request).
 * Prints requests/s, p50/p99 latency and each target's ratio to the bare route.
 *
 *   node dist/bench/http.js --duration 3 --connections 50
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { DEFAULT_ROLE_NAME, generateOrganization } from '../src/simulator/generate.js';
import { startSimulator } from '../src/simulator/server.js';
import { Flags } from './lib/args.js';
import { POLICY_PATH } from './lib/paths.js';
import { figure, fmt, heading, target } from './lib/print.js';

interface CannonResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

interface Target {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Replace `[<id>]` in the body with a unique id per request. */
  ids?: boolean;
}

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon');

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** Run autocannon's CLI with --json and read its figures. */
function cannon(t: Target, connections: number, durationS: number): Promise<CannonResult> {
  const args = [AUTOCANNON, '-j', '-c', String(connections), '-d', String(durationS), '-m', 'POST', '-b', t.body];
  for (const [k, v] of Object.entries(t.headers)) args.push('-H', `${k}=${v}`);
  if (t.ids === true) args.push('-I');
  args.push(t.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${String(code)}: ${err.slice(0, 500)}`));
      try {
        const parsed: unknown = JSON.parse(out.trim().split('\n').pop() ?? '');
        resolve({
          rps: num(field(field(parsed, 'requests'), 'average')),
          p50: num(field(field(parsed, 'latency'), 'p50')),
          p99: num(field(field(parsed, 'latency'), 'p99')),
          total: num(field(field(parsed, 'requests'), 'total')),
          non2xx: num(field(parsed, 'non2xx')),
          errors: num(field(parsed, 'errors')) + num(field(parsed, 'timeouts')),
        });
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
  figure(label, `${fmt(Math.round(r.rps))} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  n=${fmt(r.total)}${r.non2xx + r.errors > 0 ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ''}${ratio}`);
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
  });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  const bareApp = Fastify({ logger: false });
  bareApp.post('/bare', async () => ({ ok: true }));
  try {
    const base = await listen(app);
    const bareBase = await listen(bareApp);
    const args = { account_ids: ['all'], limit: 50 };
    // Fill the caches (inventory, costs) once; every measured call is then a cached answer.
    const warm = await fetch(`${base}/tools/check_tag_compliance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    const warmBody = (await warm.json()) as { total_resources?: number };
    if (warm.status !== 200) throw new Error(`warm-up check_tag_compliance answered ${warm.status}`);
    const session = await openSession(base);
    sim.resetStats();

    heading(`http: ${connections} connections, ${duration} s per target, check_tag_compliance over ${fmt(warmBody.total_resources ?? 0)} cached resources`);
    const bare = await cannon({ url: `${bareBase}/bare`, body: JSON.stringify(args), headers: { 'content-type': 'application/json' } }, connections, duration);
    line('bare Fastify route', bare, null);
    const rest = await cannon({ url: `${base}/tools/check_tag_compliance`, body: JSON.stringify(args), headers: { 'content-type': 'application/json' } }, connections, duration);
    line('REST check_tag_compliance (cached)', rest, bare);
    const rpc = `{"jsonrpc":"2.0","id":"[<id>]","method":"tools/call","params":{"name":"check_tag_compliance","arguments":${JSON.stringify(args)}}}`;
    const mcp = await cannon({ url: `${base}/mcp`, body: rpc, headers: { ...MCP_HEADERS, 'mcp-session-id': session.id, 'mcp-protocol-version': session.version }, ids: true }, connections, duration);
    line('MCP tools/call (session, cached)', mcp, bare);
    // Service time without queueing: one connection, one second.
    const single = await cannon({ url: `${base}/tools/check_tag_compliance`, body: JSON.stringify(args), headers: { 'content-type': 'application/json' } }, 1, 1);
    line('REST cached, 1 connection (service time)', single, null);
    const s = sim.stats();
    figure('AWS calls during the run (after warm-up)', Object.values(s.calls).reduce((a, b) => a + b, 0));

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
