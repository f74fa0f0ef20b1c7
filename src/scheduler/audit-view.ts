/**
 * How the audit tools show a schedule: the TypeBox output schema shared by
 * schedule_compliance_audit, list_compliance_audits and delete_compliance_audit, and the
 * conversion from the stored schedule (recipients redacted, next run computed now).
 */
import Type, { type Static, type TSchema } from 'typebox';
import type { AuditRun, AuditSchedule } from '../store/types.js';
import { describeLocal, nextRun } from './next-run.js';
import { redactRecipient } from './recipients.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const AuditRunSchema = Type.Object(
  {
    occurrence: Type.String({ description: 'The scheduled instant this run was for (ISO, UTC).' }),
    status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('partial'), Type.Literal('failed')], {
      description: 'succeeded; partial = ran but some account × region × type could not be read; failed = no result (see error); running = started, not finished (or the replica stopped mid-run).',
    }),
    started_at: Type.String(),
    finished_at: Nullable(Type.String()),
    compliance_score: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    total_resources: Nullable(Type.Integer({ minimum: 0 })),
    compliant_resources: Nullable(Type.Integer({ minimum: 0 })),
    violation_count: Nullable(Type.Integer({ minimum: 0 })),
    data_quality_status: Nullable(Type.Union([Type.Literal('complete'), Type.Literal('partial')])),
    snapshot_id: Nullable(Type.String({ description: 'History snapshot stored by the run (get_violation_history, detect_tag_drift).' })),
    error: Nullable(Type.String()),
    notifications: Type.Array(
      Type.Object(
        {
          recipient: Type.String({ description: 'Redacted: scheme, host and the last characters of the path.' }),
          ok: Type.Boolean(),
          status: Nullable(Type.Integer()),
          error: Nullable(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AuditScheduleSchema = Type.Object(
  {
    id: Type.String({ description: 'Pass to delete_compliance_audit.' }),
    name: Type.String(),
    schedule: Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly')]),
    time: Type.String({ description: 'HH:MM local to timezone.' }),
    timezone: Type.String({ description: 'IANA time zone.' }),
    day_of_week: Nullable(Type.String({ description: 'Weekly schedules: the weekday.' })),
    day_of_month: Nullable(Type.Integer({ minimum: 1, maximum: 31, description: 'Monthly schedules: the day (short months: their last day).' })),
    resource_types: Nullable(Type.Array(Type.String(), { description: 'null = every type the policy covers at run time.' })),
    account_ids: Nullable(Type.Array(Type.String(), { description: 'As given (names are resolved at each run); null = the server\'s own account.' })),
    recipients: Type.Array(Type.String(), { description: 'Redacted recipients (webhook secrets are never shown).' }),
    notification_format: Type.Union([Type.Literal('slack'), Type.Literal('markdown'), Type.Literal('json')]),
    owner: Type.String({ description: 'Principal (API key id) that created it.' }),
    created_at: Type.String(),
    next_run: Type.String({ description: 'Next occurrence, ISO 8601 UTC.' }),
    next_run_local: Type.String({ description: 'Next occurrence as wall-clock time in the schedule\'s zone, with its UTC offset.' }),
    run_count: Type.Integer({ minimum: 0 }),
    last_run: Nullable(AuditRunSchema),
  },
  { additionalProperties: false },
);

export type AuditScheduleView = Static<typeof AuditScheduleSchema>;
export type AuditRunView = Static<typeof AuditRunSchema>;

export function runView(r: AuditRun): AuditRunView {
  return {
    occurrence: r.occurrence,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    compliance_score: r.compliance_score,
    total_resources: r.total_resources,
    compliant_resources: r.compliant_resources,
    violation_count: r.violation_count,
    data_quality_status: r.data_quality_status,
    snapshot_id: r.snapshot_id,
    error: r.error,
    notifications: r.notifications.map((n) => ({ recipient: n.recipient, ok: n.ok, status: n.status, error: n.error })),
  };
}

export function scheduleView(s: AuditSchedule, now: Date): AuditScheduleView {
  const next = nextRun(s, now);
  return {
    id: s.id,
    name: s.name,
    schedule: s.frequency,
    time: s.time_of_day,
    timezone: s.timezone,
    day_of_week: s.day_of_week,
    day_of_month: s.day_of_month,
    resource_types: s.resource_types,
    account_ids: s.account_ids,
    recipients: s.recipients.map(redactRecipient),
    notification_format: s.notification_format,
    owner: s.owner,
    created_at: s.created_at,
    next_run: next.toISOString(),
    next_run_local: describeLocal(next, s.timezone),
    run_count: s.run_count,
    last_run: s.last_run === null ? null : runView(s.last_run),
  };
}
