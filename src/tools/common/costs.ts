/**
 * Cost loading for tools: one Cost Explorer query (through ctx.costs) for every scanned account,
 * allocated to resources. A Cost Explorer failure never fails a compliance scan: figures become 0
 * and the answer says so.
 */
import { AwsAccessError } from '../../aws/gateway.js';
import { CancelledError, UserError } from '../../core/errors.js';
import type { ResourceRecord } from '../../core/types.js';
import { allocateCosts, type CostAllocation } from '../../costs/allocate.js';
import type { CostReport, Inventory } from '../../scan/types.js';
import type { ToolContext } from '../types.js';

export interface CostPeriod {
  /** Inclusive, YYYY-MM-DD. */
  start: string;
  /** Exclusive, YYYY-MM-DD. */
  end: string;
}

export interface CostOutcome {
  /** False when Cost Explorer was not read (failed or not asked for): every figure is 0. */
  available: boolean;
  period: CostPeriod;
  report: CostReport | null;
  allocation: CostAllocation;
  /** Why costs are missing (for data_quality.coverage_notes); null when available. */
  note: string | null;
}

const DAY_MS = 86_400_000;

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The last full 30 days before today (UTC): [today − 30, today). */
export function defaultCostPeriod(now: Date): CostPeriod {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { start: ymd(new Date(today - 30 * DAY_MS)), end: ymd(new Date(today)) };
}

function parseDay(value: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m === null ? Number.NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || ymd(new Date(ms)) !== value) {
    throw new UserError(`${field} must be a calendar date written YYYY-MM-DD (got ${JSON.stringify(value)}).`, { field: `/time_period/${field}` });
  }
  return ms;
}

/** Validate a caller's period: start < end (end exclusive), at most 366 days. */
export function validatePeriod(period: CostPeriod): { period: CostPeriod; days: number } {
  const s = parseDay(period.start, 'start');
  const e = parseDay(period.end, 'end');
  if (s >= e) throw new UserError(`time_period.start (${period.start}) must be before time_period.end (${period.end}); end is exclusive.`, { field: '/time_period' });
  const days = Math.round((e - s) / DAY_MS);
  if (days > 366) throw new UserError(`time_period covers ${days} days; the most Cost Explorer is asked for at once is 366 days. Narrow the period.`, { field: '/time_period' });
  return { period, days };
}

export function periodDays(period: CostPeriod): number {
  return Math.round((Date.parse(`${period.end}T00:00:00Z`) - Date.parse(`${period.start}T00:00:00Z`)) / DAY_MS);
}

/** Accounts whose spend is read: every account the scan attempted. A failed account's spend is
 * still real: with no resources to carry it, it is reported as unallocated, never dropped. */
export function scannedAccountIds(inventory: Inventory): string[] {
  return inventory.accounts.filter((a) => a.status !== 'skipped').map((a) => a.account_id).sort();
}

function emptyAllocation(): CostAllocation {
  return { by_arn: new Map(), unallocated: [], total: 0 };
}

/** Read spend for the accounts and allocate it to `resources`. Throws only when `strict`. */
export async function loadCosts(
  ctx: ToolContext,
  opts: { account_ids: string[]; resources: readonly ResourceRecord[]; resource_types?: readonly string[]; period: CostPeriod; force_refresh: boolean; strict?: boolean },
): Promise<CostOutcome> {
  if (opts.account_ids.length === 0) {
    return { available: false, period: opts.period, report: null, allocation: emptyAllocation(), note: 'No account was scanned successfully, so no spend was read from Cost Explorer.' };
  }
  try {
    const report = await ctx.costs.serviceCosts({ account_ids: opts.account_ids, start: opts.period.start, end: opts.period.end, force_refresh: opts.force_refresh, signal: ctx.signal });
    return { available: true, period: opts.period, report, allocation: allocateCosts(report.lines, opts.resources, opts.resource_types), note: null };
  } catch (err) {
    if (err instanceof CancelledError || ctx.signal.aborted || opts.strict === true) throw err;
    const reason = err instanceof AwsAccessError ? `${err.code}: ${err.message}` : 'unexpected error (see server log)';
    ctx.logger.warn({ err }, 'Cost Explorer query failed; answering with zero costs');
    return {
      available: false,
      period: opts.period,
      report: null,
      allocation: emptyAllocation(),
      note: `Cost Explorer could not be read (${reason}); cost_attribution_gap and cost_impact_monthly are 0 because spend is unknown, not because it is zero.`,
    };
  }
}
