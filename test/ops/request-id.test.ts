/**
 * Correlation: an X-Request-Id sent in comes back, is on every log line of the request (its scan
 * included) and in the MCP tool result's _meta; one is generated when none is sent.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LoggerOptions } from 'pino';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { loggerOptions } from '../../src/logging.js';
import { startSimulator } from '../../src/simulator/server.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { isolateNetwork } from '../helpers/network.js';

isolateNetwork();

type Line = Record<string, unknown>;

async function start(t: { teardown(fn: () => Promise<void>): void }) {
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const config = testConfig({ log_level: 'info', aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } }, multi_account: { enabled: true, discovery: 'organizations' } });
  const logger = { ...loggerOptions(config), stream } as LoggerOptions;
  const app = await buildApp({ config, logger, policy: { watch: false } });
  t.teardown(async () => {
    await app.close();
    await sim.stop();
  });
  return { app, lines };
}

t.test('REST: the id sent in is echoed and on every line of the request and its scan', async (t) => {
  const { app, lines } = await start(t);
  const res = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['all'] }, headers: { 'x-request-id': 'ops-test-42' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-request-id'], 'ops-test-42');
  const mine = lines.filter((l) => l.reqId === 'ops-test-42');
  const started = mine.find((l) => typeof l.msg === 'string' && l.msg.startsWith('scan started'));
  const finished = mine.find((l) => typeof l.msg === 'string' && l.msg.startsWith('scan finished'));
  const accounts = mine.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('account scan '));
  t.ok(started, 'scan start line carries the id');
  t.ok(finished, 'scan end line carries the id');
  const n = Object.keys(DEMO_ACCOUNTS).length;
  t.equal(accounts.length, n, 'one line per account, each with the id');
  t.match(started, { level: 30, accounts: Array, resource_types: Array, regions: 'enabled' });
  t.match(finished, { level: 30, data_quality: 'partial', accounts: n, accounts_failed: 1, aws_calls: Number, throttles: 0, duration_ms: Number, resources: Number });
  for (const a of accounts) t.match(a, { level: 30, account_id: String, status: String, duration_ms: Number, resources: Number, aws_calls: Number, throttles: 0 });
  const perAccount = accounts.reduce((n, a) => n + Number(a.aws_calls), 0);
  t.ok(Number(finished?.aws_calls) >= perAccount, 'the scan total includes every account');
  t.notOk(lines.some((l) => l.msg === 'cell finished'), 'per-cell detail only at debug');
  t.match(mine.find((l) => l.audit === true), { tool: 'check_tag_compliance', request_id: 'ops-test-42' }, 'the audit event carries the id');
  const completed = mine.find((l) => l.msg === 'request completed');
  t.ok(completed, 'the request lines carry the id');

  const other = await app.inject({ method: 'GET', url: '/ready' });
  t.match(other.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'generated when none is sent');
  t.equal((await app.inject({ method: 'GET', url: '/ready', headers: { 'x-request-id': 'bad id with spaces' } })).headers['x-request-id'] === 'bad id with spaces', false, 'an unsafe id is replaced');
});

t.test('MCP: the id of the HTTP request carrying tools/call is in the result _meta and its log lines', async (t) => {
  const { app, lines } = await start(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  let n = 0;
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${address.port}/mcp`), {
    fetch: (url, init) => {
      n += 1;
      const headers = new Headers(init?.headers);
      headers.set('x-request-id', `mcp-call-${n}`);
      return fetch(url, { ...init, headers });
    },
  });
  const client = new Client({ name: 'ops-test', version: '1.0.0' });
  await client.connect(transport);
  t.teardown(() => client.close());
  const before = n;
  const result = await client.callTool({ name: 'get_tagging_policy', arguments: {} });
  const id = `mcp-call-${before + 1}`;
  t.same(result._meta, { request_id: id }, 'the call request id, not the session-opening one');
  const failed = await client.callTool({ name: 'check_tag_compliance', arguments: { resource_types: ['nope:thing'] } });
  t.equal(failed.isError, true);
  t.same(failed._meta, { request_id: `mcp-call-${before + 2}` }, 'errors carry it too');
  t.ok(lines.some((l) => l.reqId === `mcp-call-${before + 2}` && l.msg === 'tool call failed'), 'the failure log line has the call id');
  t.ok(lines.some((l) => l.audit === true && l.tool === 'get_tagging_policy' && l.request_id === id), 'the MCP audit event has the call id');
});
