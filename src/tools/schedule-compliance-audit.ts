/**
 * schedule_compliance_audit: stores a recurring compliance audit in the history store. The
 * scheduler (plugins/scheduler.ts) runs it at its local time in its IANA zone, stores a history
 * snapshot per run and notifies the recipients (Slack-compatible webhooks; e-mail when the
 * server has an SMTP server configured, AUDIT_SMTP_URL). Scope and recipients are checked now, so a schedule that
 * could never run is refused at once.
 */
import Type, { type Static } from 'typebox';
import { UserError } from '../core/errors.js';
import { AuditScheduleSchema, scheduleView } from '../scheduler/audit-view.js';
import { canonicalTimeZone, describeLocal, nextRun, parseTimeOfDay } from '../scheduler/next-run.js';
import { parseRecipients } from '../scheduler/recipients.js';
import type { AuditScheduleStore, AuditTiming } from '../store/types.js';
import { AccountIdsInput, ResourceTypesInput } from './common/schemas.js';
import { resolveAccounts, resolveResourceTypes } from './common/scope.js';
import { defineTool, type ToolContext } from './types.js';
import type { AuditSchedulerHandle } from '../scheduler/types.js';

const Input = Type.Object(
  {
    schedule: Type.Optional(
      Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly')], {
        default: 'daily',
        description: 'How often: daily, weekly (on day_of_week) or monthly (on day_of_month). Alias: schedule_type.',
      }),
    ),
    time: Type.Optional(Type.String({ pattern: '^([01]?[0-9]|2[0-3]):[0-5][0-9]$', default: '09:00', description: 'Local time of day, 24-hour HH:MM (default 09:00). Alias: time_of_day.' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: 'UTC', description: 'IANA time zone such as Europe/Paris or America/New_York (default UTC); daylight-saving changes are followed. Alias: timezone_str.' })),
    day_of_week: Type.Optional(
      Type.Union(
        [Type.Literal('monday'), Type.Literal('tuesday'), Type.Literal('wednesday'), Type.Literal('thursday'), Type.Literal('friday'), Type.Literal('saturday'), Type.Literal('sunday')],
        { description: 'Weekly schedules only: the weekday, lowercase (default monday).' },
      ),
    ),
    day_of_month: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'Monthly schedules only: 1–31 (default 1); in shorter months the audit runs on the last day.' })),
    resource_types: Type.Optional(ResourceTypesInput),
    account_ids: Type.Optional(AccountIdsInput),
    recipients: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 2048 }), {
        maxItems: 10,
        default: [],
        description: 'Where to send each result: webhook URLs (https://…, e.g. a Slack incoming webhook; the body is Slack-compatible JSON) and, only when the server has an SMTP server configured, e-mail addresses. Empty: the audit only stores its snapshot.',
      }),
    ),
    notification_format: Type.Optional(
      Type.Union([Type.Literal('slack'), Type.Literal('markdown'), Type.Literal('json')], {
        default: 'slack',
        description: 'Webhook body: slack = {text, blocks} (Block Kit), markdown = {text} with a Markdown summary, json = {text, audit: {figures}} for automation.',
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A name unique among your audits (default: built from the schedule). delete_compliance_audit accepts it.' })),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    audit: AuditScheduleSchema,
    scheduler_enabled: Type.Boolean({ description: 'Whether this server replica runs audits (SCHEDULER_ENABLED); schedules are shared by every replica.' }),
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type ScheduleComplianceAuditInput = Static<typeof Input>;

/** The scheduler and its store, or a 503 saying why scheduling is unavailable. */
export function auditServices(ctx: ToolContext): { handle: AuditSchedulerHandle; store: AuditScheduleStore } {
  const handle = ctx.scheduler;
  const store = ctx.history.audits;
  if (handle === undefined || store === undefined) {
    throw new UserError('Scheduled audits are not available on this server (no scheduler or no audit-capable history store).', { statusCode: 503, code: 'scheduler_unavailable' });
  }
  return { handle, store };
}

function timing(input: ScheduleComplianceAuditInput): AuditTiming {
  const frequency = input.schedule ?? 'daily';
  if (input.day_of_week !== undefined && frequency !== 'weekly') {
    throw new UserError(`day_of_week only applies to weekly schedules (this one is ${frequency}): remove it or set schedule to "weekly".`, { field: '/day_of_week' });
  }
  if (input.day_of_month !== undefined && frequency !== 'monthly') {
    throw new UserError(`day_of_month only applies to monthly schedules (this one is ${frequency}): remove it or set schedule to "monthly".`, { field: '/day_of_month' });
  }
  const zone = canonicalTimeZone(input.timezone ?? 'UTC');
  if (zone === null) {
    throw new UserError(`Unknown time zone ${JSON.stringify(input.timezone)}: use an IANA name such as "UTC", "Europe/London", "America/New_York" or "Asia/Tokyo".`, { field: '/timezone', code: 'unknown_timezone' });
  }
  const { hour, minute } = parseTimeOfDay(input.time ?? '09:00');
  return {
    frequency,
    time_of_day: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
    timezone: zone,
    day_of_week: frequency === 'weekly' ? (input.day_of_week ?? 'monday') : null,
    day_of_month: frequency === 'monthly' ? (input.day_of_month ?? 1) : null,
  };
}

function defaultName(t: AuditTiming): string {
  const when = t.frequency === 'weekly' ? `weekly on ${t.day_of_week}` : t.frequency === 'monthly' ? `monthly on day ${t.day_of_month}` : 'daily';
  return `${when} at ${t.time_of_day} ${t.timezone}`;
}

export const scheduleComplianceAudit = defineTool({
  name: 'schedule_compliance_audit',
  title: 'Schedule a compliance audit',
  description: [
    'Creates a recurring tag-compliance audit: at the given local time (daily, weekly or monthly, in an IANA time zone, daylight saving followed) the server runs the same scan as check_tag_compliance over the chosen accounts and resource types, stores the result as a history snapshot (trend in get_violation_history) and posts a summary to each recipient (Slack-compatible webhook JSON; e-mail only when the server has SMTP configured).',
    'Use it when someone wants regular reports ("every Monday at 9 in Paris", "daily at 07:00 New York"). The answer gives the audit id, next_run (UTC and local) and a note. Runs use your account permissions; each occurrence runs once even with several server replicas. list_compliance_audits shows your audits and their last run; delete_compliance_audit removes one.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Schedule a compliance audit', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // It resolves account names through Organizations now and makes the server scan later: the scan
  // rate limit and, with OAuth, the finops:scan scope apply.
  scans: true,
  examples: [
    {
      schedule: 'weekly',
      day_of_week: 'monday',
      time: '08:30',
      timezone: 'Europe/Paris',
      account_ids: ['production', 'staging'],
      recipients: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
      notification_format: 'slack',
      name: 'weekly-production-audit',
    },
    { schedule: 'daily', time: '07:00', timezone: 'America/New_York', account_ids: ['all'], name: 'daily-all-accounts' },
    { schedule: 'monthly', day_of_month: 1, time: '06:00', timezone: 'UTC', resource_types: ['ec2:instance', 's3:bucket'], notification_format: 'json', name: 'monthly-ec2-s3' },
  ],
  async handler(ctx, input) {
    const { handle, store } = auditServices(ctx);
    const t = timing(input);
    let resourceTypes: string[] | null = null;
    if (input.resource_types !== undefined) {
      resolveResourceTypes(ctx.policy.current(), input.resource_types); // unknown names: a 400 naming the valid ones
      resourceTypes = [...new Set(input.resource_types)];
    }
    // Refuse now what every run would refuse: unknown names, accounts outside the caller's allow-list.
    await resolveAccounts(ctx, input.account_ids);
    const recipients = parseRecipients(input.recipients ?? [], handle.settings);
    const owner = ctx.principal.id;
    const mine = await store.listAuditSchedules({ owner });
    if (mine.length >= handle.settings.max_audits_per_principal) {
      throw new UserError(`You already have ${mine.length} scheduled audits, the most one principal may have (SCHEDULER_MAX_AUDITS_PER_PRINCIPAL): delete one first (delete_compliance_audit).`, {
        statusCode: 409,
        code: 'too_many_audits',
      });
    }
    const now = ctx.now();
    const created = await store.createAuditSchedule({
      ...t,
      name: input.name?.trim() || defaultName(t),
      owner,
      owner_allowed_accounts: ctx.principal.allowed_accounts === null ? null : [...ctx.principal.allowed_accounts],
      account_ids: input.account_ids === undefined ? null : [...new Set(input.account_ids)],
      resource_types: resourceTypes,
      recipients: recipients.map((r) => r.text),
      notification_format: input.notification_format ?? 'slack',
      created_at: now.toISOString(),
    });
    const view = scheduleView(created, now);
    const next = nextRun(created, now);
    const notes = [
      `Audit ${created.id} ("${created.name}") scheduled ${t.frequency}; next run ${describeLocal(next, t.timezone)} = ${next.toISOString()}.`,
      `Each run scans ${input.account_ids === undefined ? "the server's own account" : `accounts ${input.account_ids.join(', ')}`} (${resourceTypes === null ? 'every type the policy covers' : resourceTypes.join(', ')}) with your permissions, stores a history snapshot` +
        (recipients.length === 0 ? ' and notifies nobody (no recipients).' : ` and notifies ${recipients.length} recipient${recipients.length === 1 ? '' : 's'} (${view.notification_format}).`),
    ];
    if (!handle.enabled) notes.push('This server replica does not run audits (SCHEDULER_ENABLED=false): it runs on replicas where the scheduler is enabled.');
    return { audit: view, scheduler_enabled: handle.enabled, note: notes.join(' ') };
  },
});
