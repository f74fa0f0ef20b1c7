/**
 * SQLite ↔ PostgreSQL parity: the same snapshots saved into both backends give identical
 * listSnapshots, snapshotResources and prune answers, and identical get_violation_history
 * answers (its per-scope grouping and trend math from src/store/trend.ts) — compared as exact
 * JSON, so even key order and number formatting must match.
 */
import fc from 'fast-check';
import pino from 'pino';
import t from 'tap';
import { createPostgresHistoryStore } from '../../src/store/postgres.js';
import { createSqliteHistoryStore } from '../../src/store/sqlite.js';
import { scopeKey } from '../../src/store/snapshot.js';
import type { HistoryQuery, HistoryStore, SnapshotInput, SnapshotScope } from '../../src/store/types.js';
import { getViolationHistory } from '../../src/tools/get-violation-history.js';
import { A, B, C, makeContext, NOW } from '../tools/helpers.js';
import { pgSkipReason, pgTestDatabase } from './postgres-harness.js';

const logger = pino({ level: 'silent' });
const skip = await pgSkipReason();
const DAY_MS = 86_400_000;

const SCOPES: SnapshotScope[] = [
  { account_ids: [A, B], regions: ['us-east-1', 'eu-west-1'], resource_types: ['ec2:instance', 's3:bucket'], policy_hash: 'p1' },
  { account_ids: [A], regions: ['us-east-1'], resource_types: ['ec2:instance'], policy_hash: 'p1' },
  { account_ids: [A, B, C], regions: ['us-east-1'], resource_types: ['ec2:instance'], policy_hash: 'p2' },
];

const ARNS = ['arn:aws:ec2:us-east-1:111111111111:instance/i-1', 'arn:aws:ec2:us-east-1:111111111111:instance/i-2', 'arn:aws:s3:::bücket', 'arn:aws:s3:::bZ', 'arn:aws:s3:::b-1'];
const TAG_SETS: Record<string, string>[] = [{}, { Owner: 'a', CostCenter: 'cc' }, { CostCenter: 'cc', Owner: 'a' }, { Name: '<x "y">', 'ünï': 'çødé' }, { b: '1', B: '2', a: '' }];

const resourceArb = fc.record({
  arn: fc.constantFrom(...ARNS),
  tags: fc.constantFrom(...TAG_SETS),
  compliant: fc.boolean(),
  region: fc.constantFrom('us-east-1', 'eu-west-1'),
});

const snapshotArb = fc
  .record({
    age_ms: fc.integer({ min: 0, max: 95 * DAY_MS }),
    scope: fc.constantFrom(...SCOPES),
    score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100 }).map((n) => n / 100)),
    total: fc.integer({ min: 0, max: 500 }),
    compliantShare: fc.double({ min: 0, max: 1, noNaN: true }),
    gapCents: fc.integer({ min: 0, max: 10_000_000 }),
    partial: fc.boolean(),
    byTag: fc.dictionary(fc.constantFrom('Owner', 'CostCenter', 'Environment', 'ünï'), fc.integer({ min: 0, max: 50 })),
    resources: fc.array(resourceArb, { maxLength: 8 }),
  })
  .map(({ age_ms, scope, score, total, compliantShare, gapCents, partial, byTag, resources }): SnapshotInput => {
    const compliant = Math.floor(total * compliantShare);
    return {
      taken_at: new Date(NOW.getTime() - age_ms).toISOString(),
      scope,
      compliance_score: score,
      total_resources: total,
      compliant_resources: compliant,
      violation_count: total - compliant,
      error_count: total - compliant,
      warning_count: 0,
      cost_attribution_gap: gapCents / 100,
      violations_by_tag: byTag,
      data_quality_status: partial ? 'partial' : 'complete',
      accounts: scope.account_ids.map((account_id, i) => ({ account_id, total_resources: i, compliant_resources: 0, violation_count: i, cost_attribution_gap: i * 1.5 })),
      resources: resources.map((r) => ({ ...r, resource_type: r.arn.includes(':s3:') ? 's3:bucket' : 'ec2:instance', account_id: A })),
    };
  });

const QUERIES: HistoryQuery[] = [
  { since: '2000-01-01T00:00:00Z' },
  { since: new Date(NOW.getTime() - 30 * DAY_MS).toISOString(), until: new Date(NOW.getTime() - 2 * DAY_MS).toISOString() },
  ...SCOPES.map((s) => ({ since: '2000-01-01T00:00:00Z', scope_key: scopeKey(s) })),
  { since: '2000-01-01T00:00:00Z', account_ids: [B] },
  { since: '2000-01-01T00:00:00Z', account_ids: [C, A] },
  { since: '2000-01-01T00:00:00Z', account_ids: ['999999999999'] },
];

