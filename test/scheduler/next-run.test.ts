/**
 * next_run computation: known DST answers, and properties (fast-check) checked against a brute
 * force oracle that walks a 15-minute grid of instants and reads each one's wall clock with Intl.
 */
import fc from 'fast-check';
import t from 'tap';
import { canonicalTimeZone, describeLocal, latestDue, localParts, nextRun, offsetAt, WEEKDAYS, zonedToInstant } from '../../src/scheduler/next-run.js';
import type { AuditTiming, AuditWeekday } from '../../src/store/types.js';

const daily = (time_of_day: string, timezone: string): AuditTiming => ({ frequency: 'daily', time_of_day, timezone, day_of_week: null, day_of_month: null });
const iso = (d: Date): string => d.toISOString();

t.test('zone names are validated and canonicalised with Intl', async (t) => {
  t.equal(canonicalTimeZone('Europe/Paris'), 'Europe/Paris');
  t.equal(canonicalTimeZone('europe/paris'), 'Europe/Paris');
  t.equal(canonicalTimeZone('UTC'), 'UTC');
  t.equal(canonicalTimeZone('Mars/Olympus_Mons'), null);
  t.equal(canonicalTimeZone(''), null);
  t.equal(canonicalTimeZone('+05:00') === null || canonicalTimeZone('+05:00') === '+05:00', true, 'offset zones are whatever Intl says');
});

t.test('daily 09:00 New York follows daylight saving time', async (t) => {
  const tz = 'America/New_York';
  t.equal(iso(nextRun(daily('09:00', tz), new Date('2026-03-07T15:00:00Z'))), '2026-03-08T13:00:00.000Z', 'after the switch: EDT (UTC-4)');
  t.equal(iso(nextRun(daily('09:00', tz), new Date('2026-03-07T13:59:59Z'))), '2026-03-07T14:00:00.000Z', 'before: EST (UTC-5)');
  t.equal(iso(nextRun(daily('09:00', tz), new Date('2026-03-07T14:00:00Z'))), '2026-03-08T13:00:00.000Z', 'strictly after');
  t.equal(iso(nextRun(daily('09:00', tz), new Date('2026-10-31T14:00:00Z'))), '2026-11-01T14:00:00.000Z', 'back to EST in November');
});

t.test('a local time in the spring-forward gap runs shifted by the gap; a repeated one runs once (the first)', async (t) => {
  const ny = 'America/New_York';
  t.equal(iso(nextRun(daily('02:30', ny), new Date('2026-03-08T05:00:00Z'))), '2026-03-08T07:30:00.000Z', '02:30 does not exist: 03:30 EDT');
  t.equal(iso(nextRun(daily('02:30', ny), new Date('2026-03-08T07:30:00Z'))), '2026-03-09T06:30:00.000Z', 'next day: 02:30 EDT');
  t.equal(iso(nextRun(daily('01:30', ny), new Date('2026-11-01T04:00:00Z'))), '2026-11-01T05:30:00.000Z', '01:30 EDT, the first of the two');
  t.equal(iso(nextRun(daily('01:30', ny), new Date('2026-11-01T05:30:00Z'))), '2026-11-02T06:30:00.000Z', 'not again at 01:30 EST the same day');
  t.equal(iso(nextRun(daily('01:30', 'Europe/London'), new Date('2026-03-29T00:00:00Z'))), '2026-03-29T01:30:00.000Z', 'London gap: 02:30 BST');
  t.equal(iso(nextRun(daily('02:15', 'Australia/Lord_Howe'), new Date('2026-10-03T12:00:00Z'))), '2026-10-03T15:45:00.000Z', 'Lord Howe 30-minute gap on 4 October: 02:15 (+10:30) = 02:45 (+11)');
  t.equal(iso(nextRun(daily('09:00', 'Asia/Kathmandu'), new Date('2026-11-22T00:00:00Z'))), '2026-11-22T03:15:00.000Z', '+05:45');
});

