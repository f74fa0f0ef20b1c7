/**
 * schedule_compliance_audit, list_compliance_audits and delete_compliance_audit on the real app
 * over the simulator's demo organization: REST and MCP, the existing server's parameter aliases,
 * refusals with clear messages, owners seeing only their audits, annotations.
 */
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allTools } from '../../src/app.js';
import { deleteComplianceAudit } from '../../src/tools/delete-compliance-audit.js';
import { listComplianceAudits } from '../../src/tools/list-compliance-audits.js';
import { scheduleComplianceAudit } from '../../src/tools/schedule-compliance-audit.js';
import { isolateNetwork } from '../aws/helpers.js';
import { DEMO_ACCOUNTS, schemaErrors, startDemo, toolNamed } from '../e2e/harness.js';

isolateNetwork();

const ADMIN = 'admin-key-0123456789abcdef';
const CI = 'ci-key-0123456789abcdef01';
const demo = await startDemo({
  auth: { mode: 'api_key', api_keys: [{ id: 'admin', key: ADMIN }, { id: 'ci', key: CI }], key_accounts: { admin: null, ci: [DEMO_ACCOUNTS.production] } },
  scheduler: { enabled: false, webhook_allow_loopback: true, max_audits_per_principal: 3 },
});
t.teardown(() => demo.close());

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
async function post(name: string, args: unknown, key = ADMIN): Promise<Reply> {
  const res = await demo.app.inject({ method: 'POST', url: `/tools/${name}`, payload: JSON.stringify(args), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
  const body = res.json() as Record<string, unknown>;
  if (res.statusCode === 200) t.same(schemaErrors(toolNamed(allTools, name).outputSchema, body), [], `${name} output matches its schema`);
  return { status: res.statusCode, body };
}

interface Audit {
  id: string;
  name: string;
  schedule: string;
  time: string;
  timezone: string;
  day_of_week: string | null;
  day_of_month: number | null;
  recipients: string[];
  account_ids: string[] | null;
  resource_types: string[] | null;
  owner: string;
  next_run: string;
  next_run_local: string;
  last_run: unknown;
}

t.test('annotations are honest: schedule and delete change state, delete is destructive, list is read-only', async (t) => {
  t.equal(scheduleComplianceAudit.annotations.readOnlyHint, false);
  t.equal(scheduleComplianceAudit.annotations.destructiveHint, false);
  t.equal(deleteComplianceAudit.annotations.readOnlyHint, false);
  t.equal(deleteComplianceAudit.annotations.destructiveHint, true);
  t.equal(listComplianceAudits.annotations.readOnlyHint, true);
  t.equal(scheduleComplianceAudit.scans, true, 'scheduling makes the server scan: scan rate limit, finops:scan scope');
  t.equal(listComplianceAudits.scans, false);
  const names = allTools.map((x) => x.name);
  for (const name of ['schedule_compliance_audit', 'list_compliance_audits', 'delete_compliance_audit']) t.ok(names.includes(name), `${name} registered in allTools`);
  t.ok(names.indexOf('schedule_compliance_audit') < names.indexOf('list_compliance_audits') && names.indexOf('list_compliance_audits') < names.indexOf('delete_compliance_audit'), 'in schedule, list, delete order');
});

t.test('REST: schedule (weekly, Paris), list it with next_run, delete it; a second delete is a 404', async (t) => {
  const created = await post('schedule_compliance_audit', {
    schedule: 'weekly',
    day_of_week: 'wednesday',
    time: '8:05',
    timezone: 'europe/paris',
    account_ids: ['production', 'staging'],
    resource_types: ['ec2:instance'],
    recipients: ['https://hooks.slack.com/services/T111/B222/very-secret-token', 'http://127.0.0.1:9/hook'],
    notification_format: 'markdown',
    name: 'rest weekly',
  });
  t.equal(created.status, 200, String(created.body.message));
  const audit = created.body.audit as Audit;
  t.match(audit.id, /^aud_/);
  t.equal(audit.time, '08:05', 'time normalised');
  t.equal(audit.timezone, 'Europe/Paris', 'zone canonicalised');
  t.equal(audit.day_of_week, 'wednesday');
  t.equal(audit.owner, 'admin');
  t.same(audit.recipients, ['https://hooks.slack.com/…oken', 'http://127.0.0.1:9/…'], 'recipients redacted (short paths show nothing)');
  t.notMatch(JSON.stringify(created.body), /very-secret-token/, 'the webhook secret is never echoed');
  const next = new Date(audit.next_run);
  t.ok(next.getTime() > Date.now(), 'next_run is in the future');
  t.ok(next.getTime() - Date.now() <= 7 * 86_400_000, 'within a week');
  t.match(audit.next_run_local, /^\d{4}-\d\d-\d\d 08:05 Europe\/Paris \(UTC\+0[12]:00\)$/);
  t.equal(new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', weekday: 'long' }).format(next), 'Wednesday');
  t.match(created.body.note as string, /next run/);
  t.match(created.body.note as string, /does not run audits \(SCHEDULER_ENABLED=false\)/, 'says this replica will not run it');

  const listed = await post('list_compliance_audits', {});
  t.equal(listed.status, 200);
  const found = (listed.body.audits as Audit[]).find((a) => a.id === audit.id);
  t.equal(found?.next_run, audit.next_run);
  t.equal(found?.last_run, null);

  const deleted = await post('delete_compliance_audit', { id: audit.id });
  t.equal(deleted.status, 200);
  t.equal(deleted.body.deleted, true);
  t.equal((deleted.body.audit as Audit).id, audit.id);
  const again = await post('delete_compliance_audit', { id: audit.id });
  t.equal(again.status, 404);
  t.match(again.body.message, /No scheduled audit with id .* list_compliance_audits/);
  t.notOk(((await post('list_compliance_audits', {})).body.audits as Audit[]).some((a) => a.id === audit.id), 'gone from the list');
});

t.test('the existing server\'s names: schedule_type, time_of_day, timezone_str (and one-element arrays for enums)', async (t) => {
  const r = await post('schedule_compliance_audit', { schedule_type: ['monthly'], time_of_day: '23:45', timezone_str: 'America/New_York', day_of_month: 31, name: 'aliases', notification_format: ['json'] });
  t.equal(r.status, 200, String(r.body.message));
  const a = r.body.audit as Audit;
  t.equal(a.schedule, 'monthly');
  t.equal(a.time, '23:45');
  t.equal(a.timezone, 'America/New_York');
  t.equal(a.day_of_month, 31);
  t.equal(a.account_ids, null, 'no account_ids: the server\'s own account');
  await post('delete_compliance_audit', { name: 'aliases' });
});

t.test('refusals say what to fix', async (t) => {
  const cases: [Record<string, unknown>, number, RegExp][] = [
    [{ timezone: 'Mars/Olympus' }, 400, /Unknown time zone "Mars\/Olympus": use an IANA name/],
    [{ time: '25:00' }, 400, /time/],
    [{ schedule: 'hourly' }, 400, /"hourly" is not a supported schedule \(allowed: daily, weekly, monthly\)/],
    [{ schedule: 'daily', day_of_week: 'monday' }, 400, /day_of_week only applies to weekly schedules/],
    [{ schedule: 'weekly', day_of_month: 3 }, 400, /day_of_month only applies to monthly schedules/],
    [{ recipients: ['ops@example.com'] }, 400, /e-mail recipients need an SMTP server.*AUDIT_SMTP_URL/],
    [{ recipients: ['http://hooks.example.com/x'] }, 400, /must use https:\/\//],
    [{ recipients: ['https://10.1.2.3/hook'] }, 400, /private or link-local address/],
    [{ recipients: ['https://169.254.169.254/latest'] }, 400, /private or link-local/],
    [{ recipients: ['https://user:pw@hooks.example.com/x'] }, 400, /credentials in the URL/],
    [{ recipients: ['ftp://example.com/x'] }, 400, /only https:\/\/ webhooks/],
    [{ recipients: ['not a url'] }, 400, /expected a webhook URL \(https:\/\/…\) or an e-mail address/],
    [{ resource_types: ['ec2:nonsense'] }, 400, /Unknown resource type/],
    [{ account_ids: ['no-such-account'] }, 400, /no-such-account|No account/],
  ];
  for (const [args, status, message] of cases) {
    const r = await post('schedule_compliance_audit', { name: 'refused', ...args });
    t.equal(r.status, status, JSON.stringify(args));
    t.match(String(r.body.message), message, JSON.stringify(args));
  }
  t.notOk(((await post('list_compliance_audits', {})).body.audits as Audit[]).some((a) => a.name === 'refused'), 'nothing stored');
});

t.test('names are unique per owner; a principal sees and deletes only its own audits, within its accounts', async (t) => {
  const mine = await post('schedule_compliance_audit', { name: 'shared-name', account_ids: ['production'] }, CI);
  t.equal(mine.status, 200, String(mine.body.message));
  const dup = await post('schedule_compliance_audit', { name: 'shared-name', account_ids: ['production'] }, CI);
  t.equal(dup.status, 409);
  t.match(dup.body.message, /already have a scheduled audit named "shared-name"/);
  const forbidden = await post('schedule_compliance_audit', { name: 'ci-staging', account_ids: ['staging'] }, CI);
  t.equal(forbidden.status, 403, 'ci may not schedule an account it may not scan');
  const noAccounts = await post('schedule_compliance_audit', { name: 'ci-own' }, CI);
  t.equal(noAccounts.status, 403, 'nor the server\'s own account');
  const admins = await post('schedule_compliance_audit', { name: 'shared-name' });
  t.equal(admins.status, 200, 'another owner may reuse the name');

  const ciList = await post('list_compliance_audits', {}, CI);
  t.same((ciList.body.audits as Audit[]).map((a) => a.owner), ['ci'], 'ci sees only its own');
  const adminList = await post('list_compliance_audits', {});
  t.ok((adminList.body.audits as Audit[]).some((a) => a.owner === 'ci'), 'the unrestricted admin sees every audit');
  t.match(adminList.body.note, /audits of every principal/);

  const adminId = (admins.body.audit as Audit).id;
  const ciDeletesAdmin = await post('delete_compliance_audit', { id: adminId }, CI);
  t.equal(ciDeletesAdmin.status, 404, 'another principal\'s audit is not found (not revealed)');
  const byName = await post('delete_compliance_audit', { name: 'shared-name' }, CI);
  t.equal(byName.status, 200);
  t.equal((byName.body.audit as Audit).owner, 'ci', 'by name: the caller\'s own first');
  t.equal((await post('delete_compliance_audit', { id: adminId })).status, 200);
  const neither = await post('delete_compliance_audit', {});
  t.equal(neither.status, 400);
  t.match(neither.body.message, /exactly one of id or name/);
});

t.test('at most SCHEDULER_MAX_AUDITS_PER_PRINCIPAL audits; list pages with next_cursor', async (t) => {
  for (const n of [1, 2, 3]) t.equal((await post('schedule_compliance_audit', { name: `cap-${n}`, account_ids: ['production'] }, CI)).status, 200);
  const over = await post('schedule_compliance_audit', { name: 'cap-4', account_ids: ['production'] }, CI);
  t.equal(over.status, 409);
  t.match(over.body.message, /SCHEDULER_MAX_AUDITS_PER_PRINCIPAL/);
  const first = await post('list_compliance_audits', { limit: 2 }, CI);
  t.same((first.body.audits as Audit[]).map((a) => a.name), ['cap-1', 'cap-2']);
  t.equal(first.body.total, 3);
  t.type(first.body.next_cursor, 'string');
  const second = await post('list_compliance_audits', { limit: 2, cursor: first.body.next_cursor }, CI);
  t.same((second.body.audits as Audit[]).map((a) => a.name), ['cap-3']);
  t.equal(second.body.next_cursor, null);
  for (const n of [1, 2, 3]) await post('delete_compliance_audit', { name: `cap-${n}` }, CI);
});

t.test('MCP: the three tools over Streamable HTTP, with aliases', async (t) => {
  const base = await demo.app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'audits', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { authorization: `Bearer ${ADMIN}` } } }));
  t.teardown(() => client.close());
  const { tools } = await client.listTools();
  const listed = tools.find((x) => x.name === 'delete_compliance_audit');
  t.equal(listed?.annotations?.destructiveHint, true);
  const made = (await client.callTool({ name: 'schedule_compliance_audit', arguments: { schedule_type: 'weekly', time_of_day: '09:15', timezone_str: 'Asia/Tokyo', day_of_week: 'friday', name: 'mcp-audit' } })) as CallToolResult;
  t.equal(made.isError, undefined, JSON.stringify(made.content));
  const audit = (made.structuredContent as { audit: Audit }).audit;
  t.equal(audit.timezone, 'Asia/Tokyo');
  t.match(audit.next_run_local, / 09:15 Asia\/Tokyo \(UTC\+09:00\)$/);
  const list = (await client.callTool({ name: 'list_compliance_audits', arguments: { recent_runs: 2 } })) as CallToolResult; // the SDK client checks structuredContent against outputSchema
  t.ok((list.structuredContent as { audits: Audit[] }).audits.some((a) => a.id === audit.id));
  const del = (await client.callTool({ name: 'delete_compliance_audit', arguments: { id: audit.id } })) as CallToolResult;
  t.equal(del.isError, undefined);
  const gone = (await client.callTool({ name: 'delete_compliance_audit', arguments: { id: audit.id } })) as CallToolResult;
  t.equal(gone.isError, true, 'unknown id: an MCP tool error');
  const text = gone.content[0];
  t.match(text !== undefined && text.type === 'text' ? text.text : '', /No scheduled audit with id/);
});

t.test('list: a run left "running" for over an hour is pointed out', async (t) => {
  const store = demo.app.history.audits;
  if (store === undefined) throw new Error('no audit store');
  const s = await store.createAuditSchedule({
    name: 'stuck',
    owner: 'admin',
    owner_allowed_accounts: null,
    frequency: 'daily',
    time_of_day: '03:00',
    timezone: 'UTC',
    day_of_week: null,
    day_of_month: null,
    account_ids: null,
    resource_types: null,
    recipients: [],
    notification_format: 'slack',
    created_at: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  });
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
  t.ok(await store.claimAuditOccurrence(s.id, twoHoursAgo, 'gone-replica', twoHoursAgo));
  const listed = await post('list_compliance_audits', {});
  t.match(listed.body.note, /1 audit shows a run still "running" after more than an hour/);
  t.equal(((listed.body.audits as Audit[]).find((a) => a.id === s.id)?.last_run as { status: string } | null)?.status, 'running');
  t.equal((await post('delete_compliance_audit', { id: s.id })).status, 200);
});
