/**
 * When a scheduled audit fires, computed in its IANA time zone with Intl (no fixed offsets, so
 * daylight-saving changes are followed). Pure functions.
 *
 * Local times that do not exist or exist twice follow the "compatible" rule of Temporal (and of
 * cron implementations such as Vixie cron for the gap):
 * - spring forward (02:30 does not exist in New York on the DST start day): the run is moved
 *   forward by the length of the gap (03:30 local, the same instant as 02:30 in the old offset);
 * - fall back (01:30 happens twice): the run happens once, at the first (earlier) 01:30.
 * Monthly schedules on a day the month does not have (31 in April, 29–31 in February) run on the
 * month's last day.
 */
import type { AuditTiming, AuditWeekday } from '../store/types.js';

export const WEEKDAYS: readonly AuditWeekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The canonical IANA name of a zone ("europe/paris" → "Europe/Paris"), or null when Intl does not know it. */
export function canonicalTimeZone(zone: string): string | null {
  if (zone.trim() === '' || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock time in `timeZone` at `instant`. */
export function localParts(instant: Date | number, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') out[p.type] = Number(p.value);
  }
  return out;
}

/** UTC offset of `timeZone` at `instant`, in milliseconds (local − UTC). */
export function offsetAt(instant: number, timeZone: string): number {
  const l = localParts(instant, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a local wall-clock time (seconds 0). Ambiguous (fall back): the earlier one.
 * Non-existent (spring forward): shifted forward by the gap.
 */
export function zonedToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsets = [...new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)])];
  const valid = offsets
    .map((o) => wall - o)
    .filter((t) => {
      const l = localParts(t, timeZone);
      return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute) === wall;
    })
    .sort((a, b) => a - b);
  if (valid[0] !== undefined) return valid[0];
  // In a gap: interpret the wall time with the offset in force before the transition.
  return wall - offsetAt(wall - DAY_MS, timeZone);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function parseTimeOfDay(time: string): { hour: number; minute: number } {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (m === null) throw new RangeError(`time of day must be HH:MM (00:00–23:59), got ${JSON.stringify(time)}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** Does this calendar date (in the schedule's zone) carry an occurrence? */
export function isRunDate(timing: AuditTiming, year: number, month: number, day: number): boolean {
  switch (timing.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekday(year, month, day) === WEEKDAYS.indexOf(timing.day_of_week ?? 'monday') + 1;
    case 'monthly':
      return day === Math.min(timing.day_of_month ?? 1, daysInMonth(year, month));
  }
}

/** The first occurrence strictly after `after`. */
export function nextRun(timing: AuditTiming, after: Date): Date {
  const { hour, minute } = parseTimeOfDay(timing.time_of_day);
  const start = localParts(after.getTime(), timing.timezone);
  // Start one local day early: an occurrence just after `after` may sit on the previous local date
  // when the offset changes; at most 366 days cover every monthly case (day 31 → last day).
  const cursor = new Date(Date.UTC(start.year, start.month - 1, start.day) - DAY_MS);
  for (let i = 0; i < 400; i++) {
    const y = cursor.getUTCFullYear();
    const m = cursor.getUTCMonth() + 1;
    const d = cursor.getUTCDate();
    if (isRunDate(timing, y, m, d)) {
      const at = zonedToInstant(y, m, d, hour, minute, timing.timezone);
      if (at > after.getTime()) return new Date(at);
    }
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  throw new Error(`no occurrence within 400 days for ${JSON.stringify(timing)}`);
}

/**
 * The latest occurrence in (`notBefore`, `now`], or null. Used by the scheduler: an occurrence
 * that came due since the last look (or while the server was down, within the grace window).
 */
export function latestDue(timing: AuditTiming, notBefore: Date, now: Date): Date | null {
  let found: Date | null = null;
  let next = nextRun(timing, notBefore);
  while (next.getTime() <= now.getTime()) {
    found = next;
    next = nextRun(timing, next);
  }
  return found;
}

/** "2026-11-23 09:30 Europe/Paris (UTC+01:00)" — how a person reads an occurrence. */
export function describeLocal(instant: Date, timeZone: string): string {
  const l = localParts(instant.getTime(), timeZone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const off = offsetAt(instant.getTime(), timeZone) / 60_000;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)} ${timeZone} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}
