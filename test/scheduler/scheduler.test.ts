/**
 * Scheduled audits really run: under a movable clock against the simulator's demo organization,
 * a due occurrence runs check_tag_compliance once, stores a snapshot (get_violation_history sees
 * it), posts the Slack-compatible summary to a loopback webhook, and records the run; failures
 * (webhook errors and timeouts, a scan that cannot run) are recorded, never fatal; secrets in
 * webhook URLs never reach the logs.
 */
import t from 'tap';
import { startSimulator } from '../../src/simulator/server.js';
import { demoOrganization, DEMO_ACCOUNTS } from '../../src/simulator/demo-org.js';
import type { AuditScheduleStore } from '../../src/store/types.js';
import { nextRun } from '../../src/scheduler/next-run.js';
import { isolateNetwork } from '../aws/helpers.js';
import { call, Clock, freePort, minuteNow, schedulerApp, wallTime, webhookReceiver, type LogLine } from './helpers.js';

isolateNetwork();

const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
t.teardown(() => sim.stop());

interface Run {
  status: string;
  occurrence: string;
  snapshot_id: string | null;
  compliance_score: number | null;
  total_resources: number | null;
  compliant_resources: number | null;
  error: string | null;
  notifications: { recipient: string; ok: boolean; status: number | null; error: string | null }[];
}
interface Audit {
  id: string;
  next_run: string;
  run_count: number;
  last_run: Run | null;
  recent_runs?: Run[];
}

function audits(store: AuditScheduleStore | undefined): AuditScheduleStore {
  if (store === undefined) throw new Error('no audit store');
  return store;
}

t.test('a due audit runs once at its local time: scan, snapshot, Slack webhook, run record', async (t) => {
  const clock = new Clock(minuteNow());
  const logs: LogLine[] = [];
  const app = await schedulerApp(sim, clock, {}, { logs });
  t.teardown(() => app.close());
  const hook = await webhookReceiver();
  t.teardown(() => hook.close());
  const zone = 'America/New_York';
  const at = new Date(clock.now().getTime() + 2 * 60_000);
  const secretUrl = `${hook.url}/services/T1/B2/s3cr3t-token-value?key=qu3ry-s3cret`;
  const made = await call(app, 'schedule_compliance_audit', {
    schedule: 'daily',
    time: wallTime(at, zone),
    timezone: zone,
    account_ids: ['production', 'staging'],
    recipients: [secretUrl],
    notification_format: 'slack',
    name: 'fires',
  });
  t.equal(made.status, 200, String(made.body.message));
  const audit = made.body.audit as Audit;
  t.equal(audit.next_run, at.toISOString(), 'next_run is the wall time in New York');

  t.same((await app.auditScheduler.tick()).ran, [], 'not yet due');
  clock.advance(60_000);
  t.same((await app.auditScheduler.tick()).ran, [], 'still not due a minute before');
  t.equal(hook.received.length, 0);

  clock.advance(60_000 + 5_000);
  const report = await app.auditScheduler.tick();
  t.same(report.ran, [{ id: audit.id, occurrence: at.toISOString(), status: 'succeeded' }], 'ran exactly at the occurrence');
  t.equal(hook.received.length, 1, 'one notification');

  // The figures are those of check_tag_compliance over the same scope.
  const check = (await call(app, 'check_tag_compliance', { account_ids: ['production', 'staging'] })).body as { compliance_score: number; total_resources: number; compliant_resources: number; violation_count: number };
  const posted = hook.received[0];
  t.equal(posted?.path, '/services/T1/B2/s3cr3t-token-value?key=qu3ry-s3cret', 'posted to the URL as given');
  t.equal(posted?.headers['content-type'], 'application/json; charset=utf-8');
  const text = String(posted?.body.text);
  t.match(text, new RegExp(`^Compliance audit "fires": ${(Math.round(check.compliance_score * 1000) / 10).toFixed(1)}% compliant — ${check.compliant_resources}/${check.total_resources} resources, ${check.violation_count} violations, \\$[\\d,.]+/month unattributed$`));
  const blocks = posted?.body.blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[];
  t.equal(blocks[0]?.type, 'header');
  t.equal(blocks[0]?.text?.text, 'Tag compliance audit: fires');
  t.same(blocks[1]?.fields?.map((f) => f.text.split('\n')[0]), ['*Compliance*', '*Resources*', '*Violations*', '*Unattributed spend*']);
  t.equal(blocks[1]?.fields?.[1]?.text, `*Resources*\n${check.compliant_resources} of ${check.total_resources} compliant`);
  t.ok(blocks.some((b) => b.type === 'section' && /Lowest-scoring accounts/.test(b.text?.text ?? '')), 'per-account section (multi-account scope)');
  t.match(blocks[blocks.length - 1], { type: 'context' });

  const listed = await call(app, 'list_compliance_audits', { recent_runs: 5 });
  const mine = (listed.body.audits as Audit[]).find((a) => a.id === audit.id);
  t.equal(mine?.run_count, 1);
  const run = mine?.last_run;
  t.equal(run?.status, 'succeeded');
  t.equal(run?.occurrence, at.toISOString());
  t.equal(run?.total_resources, check.total_resources);
  t.equal(run?.compliance_score, check.compliance_score);
  t.type(run?.snapshot_id, 'string');
  t.same(run?.notifications, [{ recipient: `${hook.url}/…alue?…`, ok: true, status: 200, error: null }], 'delivery recorded, recipient redacted');
  const tomorrowAt = nextRun({ frequency: 'daily', time_of_day: wallTime(at, zone), timezone: zone, day_of_week: null, day_of_month: null }, at);
  t.equal(mine?.next_run, tomorrowAt.toISOString(), 'next run: tomorrow, same wall time');
  t.equal(wallTime(tomorrowAt, zone), wallTime(at, zone));

  const history = await call(app, 'get_violation_history', { days_back: 1 });
  const series = history.body.series as { snapshot_count: number; scope: { account_ids: string[] }; latest: { total_resources: number } }[];
  const ours = series.find((s) => s.scope.account_ids.join() === [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging].sort().join());
  t.equal(ours?.snapshot_count, 1, 'the run stored one history snapshot');
  t.equal(ours?.latest.total_resources, check.total_resources);

  t.same((await app.auditScheduler.tick()).ran, [], 'an occurrence runs once');
  clock.set(new Date(tomorrowAt.getTime() + 5_000));
  const tomorrow = await app.auditScheduler.tick();
  t.equal(tomorrow.ran.length, 1, 'the next day it runs again');
  t.equal(hook.received.length, 2);

  const all = JSON.stringify(logs);
  t.notMatch(all, /s3cr3t-token-value/, 'the webhook secret path is never logged');
  t.notMatch(all, /qu3ry-s3cret/, 'nor its query string');
  t.ok(logs.some((l) => l.msg === 'audit notification delivered' && l.recipient === `${hook.url}/…alue?…`), 'deliveries are logged redacted');
  t.ok(logs.some((l) => l.msg === 'scheduled audit finished' && l.status === 'succeeded'));
});

