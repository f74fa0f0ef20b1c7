/**
 * What the audit tools see of the scheduler (ToolContext.scheduler): whether this replica runs
 * audits, and the settings that decide which recipients are accepted and how many audits a
 * principal may have.
 */
import type { SchedulerConfig } from '../config/types.js';

export interface AuditSchedulerHandle {
  /** SCHEDULER_ENABLED on this replica (schedules are stored either way; enabled replicas run them). */
  readonly enabled: boolean;
  readonly settings: SchedulerConfig;
}