const TOOL_INPUTS: Record<string, unknown>[] = [
  {},
  { days_back: 90, group_by: 'week' },
  { days_back: 90, group_by: 'month' },
  { days_back: 7, group_by: 'day' },
  { days_back: 90, account_ids: [B] },
  { days_back: 60, group_by: 'week', account_ids: [C] },
];

/** Every answer the two stores give, as exact JSON strings keyed by question. */
async function answers(store: HistoryStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const q of QUERIES) out[`list ${JSON.stringify(q)}`] = JSON.stringify(await store.listSnapshots(q));
  for (const s of await store.listSnapshots({ since: '2000-01-01T00:00:00Z' })) {
    out[`resources ${s.id}`] = JSON.stringify(await store.snapshotResources(s.id));
  }
  const ctx = { ...makeContext(), history: store };
  for (const input of TOOL_INPUTS) out[`get_violation_history ${JSON.stringify(input)}`] = JSON.stringify(await getViolationHistory.handler(ctx, input));
  return out;
}

t.test('SQLite and PostgreSQL give identical answers for the same snapshots', { skip }, async (t) => {
  const db = await pgTestDatabase(t);
  const pgStore = await createPostgresHistoryStore({ url: db.url, logger, batch_size: 3 });
  t.teardown(() => pgStore.close());

  t.test('a hand-checked history: improving trend, two scopes', async (t) => {
    await db.reset();
    const sqlite = createSqliteHistoryStore({ path: ':memory:', logger });
    t.teardown(() => sqlite.close());
    const days = [20, 13, 6, 1];
    for (const [i, d] of days.entries()) {
      for (const store of [sqlite, pgStore]) {
        await store.saveSnapshot({ ...sampleSnapshot(SCOPES[0], d, 0.5 + i * 0.1) });
        await store.saveSnapshot({ ...sampleSnapshot(SCOPES[1], d, 0.9 - i * 0.1) });
      }
    }
    const [a, b] = [await answers(sqlite), await answers(pgStore)];
    t.strictSame(b, a);
    const week = JSON.parse(b['get_violation_history {"days_back":90,"group_by":"week"}'] ?? '{}') as { series: { scope_key: string; trend: string; change: number }[] };
    // Weeks (NOW is Sunday 2026-11-22): W45 {20 days ago}, W46 {13}, W47 {6, 1} → last − first = avg(0.7, 0.8) − 0.5.
    t.same(Object.fromEntries(week.series.map((s) => [s.scope_key, [s.trend, s.change]])), {
      [scopeKey(SCOPES[0] as SnapshotScope)]: ['improving', 0.25],
      [scopeKey(SCOPES[1] as SnapshotScope)]: ['declining', -0.25],
    }, 'the answers compared are real trends, one series per scope');
  });

  t.test('generated histories (property)', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(snapshotArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 100 }), async (snaps, pruneDays) => {
        await db.reset();
        const sqlite = createSqliteHistoryStore({ path: ':memory:', logger });
        try {
          for (const s of snaps) {
            const [x, y] = [await sqlite.saveSnapshot(s), await pgStore.saveSnapshot(s)];
            if (JSON.stringify(x) !== JSON.stringify(y)) throw new Error(`saveSnapshot differs:\n${JSON.stringify(x)}\n${JSON.stringify(y)}`);
          }
          const [a, b] = [await answers(sqlite), await answers(pgStore)];
          t.strictSame(b, a, `${snaps.length} snapshot(s)`);
          const cutoff = new Date(NOW.getTime() - pruneDays * DAY_MS).toISOString();
          const [pa, pb] = [await sqlite.prune(cutoff), await pgStore.prune(cutoff)];
          t.equal(pb, pa, 'prune removes the same number');
          t.strictSame(await answers(pgStore), await answers(sqlite), 'and leaves the same history');
        } finally {
          await sqlite.close();
        }
      }),
      { numRuns: 15, seed: 4_2026 },
    );
  });
});

function sampleSnapshot(scope: SnapshotScope | undefined, daysAgo: number, score: number): SnapshotInput {
  if (scope === undefined) throw new Error('no scope');
  return {
    taken_at: new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString(),
    scope,
    compliance_score: Math.round(score * 100) / 100,
    total_resources: 10,
    compliant_resources: Math.round(score * 10),
    violation_count: 10 - Math.round(score * 10),
    error_count: 1,
    warning_count: 2,
    cost_attribution_gap: 99.99,
    violations_by_tag: { Owner: 2, CostCenter: 1 },
    data_quality_status: daysAgo === 13 ? 'partial' : 'complete',
    accounts: scope.account_ids.map((account_id) => ({ account_id, total_resources: 5, compliant_resources: 3, violation_count: 2, cost_attribution_gap: 10 })),
    resources: [{ arn: ARNS[0] ?? 'arn:x', resource_type: 'ec2:instance', account_id: A, region: 'us-east-1', tags: TAG_SETS[daysAgo % TAG_SETS.length] ?? {}, compliant: daysAgo > 5 }],
  };
}