t.test('failed deliveries and failed scans are recorded, never fatal', async (t) => {
  const clock = new Clock(minuteNow());
  const app = await schedulerApp(sim, clock, { scheduler: { webhook_timeout_ms: 800 } });
  t.teardown(() => app.close());
  const failing = await webhookReceiver();
  failing.respond.status = 500;
  const hanging = await webhookReceiver();
  hanging.respond.hang = true;
  t.teardown(() => Promise.all([failing.close(), hanging.close()]));
  const at = new Date(clock.now().getTime() + 60_000);
  const store = audits(app.history.audits);
  const closedPort = await freePort();
  const ok = await store.createAuditSchedule({
    name: 'deliveries',
    owner: 'anonymous',
    owner_allowed_accounts: null,
    frequency: 'daily',
    time_of_day: wallTime(at, 'UTC'),
    timezone: 'UTC',
    day_of_week: null,
    day_of_month: null,
    account_ids: ['production'],
    resource_types: ['ec2:instance'],
    recipients: [`${failing.url}/a-long-secret-path`, `${hanging.url}/another-secret`, `http://127.0.0.1:${closedPort}/closed-port-hook`],
    notification_format: 'json',
    created_at: clock.now().toISOString(),
  });
  const broken = await store.createAuditSchedule({ ...(await store.getAuditSchedule(ok.id))!, name: 'ghost account', account_ids: ['no-such-account'], recipients: [`${failing.url}/x`], created_at: clock.now().toISOString() });
  const partial = await store.createAuditSchedule({ ...(await store.getAuditSchedule(ok.id))!, name: 'legacy', account_ids: ['legacy', 'production'], recipients: [], created_at: clock.now().toISOString() });
  clock.advance(60_000);
  const report = await app.auditScheduler.tick();
  t.same(report.ran.map((r) => [r.id, r.status]).sort(), [[ok.id, 'succeeded'], [broken.id, 'failed'], [partial.id, 'partial']].sort(), 'all three ran; statuses say what happened');

  const okRun = (await store.getAuditSchedule(ok.id))?.last_run;
  t.same(okRun?.notifications.map((n) => [n.ok, n.status, n.error]), [
    [false, 500, 'HTTP 500'],
    [false, null, 'no answer within 800 ms (WEBHOOK_TIMEOUT_MS)'],
    [false, null, 'ECONNREFUSED'],
  ]);
  t.equal(failing.received.length, 2, 'the json body reached the failing receiver (and the ghost audit\'s failure notice too)');
  const jsonBody = failing.received.find((r) => r.path === '/a-long-secret-path')?.body as { text: string; audit: { id: string; status: string; total_resources: number; data_quality_status: string } };
  t.equal(jsonBody.audit.id, ok.id);
  t.equal(jsonBody.audit.status, 'succeeded');
  t.type(jsonBody.audit.total_resources, 'number');

  const brokenRun = (await store.getAuditSchedule(broken.id))?.last_run;
  t.equal(brokenRun?.status, 'failed');
  t.match(brokenRun?.error, /no-such-account|No account/);
  t.equal(brokenRun?.snapshot_id, null);
  const failureNotice = failing.received.find((r) => r.path === '/x')?.body as { text: string };
  t.match(failureNotice.text, /^Compliance audit "ghost account" failed: /, 'the failure itself is notified');

  const partialRun = (await store.getAuditSchedule(partial.id))?.last_run;
  t.equal(partialRun?.data_quality_status, 'partial', 'legacy refuses the role: partial data');
  t.type(partialRun?.snapshot_id, 'string', 'a partial run still stores its snapshot');

  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, 'the app is fine');
});

