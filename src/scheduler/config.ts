/**
 * The scheduler's settings: `config.scheduler` (SCHEDULER_*, WEBHOOK_TIMEOUT_MS, AUDIT_*), or
 * the documented defaults when a hand-built AppConfig has no scheduler section.
 */
import type { AppConfig, SchedulerConfig } from '../config/types.js';

export const SCHEDULER_DEFAULTS: SchedulerConfig = {
  enabled: true,
  tick_seconds: 30,
  grace_minutes: 60,
  max_audits_per_principal: 50,
  webhook_timeout_ms: 10_000,
  webhook_allowed_hosts: null,
  webhook_allow_loopback: false,
  smtp_url: null,
  email_from: 'finops-tag-compliance@localhost',
};

export function schedulerSettings(config: Pick<AppConfig, 'scheduler'>): SchedulerConfig {
  return { ...SCHEDULER_DEFAULTS, ...config.scheduler };
}
