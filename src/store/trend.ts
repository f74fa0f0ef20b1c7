/**
 * Trend math over stored snapshots (pure, UTC). Snapshots are grouped into calendar buckets —
 * day (`2026-11-22`), ISO-8601 week (`2026-W47`, weeks start on Monday, the week-year is the
 * year of the week's Thursday) or month (`2026-11`) — and each bucket gets the plain average of
 * its snapshots' scores.
 *
 * Direction compares the first and the last bucket averages: `change = last − first` (score
 * points, 0.0–1.0 scale). The trend is `improving` when change > TREND_THRESHOLD, `declining`
 * when change < −TREND_THRESHOLD, else `stable` (also with fewer than two buckets).
 * TREND_THRESHOLD = 0.01, one percentage point of compliance: smaller moves are noise from
 * resources coming and going between scans.
 *
 * Callers must pass snapshots of ONE scope: mixing scopes makes the line meaningless.
 */
import type { SnapshotSummary } from './types.js';

export type TrendGranularity = 'day' | 'week' | 'month';
export type TrendDirection = 'improving' | 'declining' | 'stable';

export const TREND_THRESHOLD = 0.01;

export interface TrendBucket {
  /** `YYYY-MM-DD`, `YYYY-Www` or `YYYY-MM`. */
  period: string;
  /** Bucket bounds, ISO UTC, start inclusive, end exclusive. */
  start: string;
  end: string;
  snapshot_count: number;
  average_score: number;
  min_score: number;
  max_score: number;
  average_violation_count: number;
  /** Figures of the last snapshot in the bucket. */
  latest_total_resources: number;
  latest_cost_attribution_gap: number;
}

export interface Trend {
  buckets: TrendBucket[];
  direction: TrendDirection;
  /** last bucket average − first bucket average (0 with fewer than two buckets). */
  change: number;
}

const DAY_MS = 86_400_000;

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ISO week-year and week number of a UTC date. */
export function isoWeek(date: Date): { year: number; week: number; monday: Date } {
  const day = (date.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day));
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week, monday };
}

/** The bucket a time falls into. */
export function bucketOf(iso: string, granularity: TrendGranularity): { period: string; start: Date; end: Date } {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new TypeError(`Not a timestamp: ${JSON.stringify(iso)}`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (granularity) {
    case 'day': {
      const start = new Date(Date.UTC(y, m, d.getUTCDate()));
      return { period: `${y}-${pad(m + 1)}-${pad(d.getUTCDate())}`, start, end: new Date(start.getTime() + DAY_MS) };
    }
    case 'week': {
      const w = isoWeek(d);
      return { period: `${w.year}-W${pad(w.week)}`, start: w.monday, end: new Date(w.monday.getTime() + 7 * DAY_MS) };
    }
    case 'month':
      return { period: `${y}-${pad(m + 1)}`, start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  }
}

type TrendInput = Pick<SnapshotSummary, 'taken_at' | 'compliance_score' | 'violation_count' | 'total_resources' | 'cost_attribution_gap'>;

/** Buckets in time order; snapshots inside a bucket are taken in taken_at order. */
export function groupSnapshots(snapshots: readonly TrendInput[], granularity: TrendGranularity): TrendBucket[] {
  const sorted = [...snapshots].sort((a, b) => Date.parse(a.taken_at) - Date.parse(b.taken_at));
  const groups = new Map<string, { start: Date; end: Date; items: TrendInput[] }>();
  for (const s of sorted) {
    const b = bucketOf(s.taken_at, granularity);
    const g = groups.get(b.period) ?? { start: b.start, end: b.end, items: [] };
    g.items.push(s);
    groups.set(b.period, g);
  }
  const out: TrendBucket[] = [];
  for (const [period, g] of groups) {
    const scores = g.items.map((s) => s.compliance_score);
    const last = g.items[g.items.length - 1];
    if (!last) continue;
    out.push({
      period,
      start: g.start.toISOString(),
      end: g.end.toISOString(),
      snapshot_count: g.items.length,
      average_score: round4(scores.reduce((a, b) => a + b, 0) / scores.length),
      min_score: Math.min(...scores),
      max_score: Math.max(...scores),
      average_violation_count: Math.round((g.items.reduce((a, s) => a + s.violation_count, 0) / g.items.length) * 100) / 100,
      latest_total_resources: last.total_resources,
      latest_cost_attribution_gap: last.cost_attribution_gap,
    });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function trendDirection(change: number): TrendDirection {
  if (change > TREND_THRESHOLD) return 'improving';
  if (change < -TREND_THRESHOLD) return 'declining';
  return 'stable';
}

export function computeTrend(snapshots: readonly TrendInput[], granularity: TrendGranularity): Trend {
  const buckets = groupSnapshots(snapshots, granularity);
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const change = first && last && buckets.length > 1 ? round4(last.average_score - first.average_score) : 0;
  return { buckets, direction: trendDirection(change), change };
}
