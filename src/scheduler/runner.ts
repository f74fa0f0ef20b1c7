/**
 * One audit occurrence: the compliance scan through the same tool path as a caller's
 * check_tag_compliance (validation, scope resolution, allow-list, cost allocation; force_refresh
 * so the audit reads the current state, store_snapshot so the run lands in the history), under
 * a system principal restricted to the schedule creator's accounts; then the notification to
 * every recipient. Never throws: the
 * outcome (status, figures, error, per-recipient delivery) is what the scheduler records.
 */
import type { Logger } from 'pino';
import { AwsAccessError } from '../aws/gateway.js';
import type { SchedulerConfig } from '../config/types.js';
import { CancelledError, UserError } from '../core/errors.js';
import type { AuditNotificationOutcome, AuditRunResult, AuditSchedule } from '../store/types.js';
import type { Principal } from '../tools/types.js';
import type { AuditFigures, AuditMessageInput } from './message.js';
import { notifyRecipients } from './notify.js';
import { parseRecipients, redactRecipient, type Recipient } from './recipients.js';
import type { SmtpOptions } from './smtp.js';

/** Runs check_tag_compliance (app.toolRunner in the plugin). */
export type ComplianceCall = (args: Record<string, unknown>, principal: Principal, signal: AbortSignal, logger: Logger) => Promise<unknown>;

export interface RunnerDeps {
  check: ComplianceCall;
  config: SchedulerConfig;
  logger: Logger;
  now(): Date;
  /** The creator's accounts as the server's configuration says today (API_KEY_ACCOUNTS), when it knows the key. */
  currentAllowed?: (owner: string) => string[] | null | undefined;
  /** Why the creator may no longer run audits (API key removed, authentication mode changed), or null. */
  ownerRevoked?: (owner: string) => string | null;
  smtpTls?: SmtpOptions['tls'];
}

/** The creator's allow-list at creation, narrowed by today's configuration for that key. */
export function runPrincipal(schedule: AuditSchedule, current: string[] | null | undefined): Principal {
  const stored = schedule.owner_allowed_accounts;
  let allowed: string[] | null;
  if (current === undefined || current === null) allowed = stored;
  else if (stored === null) allowed = [...current];
  else allowed = stored.filter((a) => current.includes(a));
  return { id: `scheduler:${schedule.owner}`, allowed_accounts: allowed === null ? null : [...allowed] };
}

/** A message safe to store and show the schedule's owner (UserError and AWS messages are written for callers). */
export function safeError(err: unknown): string {
  if (err instanceof UserError || err instanceof AwsAccessError || err instanceof CancelledError) return err.message;
  return 'internal error while running the audit (details in the server log)';
}

export async function runAudit(schedule: AuditSchedule, occurrence: Date, signal: AbortSignal, deps: RunnerDeps): Promise<AuditRunResult> {
  const logger = deps.logger.child({ audit_id: schedule.id, occurrence: occurrence.toISOString() });
  const principal = runPrincipal(schedule, deps.currentAllowed?.(schedule.owner));
  // An audit records the state at its time: fresh inventory, not the result cache's.
  const args: Record<string, unknown> = { store_snapshot: true, force_refresh: true, limit: 1 };
  if (schedule.account_ids !== null) args.account_ids = schedule.account_ids;
  if (schedule.resource_types !== null) args.resource_types = schedule.resource_types;

  let figures: AuditFigures | null = null;
  let error: string | null = deps.ownerRevoked?.(schedule.owner) ?? null;
  if (error !== null) {
    logger.warn({ owner: schedule.owner, reason: error }, 'scheduled audit not run: its creator may no longer call the server');
  } else {
    try {
      figures = (await deps.check(args, principal, signal, logger)) as AuditFigures;
    } catch (err) {
      error = safeError(err);
      logger.warn({ err, reason: error }, 'scheduled audit scan failed');
    }
  }
  const status: AuditRunResult['status'] = figures === null ? 'failed' : figures.data_quality.status === 'partial' ? 'partial' : 'succeeded';

  const notifications: AuditNotificationOutcome[] = [];
  const deliverable: Recipient[] = [];
  schedule.recipients.forEach((text) => {
    try {
      deliverable.push(...parseRecipients([text], deps.config));
    } catch (err) {
      // A recipient the configuration no longer accepts (allow-list changed, SMTP removed).
      notifications.push({ recipient: redactRecipient(text), ok: false, status: null, error: err instanceof Error ? err.message.replace(/^recipients\[0\]: /, '') : String(err) });
    }
  });
  if (deliverable.length > 0 && !signal.aborted) {
    const message: AuditMessageInput = { schedule: { id: schedule.id, name: schedule.name, timezone: schedule.timezone, frequency: schedule.frequency }, occurrence, status, figures, error };
    notifications.push(...(await notifyRecipients(deliverable, schedule.notification_format, message, { config: deps.config, logger, signal, ...(deps.smtpTls === undefined ? {} : { smtpTls: deps.smtpTls }) })));
  }
  logger.info({ status, compliance_score: figures?.compliance_score ?? null, snapshot_id: figures?.snapshot_id ?? null, notified: notifications.filter((n) => n.ok).length, failed_notifications: notifications.filter((n) => !n.ok).length }, 'scheduled audit finished');
  return {
    status,
    finished_at: deps.now().toISOString(),
    compliance_score: figures?.compliance_score ?? null,
    total_resources: figures?.total_resources ?? null,
    compliant_resources: figures?.compliant_resources ?? null,
    violation_count: figures?.violation_count ?? null,
    data_quality_status: figures?.data_quality.status ?? null,
    snapshot_id: figures?.snapshot_id ?? null,
    error,
    notifications,
  };
}

/** The creator's standing under the current authentication settings (plugins/scheduler.ts). */
export function ownerRevocation(auth: { mode: 'api_key' | 'none' | 'oauth'; api_keys: { id: string }[] }): (owner: string) => string | null {
  const keys = new Set(auth.api_keys.map((k) => k.id));
  return (owner) => {
    if (auth.mode === 'api_key' && !keys.has(owner)) {
      return `the API key "${owner}" that created this audit is no longer configured (API_KEYS): the audit does not run; delete it or recreate it with a current key.`;
    }
    if (auth.mode === 'oauth' && !owner.startsWith('sub:')) {
      return `this audit was created by "${owner}" before OAuth was required: it does not run; recreate it with an access token.`;
    }
    return null;
  };
}
