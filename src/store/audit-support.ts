/**
 * Helpers shared by every backend's audit-schedule part (pure): ids, input checks, the
 * duplicate-name conflict, ordering.
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { AuditRun, AuditRunResult, AuditSchedule, AuditScheduleInput } from './audit-types.js';
import { normaliseTime } from './snapshot.js';

/** Runs listed per schedule when no limit is given. */
export const DEFAULT_RUN_LIMIT = 20;

export function newScheduleId(): string {
  return `aud_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

/** Stored form of the input: timestamps normalised, arrays copied. Throws TypeError on impossible values. */
export function normaliseScheduleInput(input: AuditScheduleInput): AuditScheduleInput {
  if (input.name.trim() === '') throw new TypeError('name must not be empty');
  if (input.owner === '') throw new TypeError('owner must not be empty');
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(input.time_of_day)) throw new TypeError(`time_of_day must be HH:MM, got ${JSON.stringify(input.time_of_day)}`);
  if (input.frequency === 'weekly' && input.day_of_week === null) throw new TypeError('weekly schedules need day_of_week');
  if (input.frequency === 'monthly' && (input.day_of_month === null || input.day_of_month < 1 || input.day_of_month > 31)) {
    throw new TypeError('monthly schedules need day_of_month 1–31');
  }
  return {
    ...input,
    owner_allowed_accounts: input.owner_allowed_accounts === null ? null : [...input.owner_allowed_accounts],
    account_ids: input.account_ids === null ? null : [...input.account_ids],
    resource_types: input.resource_types === null ? null : [...input.resource_types],
    recipients: [...input.recipients],
    day_of_week: input.frequency === 'weekly' ? input.day_of_week : null,
    day_of_month: input.frequency === 'monthly' ? input.day_of_month : null,
    created_at: normaliseTime(input.created_at, 'created_at'),
  };
}

export function duplicateName(name: string, existingId: string | null): UserError {
  const which = existingId === null ? '' : ` (id ${existingId})`;
  return new UserError(`You already have a scheduled audit named ${JSON.stringify(name)}${which}: choose another name, or delete that one first (delete_compliance_audit).`, {
    statusCode: 409,
    code: 'conflict',
    field: '/name',
  });
}

export function runLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_RUN_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`run limit must be a positive integer, got ${limit}`);
  return Math.min(limit, 1000);
}

/** The stored row after a result is recorded. */
export function completedRun(run: AuditRun, result: AuditRunResult): AuditRun {
  return {
    ...run,
    status: result.status,
    finished_at: normaliseTime(result.finished_at, 'finished_at'),
    compliance_score: result.compliance_score,
    total_resources: result.total_resources,
    compliant_resources: result.compliant_resources,
    violation_count: result.violation_count,
    data_quality_status: result.data_quality_status,
    snapshot_id: result.snapshot_id,
    error: result.error,
    notifications: result.notifications.map((n) => ({ ...n })),
  };
}

export function compareSchedules(a: AuditSchedule, b: AuditSchedule): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