t.test('weekly and monthly dates; short months run on their last day', async (t) => {
  const weekly = (day: AuditWeekday): AuditTiming => ({ frequency: 'weekly', time_of_day: '08:00', timezone: 'Europe/Paris', day_of_week: day, day_of_month: null });
  t.equal(iso(nextRun(weekly('monday'), new Date('2026-11-22T12:00:00Z'))), '2026-11-23T07:00:00.000Z', 'Sunday → Monday 08:00 CET');
  t.equal(iso(nextRun(weekly('sunday'), new Date('2026-11-22T06:00:00Z'))), '2026-11-22T07:00:00.000Z', 'later the same day');
  t.equal(iso(nextRun(weekly('sunday'), new Date('2026-11-22T07:00:00Z'))), '2026-11-29T07:00:00.000Z', 'a week later');
  const monthly = (d: number): AuditTiming => ({ frequency: 'monthly', time_of_day: '23:30', timezone: 'UTC', day_of_week: null, day_of_month: d });
  t.equal(iso(nextRun(monthly(31), new Date('2026-02-01T00:00:00Z'))), '2026-02-28T23:30:00.000Z', 'February: the 28th');
  t.equal(iso(nextRun(monthly(31), new Date('2028-02-01T00:00:00Z'))), '2028-02-29T23:30:00.000Z', 'leap year: the 29th');
  t.equal(iso(nextRun(monthly(31), new Date('2026-03-01T00:00:00Z'))), '2026-03-31T23:30:00.000Z');
  t.equal(iso(nextRun(monthly(31), new Date('2026-04-01T00:00:00Z'))), '2026-04-30T23:30:00.000Z');
  t.equal(iso(nextRun(monthly(1), new Date('2026-12-01T23:30:00Z'))), '2027-01-01T23:30:00.000Z', 'across the year');
  const tokyo: AuditTiming = { frequency: 'monthly', time_of_day: '00:15', timezone: 'Asia/Tokyo', day_of_week: null, day_of_month: 1 };
  t.equal(iso(nextRun(tokyo, new Date('2026-11-22T00:00:00Z'))), '2026-11-30T15:15:00.000Z', 'the 1st in Tokyo is still the 30th in UTC');
});

t.test('latestDue: the most recent occurrence inside the window, or null', async (t) => {
  const timing = daily('09:00', 'UTC');
  t.equal(latestDue(timing, new Date('2026-11-22T08:00:00Z'), new Date('2026-11-22T08:59:59Z')), null);
  t.equal(iso(latestDue(timing, new Date('2026-11-22T08:00:00Z'), new Date('2026-11-22T09:00:00Z')) ?? new Date(0)), '2026-11-22T09:00:00.000Z', 'due exactly at the time');
  t.equal(iso(latestDue(timing, new Date('2026-11-19T00:00:00Z'), new Date('2026-11-22T10:00:00Z')) ?? new Date(0)), '2026-11-22T09:00:00.000Z', 'several missed: only the latest');
  t.equal(latestDue(timing, new Date('2026-11-22T09:00:00Z'), new Date('2026-11-22T10:00:00Z')), null, 'the window start is exclusive');
});

t.test('describeLocal shows the wall clock and offset', async (t) => {
  t.equal(describeLocal(new Date('2026-11-23T08:30:00Z'), 'Europe/Paris'), '2026-11-23 09:30 Europe/Paris (UTC+01:00)');
  t.equal(describeLocal(new Date('2026-07-01T12:00:00Z'), 'America/St_Johns'), '2026-07-01 09:30 America/St_Johns (UTC-02:30)');
});

const ZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Santiago', 'America/St_Johns', 'Africa/Casablanca', 'Pacific/Apia'];
const QUARTER = 15 * 60_000;

const timingArb: fc.Arbitrary<AuditTiming> = fc
  .record({
    frequency: fc.constantFrom<AuditTiming['frequency']>('daily', 'weekly', 'monthly'),
    hour: fc.integer({ min: 0, max: 23 }),
    quarter: fc.integer({ min: 0, max: 3 }),
    timezone: fc.constantFrom(...ZONES),
    dow: fc.constantFrom(...WEEKDAYS),
    dom: fc.integer({ min: 1, max: 31 }),
  })
  .map((r) => ({
    frequency: r.frequency,
    time_of_day: `${String(r.hour).padStart(2, '0')}:${String(r.quarter * 15).padStart(2, '0')}`,
    timezone: r.timezone,
    day_of_week: r.frequency === 'weekly' ? r.dow : null,
    day_of_month: r.frequency === 'monthly' ? r.dom : null,
  }));
const nowArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) }).map((ms) => new Date(ms));

function dateMatches(timing: AuditTiming, year: number, month: number, day: number): boolean {
  if (timing.frequency === 'daily') return true;
  if (timing.frequency === 'weekly') {
    const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    return WEEKDAYS[(dow + 6) % 7] === timing.day_of_week;
  }
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day === Math.min(timing.day_of_month ?? 1, last);
}

/** First instant on the 15-minute grid after `now` whose wall clock is exactly the schedule's (null: none within 32 days). */
function oracle(timing: AuditTiming, now: Date): number | null {
  let at = Math.floor(now.getTime() / QUARTER) * QUARTER + QUARTER;
  const [h, m] = timing.time_of_day.split(':').map(Number);
  for (let i = 0; i < 32 * 96; i++, at += QUARTER) {
    const l = localParts(at, timing.timezone);
    if (l.hour === h && l.minute === m && dateMatches(timing, l.year, l.month, l.day)) return at;
  }
  return null;
}

t.test('property: next_run is after now, on a run date, at the local time (or shifted by a DST gap), and nothing earlier qualifies', async (t) => {
  fc.assert(
    fc.property(timingArb, nowArb, (timing, now) => {
      const next = nextRun(timing, now);
      if (!(next.getTime() > now.getTime())) return false;
      if (next.getTime() - now.getTime() > 32 * 86_400_000) return false;
      if (next.getUTCSeconds() !== 0 || next.getUTCMilliseconds() !== 0) return false;
      const l = localParts(next.getTime(), timing.timezone);
      const wall = `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
      const expected = oracle(timing, now);
      if (wall === timing.time_of_day) {
        // At the wall-clock time: the oracle (first such instant) must agree.
        return dateMatches(timing, l.year, l.month, l.day) && expected === next.getTime();
      }
      // Not at the wall-clock time: only allowed when that time does not exist that day (a DST gap),
      // and then the instant is the wall time read with the offset before the transition.
      const before = offsetAt(next.getTime() - 6 * 3_600_000, timing.timezone);
      const after = offsetAt(next.getTime(), timing.timezone);
      return after > before && (expected === null || expected > next.getTime());
    }),
    { numRuns: 400 },
  );
  t.pass('400 random schedules × instants');
});

t.test('property: next_run is stable inside the interval and strictly increasing', async (t) => {
  fc.assert(
    fc.property(timingArb, nowArb, fc.double({ min: 0, max: 1, noNaN: true }), (timing, now, frac) => {
      const next = nextRun(timing, now);
      const inside = new Date(now.getTime() + Math.floor((next.getTime() - now.getTime() - 1) * frac));
      const again = nextRun(timing, next);
      return nextRun(timing, inside).getTime() === next.getTime() && again.getTime() > next.getTime() && nextRun(timing, new Date(next.getTime() - 1)).getTime() === next.getTime();
    }),
    { numRuns: 300 },
  );
  t.pass('300 cases');
});

t.test('property: zonedToInstant round-trips every wall time that exists', async (t) => {
  fc.assert(
    fc.property(nowArb, fc.constantFrom(...ZONES), (instant, tz) => {
      const at = Math.floor(instant.getTime() / 60_000) * 60_000;
      const l = localParts(at, tz);
      const back = zonedToInstant(l.year, l.month, l.day, l.hour, l.minute, tz);
      const lb = localParts(back, tz);
      // Same wall clock; ambiguous times map to the earlier instant (so back ≤ at).
      return lb.year === l.year && lb.month === l.month && lb.day === l.day && lb.hour === l.hour && lb.minute === l.minute && back <= at;
    }),
    { numRuns: 500 },
  );
  t.pass('500 cases');
});
