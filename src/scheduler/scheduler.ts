/**
 * The in-process audit scheduler. Every tick (SCHEDULER_TICK_SECONDS) it reads the schedules
 * from the history store (so schedules made on another replica, or before a restart, are
 * seen), and for each one takes the latest occurrence that came due inside the look-back window
 * — max(SCHEDULER_GRACE_MINUTES, two ticks), never before the schedule was created. Such an
 * occurrence runs at most once across every replica:
 *   1. the Redis lock (SET NX PX, when the app has Redis) — replicas with private stores;
 *   2. the claim row in the history store (unique schedule × occurrence) — replicas sharing
 *      PostgreSQL or one SQLite file, with or without Redis, and restarts of the same replica.
 * An occurrence missed while no replica was running is therefore run once at start-up when it
 * is at most the grace window old; older ones are skipped (the next occurrence runs normally).
 * Ticks never overlap; runs inside a tick are sequential. The clock is injectable and `tick()`
 * can be called directly (tests).
 */
import type { Logger } from 'pino';
import type { SchedulerConfig } from '../config/types.js';
import type { AuditRunResult, AuditSchedule, AuditScheduleStore } from '../store/types.js';
import type { OccurrenceLock } from './lock.js';
import { latestDue } from './next-run.js';

export interface TickReport {
  at: string;
  ran: { id: string; occurrence: string; status: AuditRunResult['status'] }[];
  skipped: { id: string; occurrence: string; reason: string }[];
}

export interface AuditSchedulerOptions {
  store: AuditScheduleStore;
  config: SchedulerConfig;
  run(schedule: AuditSchedule, occurrence: Date, signal: AbortSignal): Promise<AuditRunResult>;
  lock: OccurrenceLock | null;
  /** This replica's id (stored as claimed_by). */
  instanceId: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  now(): Date;
}

export interface AuditScheduler {
  /** Starts the timer and runs a first (catch-up) tick right away. */
  start(): void;
  /** One look at the schedules; a call while a tick is running returns that tick's report. */
  tick(): Promise<TickReport>;
  /** Resolves when no tick is running. */
  idle(): Promise<void>;
  /** Stops the timer, aborts a running audit and waits for it to finish. */
  stop(): Promise<void>;
  /** Look-back window in milliseconds. */
  readonly windowMs: number;
}

export function lookBackWindowMs(config: SchedulerConfig): number {
  return Math.max(config.grace_minutes * 60_000, 2 * config.tick_seconds * 1000);
}

export function createAuditScheduler(opts: AuditSchedulerOptions): AuditScheduler {
  const windowMs = lookBackWindowMs(opts.config);
  const abort = new AbortController();
  /** Occurrences this replica already decided on: key → occurrence time (ms), forgotten after the window. */
  const decided = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<TickReport> | null = null;
  let stopped = false;

  async function attempt(s: AuditSchedule, occurrence: Date, report: TickReport): Promise<void> {
    const occ = occurrence.toISOString();
    const key = `${s.id}|${occ}`;
    if (decided.has(key)) return;
    decided.set(key, occurrence.getTime());
    if (opts.lock !== null) {
      let held: boolean | null = null;
      try {
        held = await opts.lock.acquire(s.id, occ, windowMs * 2 + 60_000);
      } catch (err) {
        opts.logger.warn({ audit_id: s.id, occurrence: occ, reason: err instanceof Error ? err.message : String(err) }, 'scheduler Redis lock unavailable: relying on the history store claim');
      }
      if (held === false) {
        report.skipped.push({ id: s.id, occurrence: occ, reason: 'another replica holds the occurrence (Redis lock)' });
        return;
      }
    }
    let claimed: boolean;
    try {
      claimed = await opts.store.claimAuditOccurrence(s.id, occ, opts.instanceId, opts.now().toISOString());
    } catch (err) {
      decided.delete(key); // try again next tick
      await opts.lock?.release(s.id, occ).catch(() => undefined);
      opts.logger.error({ err, audit_id: s.id, occurrence: occ }, 'could not claim the audit occurrence; will retry');
      report.skipped.push({ id: s.id, occurrence: occ, reason: 'the history store could not record the claim' });
      return;
    }
    if (!claimed) {
      report.skipped.push({ id: s.id, occurrence: occ, reason: 'already claimed (another replica or an earlier start ran it)' });
      return;
    }
    opts.logger.info({ audit_id: s.id, name: s.name, occurrence: occ }, 'scheduled audit starting');
    const result = await opts.run(s, occurrence, abort.signal);
    try {
      const recorded = await opts.store.recordAuditRun(s.id, occ, result);
      if (!recorded) opts.logger.info({ audit_id: s.id, occurrence: occ }, 'audit deleted while it ran: outcome not recorded');
    } catch (err) {
      opts.logger.error({ err, audit_id: s.id, occurrence: occ }, 'could not record the audit run');
    }
    report.ran.push({ id: s.id, occurrence: occ, status: result.status });
  }

  async function look(): Promise<TickReport> {
    const now = opts.now();
    const report: TickReport = { at: now.toISOString(), ran: [], skipped: [] };
    for (const [key, at] of decided) if (at < now.getTime() - windowMs * 2) decided.delete(key);
    const schedules = await opts.store.listAuditSchedules();
    for (const s of schedules) {
      if (stopped) break;
      const notBefore = new Date(Math.max(now.getTime() - windowMs, Date.parse(s.created_at)));
      let due: Date | null;
      try {
        due = latestDue(s, notBefore, now);
      } catch (err) {
        opts.logger.warn({ audit_id: s.id, reason: err instanceof Error ? err.message : String(err) }, 'audit schedule cannot be evaluated (time zone unknown to this runtime?)');
        continue;
      }
      if (due !== null) await attempt(s, due, report);
    }
    return report;
  }

  const tick = (): Promise<TickReport> => {
    if (running !== null) return running;
    if (stopped) return Promise.resolve({ at: opts.now().toISOString(), ran: [], skipped: [] });
    const p = look()
      .catch((err: unknown) => {
        opts.logger.error({ err }, 'scheduler tick failed');
        return { at: opts.now().toISOString(), ran: [], skipped: [] };
      })
      .finally(() => {
        running = null;
      });
    running = p;
    return p;
  };

  return {
    windowMs,
    start() {
      if (timer !== null || stopped) return;
      timer = setInterval(() => void tick(), opts.config.tick_seconds * 1000);
      timer.unref();
      void tick();
    },
    tick,
    async idle() {
      if (running !== null) await running;
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      abort.abort();
      if (running !== null) await running;
    },
  };
}
