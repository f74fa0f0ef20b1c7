/**
 * 'scheduler': runs scheduled compliance audits (src/scheduler). Decorates `app.auditScheduler`
 * (the tools read its settings through ToolContext.scheduler). With SCHEDULER_ENABLED (default)
 * the timer starts when the app is ready (unref'd, first tick at once: the catch-up of an
 * occurrence missed while down) and stops in preClose, aborting a running audit and waiting for
 * it. Each run calls check_tag_compliance through app.toolRunner (same validation, scope,
 * allow-list, cache and snapshot as a caller's call). Replicas: app.redis (when REDIS_URL is
 * set) locks each occurrence; the history store's claim row makes it exactly-once even without
 * Redis when replicas share the store.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SchedulerConfig } from '../src/config/types.js';
import { schedulerSettings } from '../src/scheduler/config.js';
import { redisOccurrenceLock } from '../src/scheduler/lock.js';
import { ownerRevocation, runAudit } from '../src/scheduler/runner.js';
import { createAuditScheduler, type AuditScheduler, type TickReport } from '../src/scheduler/scheduler.js';
import type { AuditSchedulerHandle } from '../src/scheduler/types.js';
import type { SmtpOptions } from '../src/scheduler/smtp.js';

export interface AuditSchedulerDecoration extends AuditSchedulerHandle {
  /** This replica's id (claimed_by of its runs). */
  readonly instanceId: string;
  /** One look at the schedules now (tests move the injected clock, then tick). */
  tick(): Promise<TickReport>;
  /** Resolves when no tick is running (e.g. the start-up catch-up). */
  idle(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    auditScheduler: AuditSchedulerDecoration;
  }
}

export interface SchedulerPluginOptions {
  now?: () => Date;
  /** Replica id (default host:pid:random). */
  instanceId?: string;
  /** Test hook: TLS settings for SMTP (a private CA). */
  smtpTls?: SmtpOptions['tls'];
}

const schedulerPlugin: FastifyPluginAsync<SchedulerPluginOptions> = async (app, opts) => {
  const settings: SchedulerConfig = schedulerSettings(app.config);
  const now = opts.now ?? (() => new Date());
  const instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = app.log.child({ component: 'scheduler' }) as unknown as Logger;
  const store = app.history.audits;
  const redis = app.hasDecorator('redis') ? app.getDecorator<Redis | null>('redis') : null;

  let scheduler: AuditScheduler | null = null;
  if (store !== undefined) {
    scheduler = createAuditScheduler({
      store,
      config: settings,
      lock: redis === null ? null : redisOccurrenceLock(redis, app.config.cache.redis_key_prefix, instanceId),
      instanceId,
      logger,
      now,
      run: (schedule, occurrence, signal) =>
        runAudit(schedule, occurrence, signal, {
          config: settings,
          logger,
          now,
          currentAllowed: (owner) => app.config.auth.key_accounts?.[owner],
          ownerRevoked: ownerRevocation(app.config.auth),
          ...(opts.smtpTls === undefined ? {} : { smtpTls: opts.smtpTls }),
          check: (args, principal, callSignal, callLogger) =>
            app.toolRunner.call('check_tag_compliance', args, { principal, signal: callSignal, logger: callLogger as unknown as typeof app.log }),
        }),
    });
  } else {
    app.log.warn('the history store offers no audit schedules: scheduled audits are unavailable');
  }

  const empty = async (): Promise<TickReport> => ({ at: now().toISOString(), ran: [], skipped: [] });
  const active = settings.enabled ? scheduler : null;
  app.decorate('auditScheduler', {
    enabled: active !== null,
    settings,
    instanceId,
    tick: () => (active === null ? empty() : active.tick()),
    idle: async () => scheduler?.idle(),
  } satisfies AuditSchedulerDecoration);

  if (settings.enabled && scheduler !== null) {
    const s = scheduler;
    app.addHook('onReady', async () => {
      if (!app.toolRunner.has('check_tag_compliance')) {
        app.log.warn('check_tag_compliance is not served by this app: scheduled audits will fail until it is');
      }
      s.start();
      app.log.info({ tick_seconds: settings.tick_seconds, window_ms: s.windowMs, instance: instanceId, redis_lock: redis !== null }, 'audit scheduler started');
    });
  }
  app.addHook('preClose', async () => {
    await scheduler?.stop();
  });
};

export default fp(schedulerPlugin, { name: 'scheduler', fastify: '5.x', dependencies: ['config', 'history', 'tools', 'result-cache'] });