t.test('a recipient the configuration no longer accepts is reported, the others still delivered', async (t) => {
  const clock = new Clock(minuteNow());
  const app = await schedulerApp(sim, clock, { scheduler: { webhook_allowed_hosts: ['hooks.slack.com'] } });
  t.teardown(() => app.close());
  const hook = await webhookReceiver();
  t.teardown(() => hook.close());
  const at = new Date(clock.now().getTime() + 60_000);
  const store = audits(app.history.audits);
  const s = await store.createAuditSchedule({
    name: 'allow-list',
    owner: 'anonymous',
    owner_allowed_accounts: null,
    frequency: 'weekly',
    time_of_day: wallTime(at, 'Asia/Tokyo'),
    timezone: 'Asia/Tokyo',
    day_of_week: (['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const)[new Date(at.getTime() + 9 * 3_600_000).getUTCDay()] ?? 'monday',
    day_of_month: null,
    account_ids: ['production'],
    resource_types: ['s3:bucket'],
    recipients: [`${hook.url}/loopback-is-fine`, 'https://evil.example.net/hook', 'ops@example.com'],
    notification_format: 'markdown',
    created_at: clock.now().toISOString(),
  });
  clock.advance(60_000);
  t.equal((await app.auditScheduler.tick()).ran.length, 1);
  const run = (await store.getAuditSchedule(s.id))?.last_run;
  t.same(run?.notifications.map((n) => [n.recipient, n.ok]), [
    ['https://evil.example.net/…', false],
    ['o…@example.com', false],
    [`${hook.url}/…fine`, true],
  ]);
  t.match(run?.notifications[0]?.error, /not in AUDIT_WEBHOOK_ALLOWED_HOSTS/);
  t.match(run?.notifications[1]?.error, /AUDIT_SMTP_URL/);
  t.match(String(hook.received[0]?.body.text), /^\*Compliance audit "allow-list": /, 'markdown format: one text field');
  t.same(Object.keys(hook.received[0]?.body ?? {}), ['text']);
});

t.test('a deleted audit does not run; SCHEDULER_ENABLED=false stores schedules but never runs them', async (t) => {
  const clock = new Clock(minuteNow());
  const app = await schedulerApp(sim, clock, { scheduler: { enabled: false } });
  t.teardown(() => app.close());
  const at = new Date(clock.now().getTime() + 60_000);
  const made = await call(app, 'schedule_compliance_audit', { time: wallTime(at, 'UTC'), account_ids: ['production'], name: 'never' });
  t.equal(made.status, 200);
  t.equal(made.body.scheduler_enabled, false);
  clock.advance(120_000);
  t.same((await app.auditScheduler.tick()).ran, [], 'disabled: nothing runs');

  const on = await schedulerApp(sim, clock);
  t.teardown(() => on.close());
  const gone = await call(on, 'schedule_compliance_audit', { time: wallTime(new Date(clock.now().getTime() + 60_000), 'UTC'), account_ids: ['production'], name: 'deleted' });
  t.equal((await call(on, 'delete_compliance_audit', { name: 'deleted' })).status, 200);
  clock.advance(60_000);
  t.same((await on.auditScheduler.tick()).ran, [], `deleted audit ${(gone.body.audit as Audit).id} did not run`);
});
