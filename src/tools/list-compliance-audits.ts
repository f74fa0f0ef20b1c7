/**
 * list_compliance_audits: the caller's scheduled audits (every audit for an unrestricted
 * principal), oldest first, paginated, each with its next run and last run outcome.
 */
import Type, { type Static } from 'typebox';
import { AuditRunSchema, AuditScheduleSchema, runView, scheduleView } from '../scheduler/audit-view.js';
import { pageNote, paginate, queryFingerprint } from './common/pagination.js';
import { CursorInput, LimitInput, NextCursorSchema } from './common/schemas.js';
import { auditServices } from './schedule-compliance-audit.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  {
    recent_runs: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 0, description: 'Also return this many most recent runs of each audit (0–20, default 0: only last_run).' })),
    limit: Type.Optional(LimitInput),
    cursor: Type.Optional(CursorInput),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    audits: Type.Array(
      Type.Object(
        { ...AuditScheduleSchema.properties, recent_runs: Type.Optional(Type.Array(AuditRunSchema, { description: 'Latest runs, newest first (when recent_runs > 0).' })) },
        { additionalProperties: false },
      ),
    ),
    total: Type.Integer({ minimum: 0, description: 'Audits visible to you (all pages).' }),
    scheduler_enabled: Type.Boolean({ description: 'Whether this server replica runs audits (SCHEDULER_ENABLED).' }),
    next_cursor: NextCursorSchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type ListComplianceAuditsInput = Static<typeof Input>;

export const listComplianceAudits = defineTool({
  name: 'list_compliance_audits',
  title: 'List scheduled compliance audits',
  description: [
    'Lists the scheduled compliance audits you created (schedule_compliance_audit), oldest first: id, name, schedule (daily/weekly/monthly, time, IANA timezone), scope, redacted recipients, next_run (UTC and local) and last_run (status succeeded/partial/failed/running, compliance_score, counts, data_quality_status, snapshot_id, error, per-recipient delivery).',
    'Use it to answer "which audits are scheduled", "did last night\'s audit run", or to find the id for delete_compliance_audit. recent_runs adds the latest runs of each audit. Paginated: pass next_cursor back for more.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'List scheduled compliance audits', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{}, { recent_runs: 5, limit: 10 }],
  async handler(ctx, input) {
    const { handle, store } = auditServices(ctx);
    const owner = ctx.principal.allowed_accounts === null ? undefined : ctx.principal.id;
    const all = await store.listAuditSchedules(owner === undefined ? {} : { owner });
    const page = paginate(all, { cursor: input.cursor, limit: input.limit, fingerprint: queryFingerprint('list_compliance_audits', { ...input, owner }) });
    const now = ctx.now();
    const recent = input.recent_runs ?? 0;
    const audits = [];
    for (const s of page.items) {
      const view = scheduleView(s, now);
      audits.push(recent > 0 ? { ...view, recent_runs: (await store.listAuditRuns(s.id, recent)).map(runView) } : view);
    }
    const notes = [all.length === 0 ? 'No scheduled audits yet: create one with schedule_compliance_audit.' : pageNote(page, 'audits')];
    if (owner === undefined && all.some((s) => s.owner !== ctx.principal.id)) notes.push('You are unrestricted: audits of every principal are listed (see owner).');
    if (!handle.enabled) notes.push('This replica does not run audits (SCHEDULER_ENABLED=false); replicas with the scheduler enabled do.');
    const stuck = all.filter((s) => s.last_run?.status === 'running' && Date.parse(s.last_run.started_at) < now.getTime() - 3_600_000).length;
    if (stuck > 0) notes.push(`${stuck} audit${stuck === 1 ? ' shows a run' : 's show runs'} still "running" after more than an hour: the replica running it probably stopped mid-run; the next occurrence runs normally.`);
    const failing = all.filter((s) => s.last_run?.status === 'failed').length;
    if (failing > 0) notes.push(`${failing} audit${failing === 1 ? '' : 's'} failed on the last run (see last_run.error).`);
    return { audits, total: all.length, scheduler_enabled: handle.enabled, next_cursor: page.next_cursor, note: notes.join(' ') };
  },
});
