import t from 'tap';
import { bucketOf, computeTrend, groupSnapshots, isoWeek, TREND_THRESHOLD, trendDirection } from '../../src/store/trend.js';

const snap = (taken_at: string, compliance_score: number, violation_count = 0) => ({
  taken_at,
  compliance_score,
  violation_count,
  total_resources: 100,
  cost_attribution_gap: 10,
});

t.test('ISO weeks (UTC)', async (t) => {
  t.same(isoWeek(new Date('2026-01-01T12:00:00Z')).week, 1, 'Thursday 1 Jan 2026 is in W01');
  t.equal(bucketOf('2024-12-30T00:00:00Z', 'week').period, '2025-W01', 'Monday 30 Dec 2024 belongs to 2025');
  t.equal(bucketOf('2021-01-03T23:59:59Z', 'week').period, '2020-W53', 'Sunday 3 Jan 2021 belongs to 2020-W53');
  const w = bucketOf('2026-11-22T23:00:00Z', 'week');
  t.same(w, { period: '2026-W47', start: new Date('2026-11-16T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') });
  t.equal(bucketOf('2026-11-23T00:00:00Z', 'week').period, '2026-W48');
  t.equal(bucketOf('2026-11-22T23:30:00-05:00', 'day').period, '2026-11-23', 'offsets are converted to UTC');
});

t.test('months and days', async (t) => {
  t.same(bucketOf('2026-12-31T23:59:59Z', 'month'), { period: '2026-12', start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  t.equal(bucketOf('2026-11-30T23:59:59.999Z', 'month').period, '2026-11');
  t.equal(bucketOf('2026-02-03T00:00:00Z', 'day').end.toISOString(), '2026-02-04T00:00:00.000Z');
  t.throws(() => bucketOf('nope', 'day'), TypeError);
});

const SERIES = [
  snap('2026-11-18T08:00:00Z', 0.65, 35),
  snap('2026-11-16T10:00:00Z', 0.5, 50),
  snap('2026-11-16T20:00:00Z', 0.7, 30),
  snap('2026-11-23T09:00:00Z', 0.8, 20),
];

t.test('daily buckets: averages by hand', async (t) => {
  const b = groupSnapshots(SERIES, 'day');
  t.same(
    b.map((x) => [x.period, x.snapshot_count, x.average_score, x.min_score, x.max_score, x.average_violation_count]),
    [
      ['2026-11-16', 2, 0.6, 0.5, 0.7, 40],
      ['2026-11-18', 1, 0.65, 0.65, 0.65, 35],
      ['2026-11-23', 1, 0.8, 0.8, 0.8, 20],
    ],
  );
  const trend = computeTrend(SERIES, 'day');
  t.equal(trend.change, 0.2, '0.8 − 0.6');
  t.equal(trend.direction, 'improving');
});

t.test('weekly buckets: (0.5 + 0.7 + 0.65) / 3 = 0.6167', async (t) => {
  const trend = computeTrend(SERIES, 'week');
  t.same(trend.buckets.map((x) => [x.period, x.average_score, x.start]), [
    ['2026-W47', 0.6167, '2026-11-16T00:00:00.000Z'],
    ['2026-W48', 0.8, '2026-11-23T00:00:00.000Z'],
  ]);
  t.equal(trend.change, 0.1833, '0.8 − 0.6167');
  t.equal(trend.direction, 'improving');
  t.equal(trend.buckets[0]?.latest_total_resources, 100);
});

t.test('one bucket is stable with no change', async (t) => {
  const trend = computeTrend(SERIES, 'month');
  t.equal(trend.buckets.length, 1);
  t.equal(trend.buckets[0]?.average_score, 0.6625, '(0.5 + 0.7 + 0.65 + 0.8) / 4');
  t.equal(trend.change, 0);
  t.equal(trend.direction, 'stable');
  t.same(computeTrend([], 'day'), { buckets: [], direction: 'stable', change: 0 });
});

t.test('direction threshold is one percentage point, exclusive', async (t) => {
  t.equal(TREND_THRESHOLD, 0.01);
  t.equal(computeTrend([snap('2026-11-01T00:00:00Z', 0.9), snap('2026-11-02T00:00:00Z', 0.85)], 'day').direction, 'declining');
  t.equal(computeTrend([snap('2026-11-01T00:00:00Z', 0.9), snap('2026-11-02T00:00:00Z', 0.85)], 'day').change, -0.05);
  t.equal(computeTrend([snap('2026-11-01T00:00:00Z', 0.8), snap('2026-11-02T00:00:00Z', 0.81)], 'day').direction, 'stable', 'exactly +0.01 is stable');
  t.equal(computeTrend([snap('2026-11-01T00:00:00Z', 0.8), snap('2026-11-02T00:00:00Z', 0.8101)], 'day').direction, 'improving');
  t.equal(trendDirection(-0.0101), 'declining');
  t.equal(trendDirection(-0.01), 'stable');
});
