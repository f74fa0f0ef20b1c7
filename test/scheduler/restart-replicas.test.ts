/**
 * Schedules survive restarts (SQLite file), a missed occurrence runs once at start-up inside the
 * grace window and not after it, and with several replicas each occurrence runs exactly once:
 * two apps on one Redis + one SQLite file (the Redis lock decides), two apps on one PostgreSQL
 * without Redis (the store claim decides). Redis/PostgreSQL cases skip with a notice when the
 * service is absent, unless CI=true.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startSimulator } from '../../src/simulator/server.js';
import { demoOrganization } from '../../src/simulator/demo-org.js';
import { nextRun } from '../../src/scheduler/next-run.js';
import { isolateNetwork } from '../aws/helpers.js';
import { runPrefix, sharedRedisOrSkip, SHARED_REDIS_URL } from '../cache/redis-helpers.js';
import { pgSkipReason, pgTestDatabase } from '../store/postgres-harness.js';
import { call, Clock, minuteNow, schedulerApp, wallTime, webhookReceiver } from './helpers.js';

isolateNetwork();

const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
t.teardown(() => sim.stop());
const dir = mkdtempSync(join(tmpdir(), 'scheduler-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const pgSkip = await pgSkipReason();

interface Audit {
  id: string;
  run_count: number;
  last_run: { status: string; occurrence: string; claimed_by?: string } | null;
}

t.test('restart: the schedule is still there and fires; an occurrence missed while down runs once at start-up', async (t) => {
  const clock = new Clock(minuteNow());
  const path = join(dir, 'restart.db');
  const hook = await webhookReceiver();
  t.teardown(() => hook.close());
  const first = await schedulerApp(sim, clock, { history: { db_path: path } });
  const at = new Date(clock.now().getTime() + 2 * 60_000);
  const made = await call(first, 'schedule_compliance_audit', { time: wallTime(at, 'Europe/Berlin'), timezone: 'Europe/Berlin', account_ids: ['staging'], recipients: [`${hook.url}/restart`], name: 'survives' });
  t.equal(made.status, 200, String(made.body.message));
  const id = (made.body.audit as Audit).id;
  await first.close();

  clock.advance(10 * 60_000); // the occurrence passes while no replica runs
  const second = await schedulerApp(sim, clock, { history: { db_path: path } });
  t.teardown(() => second.close());
  await second.auditScheduler.idle(); // the start-up (catch-up) tick
  const listed = (await call(second, 'list_compliance_audits', {})).body.audits as Audit[];
  t.same(listed.map((a) => a.id), [id], 'the schedule survived the restart');
  t.equal(listed[0]?.last_run?.status, 'succeeded', 'the missed occurrence ran at start-up');
  t.equal(listed[0]?.last_run?.occurrence, at.toISOString());
  t.equal(hook.received.length, 1);
  t.same((await second.auditScheduler.tick()).ran, [], 'and only once');

  clock.set(new Date(nextRun({ frequency: 'daily', time_of_day: wallTime(at, 'Europe/Berlin'), timezone: 'Europe/Berlin', day_of_week: null, day_of_month: null }, at).getTime() + 1_000));
  t.equal((await second.auditScheduler.tick()).ran.length, 1, 'the next day it fires on the restarted app');
  t.equal(hook.received.length, 2);
});

t.test('a missed occurrence older than SCHEDULER_GRACE_MINUTES is skipped; the next one runs', async (t) => {
  const clock = new Clock(minuteNow());
  const path = join(dir, 'grace.db');
  const settings = { history: { db_path: path }, scheduler: { grace_minutes: 5, tick_seconds: 60 } }; // window = max(grace, two ticks) = 5 min
  const first = await schedulerApp(sim, clock, settings);
  const at = new Date(clock.now().getTime() + 60_000);
  const made = await call(first, 'schedule_compliance_audit', { time: wallTime(at, 'UTC'), account_ids: ['staging'], name: 'too-late' });
  const id = (made.body.audit as Audit).id;
  await first.close();

  clock.advance(60_000 + 6 * 60_000); // six minutes late, grace is five
  const second = await schedulerApp(sim, clock, settings);
  t.teardown(() => second.close());
  await second.auditScheduler.idle();
  const audit = ((await call(second, 'list_compliance_audits', {})).body.audits as Audit[])[0];
  t.equal(audit?.id, id);
  t.equal(audit?.run_count, 0, 'not run: outside the grace window');
  const next = new Date(at.getTime() + 86_400_000); // UTC: no DST
  clock.set(next);
  const report = await second.auditScheduler.tick();
  t.same(report.ran.map((r) => r.occurrence), [next.toISOString()], 'the next occurrence runs as usual');
});

t.test('two replicas on one Redis and one SQLite file: each occurrence runs once (Redis lock)', async (t) => {
  if (!(await sharedRedisOrSkip(t, 'scheduler replicas on Redis'))) return;
  const clock = new Clock(minuteNow());
  const path = join(dir, 'replicas.db');
  const settings = { history: { db_path: path }, cache: { redis_url: SHARED_REDIS_URL, redis_key_prefix: runPrefix('sched') } };
  const hook = await webhookReceiver();
  t.teardown(() => hook.close());
  const a = await schedulerApp(sim, clock, settings, { instanceId: 'replica-a' });
  const b = await schedulerApp(sim, clock, settings, { instanceId: 'replica-b' });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  t.not(a.redis, null, 'the replicas use Redis');
  const at = new Date(clock.now().getTime() + 60_000);
  for (const [app, name] of [[a, 'one'], [b, 'two']] as const) {
    const made = await call(app, 'schedule_compliance_audit', { time: wallTime(at, 'UTC'), account_ids: ['staging'], recipients: [`${hook.url}/${name}`], name });
    t.equal(made.status, 200, String(made.body.message));
  }
  clock.advance(60_000);
  for (let round = 0; round < 3; round++) {
    const [ra, rb] = await Promise.all([a.auditScheduler.tick(), b.auditScheduler.tick()]);
    if (round === 0) {
      t.equal(ra.ran.length + rb.ran.length, 2, 'both audits ran, between the two replicas');
      const skipped = [...ra.skipped, ...rb.skipped];
      t.equal(skipped.length, 2, 'each replica stood back once');
      t.same(skipped.map((s) => s.reason), ['another replica holds the occurrence (Redis lock)', 'another replica holds the occurrence (Redis lock)'], 'the Redis lock decided');
    } else {
      t.equal(ra.ran.length + rb.ran.length, 0, `round ${round}: nothing runs again`);
    }
  }
  t.same(hook.received.map((r) => r.path).sort(), ['/one', '/two'], 'one notification per audit');
  const audits = (await call(a, 'list_compliance_audits', {})).body.audits as Audit[];
  t.same(audits.map((x) => x.run_count), [1, 1]);
});

t.test('two replicas on one PostgreSQL history, no Redis: each occurrence runs once (store claim)', { skip: pgSkip }, async (t) => {
  const db = await pgTestDatabase(t);
  const clock = new Clock(minuteNow());
  const settings = { history: { database_url: db.url } };
  const hook = await webhookReceiver();
  t.teardown(() => hook.close());
  const a = await schedulerApp(sim, clock, settings, { instanceId: 'pg-a' });
  const b = await schedulerApp(sim, clock, settings, { instanceId: 'pg-b' });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  t.equal(a.redis, null, 'no Redis');
  const at = new Date(clock.now().getTime() + 60_000);
  const made = await call(a, 'schedule_compliance_audit', { time: wallTime(at, 'Australia/Sydney'), timezone: 'Australia/Sydney', account_ids: ['staging'], recipients: [`${hook.url}/pg`], name: 'pg' });
  t.equal(made.status, 200, String(made.body.message));
  t.equal(((await call(b, 'list_compliance_audits', {})).body.audits as Audit[]).length, 1, 'the other replica sees the schedule');
  clock.advance(60_000);
  const [ra, rb] = await Promise.all([a.auditScheduler.tick(), b.auditScheduler.tick()]);
  t.equal(ra.ran.length + rb.ran.length, 1, 'ran once');
  t.same([...ra.skipped, ...rb.skipped].map((s) => s.reason), ['already claimed (another replica or an earlier start ran it)']);
  t.equal(hook.received.length, 1);
  const rows = await db.query<{ claimed_by: string; status: string }>('SELECT claimed_by, status FROM audit_runs');
  t.equal(rows.length, 1);
  t.ok(['pg-a', 'pg-b'].includes(rows[0]?.claimed_by ?? ''), `claimed by ${rows[0]?.claimed_by}`);
  t.equal(rows[0]?.status, 'succeeded');
});
