/**
 * Scheduler pieces without the app: recipient rules and redaction, message formats, the
 * configuration variables, the tick loop's fallbacks (Redis down → store claim; a store that
 * cannot record the claim → retried next tick), the run principal, and the history wrapper
 * passing audits through.
 */
import pino from 'pino';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { countingHistoryStore } from '../../src/metrics/counting-history.js';
import { SCHEDULER_DEFAULTS } from '../../src/scheduler/config.js';
import { markdownText, webhookBody, type AuditMessageInput } from '../../src/scheduler/message.js';
import { guardedLookup } from '../../src/scheduler/notify.js';
import { isPrivateAddress, parseRecipients, redactRecipient } from '../../src/scheduler/recipients.js';
import { ownerRevocation, runAudit, runPrincipal } from '../../src/scheduler/runner.js';
import { createAuditScheduler, lookBackWindowMs } from '../../src/scheduler/scheduler.js';
import { createMemoryHistoryStore } from '../../src/store/memory.js';
import type { AuditRunResult, AuditSchedule } from '../../src/store/types.js';
import { runResult, scheduleInput } from '../store/audit-contract.js';

const logger = pino({ level: 'silent' });

t.test('recipients: https to public hosts, loopback only when allowed, allow-list with wildcards', async (t) => {
  const cfg = SCHEDULER_DEFAULTS;
  t.same(parseRecipients(['https://hooks.slack.com/services/A/B/C#frag', ' https://hooks.slack.com/services/A/B/C#frag '], cfg).map((r) => r.text), ['https://hooks.slack.com/services/A/B/C'], 'fragment dropped, duplicates dropped');
  t.throws(() => parseRecipients(['http://127.0.0.1:8080/x'], cfg), { message: /must use https:\/\//, field: '/recipients/0' });
  t.throws(() => parseRecipients(['https://localhost/x'], cfg), { message: /loopback/ });
  t.same(parseRecipients(['http://127.0.0.1:8080/x', 'http://[::1]:9/y'], { ...cfg, webhook_allow_loopback: true }).length, 2);
  for (const host of ['10.0.0.1', '172.16.5.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]', '0.0.0.0']) {
    t.throws(() => parseRecipients([`https://${host}/hook`], cfg), { message: /private or link-local/ }, host);
  }
  t.equal(isPrivateAddress('8.8.8.8'), false);
  const allow = { ...cfg, webhook_allowed_hosts: ['hooks.slack.com', '*.example.com'] };
  t.equal(parseRecipients(['https://hooks.slack.com/a', 'https://ci.example.com/b', 'https://a.b.example.com/c'], allow).length, 3);
  t.throws(() => parseRecipients(['https://example.com/x'], allow), { message: /not in AUDIT_WEBHOOK_ALLOWED_HOSTS/ }, '*.example.com does not cover example.com');
  t.throws(() => parseRecipients(['https://evilexample.com/x'], allow), { message: /not in AUDIT_WEBHOOK_ALLOWED_HOSTS/ });
  t.throws(() => parseRecipients(['https://hooks.slack.com/ok', 'mailto:x'], cfg), { message: /^recipients\[1\]: / }, 'the bad one is named');
});

t.test('names resolving to private addresses are refused when connecting (DNS answers checked)', async (t) => {
  const resolve = (allow: boolean, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((done) => {
      guardedLookup(allow)('localhost', { all }, (err: NodeJS.ErrnoException | null, address: unknown) => done({ err, address }));
    });
  const refused = await resolve(false, false);
  t.equal(refused.err?.code, 'EPRIVATEADDRESS');
  t.match(refused.err?.message, /localhost resolves to a private or link-local address/);
  const allowed = await resolve(true, false);
  t.equal(allowed.err, null);
  t.match(String(allowed.address), /^(127\.0\.0\.1|::1)$/);
  const list = await resolve(true, true);
  t.ok(Array.isArray(list.address), 'all: true answers the list (happy eyeballs)');
});

t.test('redaction keeps scheme, host and the last four characters of a long path, never the query', async (t) => {
  t.equal(redactRecipient('https://hooks.slack.com/services/T0/B0/abcdefSECRET'), 'https://hooks.slack.com/…CRET');
  t.equal(redactRecipient('https://example.com/hook?token=abc'), 'https://example.com/…?…');
  t.equal(redactRecipient('https://example.com'), 'https://example.com');
  t.equal(redactRecipient('alice@example.com'), 'a…@example.com');
  t.equal(redactRecipient('https://[bad'), '(invalid URL)');
});

const message: AuditMessageInput = {
  schedule: { id: 'aud_x', name: 'Weekly <b>*prod*</b>', timezone: 'Europe/Paris', frequency: 'weekly' },
  occurrence: new Date('2026-11-23T07:30:00Z'),
  status: 'partial',
  figures: {
    compliance_score: 0.6667,
    total_resources: 3,
    compliant_resources: 2,
    violation_count: 4,
    violations_by_tag: { Owner: 3, 'Cost*Center': 1 },
    cost_attribution_gap: 1234.5,
    scan_timestamp: '2026-11-23T07:30:00Z',
    snapshot_id: '9',
    data_quality: { status: 'partial', cells_requested: 10, cells_complete: 8 },
    account_breakdown: {
      '111111111111': { account_id: '111111111111', account_alias: 'prod', compliance_score: 0.5, violation_count: 3, total_resources: 2 },
      '222222222222': { account_id: '222222222222', account_alias: null, account_name: 'staging', compliance_score: 1, violation_count: 1, total_resources: 1 },
    },
    account_errors: [{ account_id: '333333333333', code: 'AssumeRoleFailed' }],
  },
  error: null,
};

t.test('messages: Slack blocks, Markdown text, JSON figures; user text escaped', async (t) => {
  const slack = webhookBody('slack', message) as { text: string; blocks: { type: string; text?: { text: string } }[] };
  t.equal(slack.text, 'Compliance audit "Weekly \\<b\\>\\*prod\\*\\</b\\>": 66.7% compliant — 2/3 resources, 4 violations, $1,234.50/month unattributed (partial data: some accounts, regions or types could not be read)');
  t.equal(slack.blocks[0]?.text?.text, 'Tag compliance audit: Weekly <b>*prod*</b>', 'plain_text header needs no escaping');
  t.ok(slack.blocks.some((b) => /Lowest-scoring accounts\*\n• prod \(111111111111\): 50\.0% \(3 violations\)\n• staging \(222222222222\)/.test(b.text?.text ?? '')));
  t.ok(slack.blocks.some((b) => /:warning: Partial data: 2 of 10/.test(b.text?.text ?? '')));
  t.ok(slack.blocks.some((b) => /Cost\\\*Center: 1/.test(b.text?.text ?? '')), 'tag keys escaped');
  const md = markdownText(message);
  t.match(md, /Scheduled for 2026-11-23 08:30 Europe\/Paris \(UTC\+01:00\) \(weekly, audit aud_x\)\./);
  t.match(md, /Accounts that could not be read: 333333333333 \(AssumeRoleFailed\)/);
  const json = webhookBody('json', message) as { audit: Record<string, unknown> };
  t.same(json.audit, {
    id: 'aud_x',
    name: 'Weekly <b>*prod*</b>',
    occurrence: '2026-11-23T07:30:00.000Z',
    status: 'partial',
    error: null,
    compliance_score: 0.6667,
    total_resources: 3,
    compliant_resources: 2,
    violation_count: 4,
    cost_attribution_gap: 1234.5,
    violations_by_tag: { Owner: 3, 'Cost*Center': 1 },
    data_quality_status: 'partial',
    snapshot_id: '9',
    scan_timestamp: '2026-11-23T07:30:00Z',
  });
  const failed = webhookBody('slack', { ...message, status: 'failed', figures: null, error: 'AssumeRole failed' }) as { text: string };
  t.equal(failed.text, 'Compliance audit "Weekly \\<b\\>\\*prod\\*\\</b\\>" failed: AssumeRole failed');
});

t.test('configuration: SCHEDULER_* and AUDIT_* variables with defaults and clear errors', async (t) => {
  t.same(loadConfig({}).scheduler, SCHEDULER_DEFAULTS);
  const c = loadConfig({ SCHEDULER_ENABLED: 'false', SCHEDULER_TICK_SECONDS: '5', SCHEDULER_GRACE_MINUTES: '0', WEBHOOK_TIMEOUT_MS: '2500', AUDIT_WEBHOOK_ALLOWED_HOSTS: 'Hooks.Slack.com,*.example.com', AUDIT_WEBHOOK_ALLOW_LOOPBACK: 'yes', AUDIT_SMTP_URL: 'smtps://u:p@mail.example.com:465', AUDIT_EMAIL_FROM: 'finops@example.com' }).scheduler;
  t.same(c, { ...SCHEDULER_DEFAULTS, enabled: false, tick_seconds: 5, grace_minutes: 0, webhook_timeout_ms: 2500, webhook_allowed_hosts: ['hooks.slack.com', '*.example.com'], webhook_allow_loopback: true, smtp_url: 'smtps://u:p@mail.example.com:465', email_from: 'finops@example.com' });
  t.throws(() => loadConfig({ SCHEDULER_TICK_SECONDS: '0' }), { message: /SCHEDULER_TICK_SECONDS must be an integer from 1 to 3600/ });
  t.throws(() => loadConfig({ AUDIT_SMTP_URL: 'http://mail' }), { message: /AUDIT_SMTP_URL must be a URL starting with smtp:\/\/ or smtps:\/\// });
  t.equal(lookBackWindowMs({ ...SCHEDULER_DEFAULTS, grace_minutes: 0, tick_seconds: 30 }), 60_000, 'never shorter than two ticks');
});

t.test('the run principal: the creator\'s accounts, narrowed by today\'s API_KEY_ACCOUNTS', async (t) => {
  const s = { owner: 'ci', owner_allowed_accounts: ['111111111111', '222222222222'] } as AuditSchedule;
  t.same(runPrincipal(s, undefined), { id: 'scheduler:ci', allowed_accounts: ['111111111111', '222222222222'] });
  t.same(runPrincipal(s, ['222222222222', '333333333333']), { id: 'scheduler:ci', allowed_accounts: ['222222222222'] });
  t.same(runPrincipal({ ...s, owner_allowed_accounts: null }, ['333333333333']), { id: 'scheduler:ci', allowed_accounts: ['333333333333'] });
  t.same(runPrincipal({ ...s, owner_allowed_accounts: null }, null), { id: 'scheduler:ci', allowed_accounts: null });
});

t.test('an audit whose creator was removed does not scan; the run records why', async (t) => {
  const revoked = ownerRevocation({ mode: 'api_key', api_keys: [{ id: 'ci' }] });
  t.equal(revoked('ci'), null);
  t.match(revoked('old-key'), /API key "old-key" that created this audit is no longer configured/);
  t.match(ownerRevocation({ mode: 'oauth', api_keys: [] })('anonymous'), /before OAuth was required/);
  t.equal(ownerRevocation({ mode: 'oauth', api_keys: [] })('sub:alice'), null);
  t.equal(ownerRevocation({ mode: 'none', api_keys: [] })('anything'), null);
  const store = createMemoryHistoryStore();
  const s = await store.audits!.createAuditSchedule(scheduleInput({ owner: 'old-key', recipients: [] }));
  let scanned = false;
  const result = await runAudit(s, new Date('2026-11-23T08:30:00Z'), new AbortController().signal, {
    check: async () => {
      scanned = true;
      return {};
    },
    config: SCHEDULER_DEFAULTS,
    logger,
    now: () => new Date('2026-11-23T08:30:05Z'),
    ownerRevoked: revoked,
  });
  t.equal(scanned, false, 'no scan under a removed key');
  t.equal(result.status, 'failed');
  t.match(result.error, /no longer configured/);
});

t.test('tick loop: Redis down falls back to the store claim; a failed claim is retried next tick', async (t) => {
  const store = createMemoryHistoryStore();
  const audits = store.audits!;
  const created = await audits.createAuditSchedule(scheduleInput({ frequency: 'daily', day_of_week: null, time_of_day: '09:00', timezone: 'UTC', created_at: '2026-11-22T08:00:00Z' }));
  let now = new Date('2026-11-22T09:00:30Z');
  const runs: string[] = [];
  let claimFails = 1;
  const flakyStore = {
    ...audits,
    claimAuditOccurrence: async (...args: Parameters<typeof audits.claimAuditOccurrence>) => {
      if (claimFails-- > 0) throw new Error('database is locked');
      return audits.claimAuditOccurrence(...args);
    },
  };
  const scheduler = createAuditScheduler({
    store: flakyStore,
    config: SCHEDULER_DEFAULTS,
    lock: { acquire: async () => Promise.reject(new Error('Connection is closed.')), release: async () => undefined },
    instanceId: 'unit',
    logger,
    now: () => now,
    run: async (s, occ): Promise<AuditRunResult> => {
      runs.push(`${s.id}@${occ.toISOString()}`);
      return runResult();
    },
  });
  const first = await scheduler.tick();
  t.same(first.skipped.map((s) => s.reason), ['the history store could not record the claim']);
  t.same(runs, []);
  now = new Date('2026-11-22T09:01:00Z');
  const second = await scheduler.tick();
  t.same(second.ran, [{ id: created.id, occurrence: '2026-11-22T09:00:00.000Z', status: 'succeeded' }], 'retried, run with Redis down');
  t.same(runs, [`${created.id}@2026-11-22T09:00:00.000Z`]);
  const [a, b] = await Promise.all([scheduler.tick(), scheduler.tick()]);
  t.equal(a, b, 'overlapping ticks share one look');
  t.same(a.ran, []);
  await scheduler.stop();
  t.same((await scheduler.tick()).ran, [], 'stopped');
});

t.test('the metrics wrapper passes audits through to the store', async (t) => {
  const store = createMemoryHistoryStore();
  const wrapped = countingHistoryStore(store);
  t.equal(wrapped.audits, store.audits);
  const s = await wrapped.audits!.createAuditSchedule(scheduleInput());
  t.equal((await store.audits!.getAuditSchedule(s.id))?.id, s.id);
});
