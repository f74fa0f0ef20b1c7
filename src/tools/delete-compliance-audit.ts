/**
 * delete_compliance_audit: removes one of the caller's scheduled audits (by id, or by name),
 * with its run records. History snapshots its runs stored stay in the history.
 */
import Type, { type Static } from 'typebox';
import { NotFoundError, UserError } from '../core/errors.js';
import { AuditScheduleSchema, scheduleView } from '../scheduler/audit-view.js';
import type { AuditSchedule } from '../store/types.js';
import { auditServices } from './schedule-compliance-audit.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The audit id (from schedule_compliance_audit or list_compliance_audits).' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Or the audit\'s name (yours first; unrestricted principals may name anyone\'s when it is unambiguous).' })),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    deleted: Type.Literal(true),
    audit: AuditScheduleSchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type DeleteComplianceAuditInput = Static<typeof Input>;

export const deleteComplianceAudit = defineTool({
  name: 'delete_compliance_audit',
  title: 'Delete a scheduled compliance audit',
  description: [
    'Deletes one scheduled compliance audit you created, by id (or by name), so it never runs again; its run records go too, while the history snapshots its runs stored remain (get_violation_history).',
    'Unknown ids, and audits of other principals, answer a not-found error: list_compliance_audits shows yours.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Delete a scheduled compliance audit', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{ name: 'weekly-production-audit' }],
  async handler(ctx, input) {
    const { store } = auditServices(ctx);
    if ((input.id === undefined) === (input.name === undefined)) {
      throw new UserError('Pass exactly one of id or name (list_compliance_audits shows both).', { field: input.id === undefined ? '/id' : '/name' });
    }
    const unrestricted = ctx.principal.allowed_accounts === null;
    const visible = (s: AuditSchedule | null): s is AuditSchedule => s !== null && (unrestricted || s.owner === ctx.principal.id);
    let target: AuditSchedule | null = null;
    if (input.id !== undefined) {
      const found = await store.getAuditSchedule(input.id.trim());
      if (visible(found)) target = found;
      if (target === null) throw new NotFoundError(`No scheduled audit with id ${JSON.stringify(input.id)} among yours: list_compliance_audits shows the ids you may delete.`, '/id');
    } else {
      const name = (input.name ?? '').trim();
      const own = (await store.listAuditSchedules({ owner: ctx.principal.id })).filter((s) => s.name === name);
      const matches = own.length > 0 || !unrestricted ? own : (await store.listAuditSchedules()).filter((s) => s.name === name);
      if (matches.length > 1) {
        throw new UserError(`${matches.length} audits are named ${JSON.stringify(name)} (ids ${matches.map((m) => m.id).join(', ')}): delete by id.`, { statusCode: 409, code: 'ambiguous_name', field: '/name' });
      }
      target = matches[0] ?? null;
      if (target === null) throw new NotFoundError(`No scheduled audit named ${JSON.stringify(name)} among yours: list_compliance_audits shows their names and ids.`, '/name');
    }
    const view = scheduleView(target, ctx.now());
    const removed = await store.deleteAuditSchedule(target.id);
    if (!removed) throw new NotFoundError(`Scheduled audit ${target.id} was deleted meanwhile.`, '/id');
    ctx.logger.info({ audit_id: target.id, owner: target.owner }, 'scheduled audit deleted');
    const note = `Audit ${target.id} ("${target.name}") deleted: it will not run again${target.run_count > 0 ? `; its ${target.run_count} run record${target.run_count === 1 ? '' : 's'} were removed, the history snapshots stay` : ''}.`;
    return { deleted: true as const, audit: view, note };
  },
});
