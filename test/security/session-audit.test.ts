/**
 * Per MCP session: the tool-call budget and repeated-identical-call detection (isError telling
 * the model to stop); audit events for every call (main log or AUDIT_LOG_PATH) without secrets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SessionCallLimits, stableStringify } from '../../src/auth/call-limits.js';
import { requestedAccounts, summariseArguments, touchedAccounts } from '../../src/audit/summary.js';
import { isolateNetwork } from '../helpers/network.js';
import { API_KEYS, KEYS, auditLines, bearer, secretScan, securedApp } from './helpers.js';

isolateNetwork();

const textOf = (r: unknown): string => ((r as { content?: { text?: string }[] }).content ?? [])[0]?.text ?? '';

async function mcpClient(base: string, key: string): Promise<Client> {
  const client = new Client({ name: 'session', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: bearer(key) } }));
  return client;
}

t.test('stableStringify ignores key order', async (t) => {
  t.equal(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] }), stableStringify({ a: [{ c: 3, d: 2 }], b: 1 }));
  t.equal(stableStringify({ a: 1, u: undefined }), '{"a":1}');
});

t.test('SessionCallLimits: repeat window and budget', async (t) => {
  let now = 0;
  const s = new SessionCallLimits({ budget: 4, repeatLimit: 2, repeatWindowMs: 1000, forgetAfterMs: 10_000, now: () => now });
  t.equal(s.check('s1', 'x', { a: 1 }), null);
  s.record('s1', 'x', { a: 1 });
  s.record('s1', 'x', { a: 1 });
  t.match(s.check('s1', 'x', { a: 1 }), /^Stop repeating this call: x was already called 2 times/);
  t.equal(s.check('s1', 'x', { a: 2 }), null, 'other arguments are fine');
  t.equal(s.check('s2', 'x', { a: 1 }), null, 'other sessions are not affected');
  now = 1000;
  t.equal(s.check('s1', 'x', { a: 1 }), null, 'outside the window again');
  s.record('s1', 'y', {});
  s.record('s1', 'z', {});
  t.equal(s.used('s1'), 4);
  t.match(s.check('s1', 'w', {}), /^This MCP session has used its budget of 4 tool calls/);
});

t.test('MCP: repeated identical calls and the session budget end in isError results', async (t) => {
  const { app, lines } = await securedApp({
    auth: { mode: 'api_key', api_keys: API_KEYS },
    security: { repeat_call_limit: 2, session_tool_call_budget: 4 },
  });
  t.teardown(() => app.close());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = await mcpClient(base, KEYS.alice);
  t.teardown(() => client.close());
  const args = { account_ids: ['111111111111'], limit: 3 };
  t.equal((await client.callTool({ name: 'echo_scope', arguments: args })).isError, undefined);
  t.equal((await client.callTool({ name: 'echo_scope', arguments: { limit: 3, account_ids: ['111111111111'] } })).isError, undefined);
  const third = await client.callTool({ name: 'echo_scope', arguments: args });
  t.equal(third.isError, true);
  t.equal(
    textOf(third),
    'Stop repeating this call: echo_scope was already called 2 times with exactly these arguments in the last 600 seconds, and the answer will not change. To get the next page, pass the next_cursor of the previous answer as cursor; otherwise change the arguments or answer with what you have.',
  );
  t.equal((await client.callTool({ name: 'echo_scope', arguments: { limit: 4 } })).isError, undefined);
  t.equal((await client.callTool({ name: 'echo_scope', arguments: { limit: 5 } })).isError, undefined);
  const over = await client.callTool({ name: 'echo_scope', arguments: { limit: 6 } });
  t.equal(over.isError, true);
  t.equal(textOf(over), 'This MCP session has used its budget of 4 tool calls (MCP_SESSION_TOOL_CALL_BUDGET). Stop calling tools: summarise what you have for the user, or start a new session if they ask for more.');

  // A new session starts with a fresh budget.
  const fresh = await mcpClient(base, KEYS.alice);
  t.teardown(() => fresh.close());
  t.equal((await fresh.callTool({ name: 'echo_scope', arguments: { limit: 6 } })).isError, undefined);

  // Audit: one event per call, with outcome, principal, session and argument summary.
  const events = auditLines(lines);
  t.equal(events.length, 7);
  const first = events[0] ?? {};
  t.equal(first.principal, 'alice');
  t.equal(first.tool, 'echo_scope');
  t.equal(first.via, 'mcp');
  t.equal(first.outcome, 'ok');
  t.equal(first.status, 200);
  t.type(first.session_id, 'string');
  t.same(first.arguments, { account_ids: { type: 'array', length: 1 }, limit: { type: 'number', value: 3 } });
  t.same(first.accounts_requested, ['111111111111']);
  t.type(first.duration_ms, 'number');
  t.same(events.map((e) => e.outcome), ['ok', 'ok', 'refused', 'ok', 'ok', 'refused', 'ok']);
  t.same(events.map((e) => e.error_code), [null, null, 'session_limit', null, null, 'session_limit', null]);
  const scan = secretScan();
  for (const l of lines) scan.check(t, 'log', l);
});

t.test('REST audit events carry the request id; AUDIT_LOG_PATH writes them to their own file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'audit.log');
  const { app, lines } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS }, security: { audit_log_path: path } });
  const ok = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...bearer(KEYS.admin), 'x-request-id': 'req-audit-1' }, payload: { regions: ['us-east-1'] } });
  const failed = await app.inject({ method: 'POST', url: '/tools/explode', headers: bearer(KEYS.admin), payload: {} });
  t.equal(ok.statusCode, 200);
  t.equal(failed.statusCode, 500);
  await app.close();
  t.same(auditLines(lines), [], 'not in the main log');
  const events = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(events.length, 2);
  t.match(events[0], { audit: true, principal: 'admin', tool: 'echo_scope', via: 'rest', request_id: 'req-audit-1', outcome: 'ok', status: 200, session_id: null, arguments: { regions: { type: 'array', length: 1 } } });
  t.match(events[1], { principal: 'admin', tool: 'explode', outcome: 'error', status: 500, error_code: 'internal_error' });
  const scan = secretScan(['hunter2']);
  for (const l of readFileSync(path, 'utf8').split('\n')) scan.check(t, 'audit line', l);
  scan.check(t, 'error body', failed.body);
});

t.test('argument summaries never copy strings', async (t) => {
  t.same(summariseArguments({ cursor: 'secret-ish', n: 2, f: true, o: { a: 1 }, z: null }), {
    cursor: { type: 'string', length: 10 },
    n: { type: 'number', value: 2 },
    f: { type: 'boolean', value: true },
    o: { type: 'object', length: 1 },
    z: { type: 'null' },
  });
  t.same(requestedAccounts({ account_ids: ['111111111111', 'prod-name', 'ALL'] }), ['111111111111', 'ALL']);
  t.same(touchedAccounts({ account_metadata: { successful_accounts: ['222222222222', '111111111111'], failed_accounts: ['333333333333'], partial_accounts: [] } }), ['111111111111', '222222222222', '333333333333']);
  t.same(touchedAccounts({ total: 1 }), []);
});
