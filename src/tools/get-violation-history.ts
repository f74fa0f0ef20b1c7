/**
 * get_violation_history: compliance trend from stored snapshots (no AWS call). Snapshots are
 * grouped by day, ISO week or month (UTC) per scope: a trend line never mixes scopes (different
 * accounts, regions, types or policy), so several scopes in the window give several series,
 * the most recently updated first.
 */
import Type, { type Static } from 'typebox';
import { computeTrend, TREND_THRESHOLD, type TrendGranularity } from '../store/trend.js';
import type { SnapshotSummary } from '../store/types.js';
import { AccountIdsInput } from './common/schemas.js';
import { defineTool, type ToolContext } from './types.js';

const DAY_MS = 86_400_000;
/** At most this many series (scopes) per answer, most recent first. */
export const MAX_SERIES = 20;

const Input = Type.Object(
  {
    days_back: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30, description: 'How many days of history to return, counted back from now (1–90, default 30).' })),
    group_by: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
        default: 'day',
        description: 'Bucket size: day, week (ISO weeks, Monday–Sunday, UTC) or month. Each bucket holds the average score of its snapshots.',
      }),
    ),
    account_ids: Type.Optional(AccountIdsInput),
  },
  { additionalProperties: false },
);

const BucketOut = Type.Object(
  {
    period: Type.String({ description: 'YYYY-MM-DD, YYYY-Www (ISO week) or YYYY-MM.' }),
    start: Type.String(),
    end: Type.String(),
    snapshot_count: Type.Integer({ minimum: 1 }),
    average_score: Type.Number({ minimum: 0, maximum: 1 }),
    min_score: Type.Number({ minimum: 0, maximum: 1 }),
    max_score: Type.Number({ minimum: 0, maximum: 1 }),
    average_violation_count: Type.Number({ minimum: 0 }),
    latest_total_resources: Type.Integer({ minimum: 0 }),
    latest_cost_attribution_gap: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const SeriesOut = Type.Object(
  {
    scope_key: Type.String(),
    scope: Type.Object(
      {
        account_ids: Type.Array(Type.String()),
        regions: Type.Array(Type.String()),
        resource_types: Type.Array(Type.String()),
        policy_hash: Type.String(),
      },
      { additionalProperties: false },
    ),
    snapshot_count: Type.Integer({ minimum: 1 }),
    partial_snapshot_count: Type.Integer({ minimum: 0, description: 'Snapshots taken while some data could not be read (their scores are less reliable).' }),
    first_snapshot_at: Type.String(),
    last_snapshot_at: Type.String(),
    latest: Type.Object(
      {
        compliance_score: Type.Number({ minimum: 0, maximum: 1 }),
        total_resources: Type.Integer({ minimum: 0 }),
        compliant_resources: Type.Integer({ minimum: 0 }),
        violation_count: Type.Integer({ minimum: 0 }),
        cost_attribution_gap: Type.Number({ minimum: 0 }),
        data_quality_status: Type.Union([Type.Literal('complete'), Type.Literal('partial')]),
      },
      { additionalProperties: false },
    ),
    buckets: Type.Array(BucketOut),
    trend: Type.Union([Type.Literal('improving'), Type.Literal('declining'), Type.Literal('stable')], {
      description: `Last bucket vs first bucket: improving / declining when the average score moved by more than ${TREND_THRESHOLD} (one percentage point), else stable (also with a single bucket).`,
    }),
    change: Type.Number({ description: 'Last bucket average score minus first bucket average score (0–1 scale; 0.05 = 5 points).' }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    days_back: Type.Integer(),
    group_by: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
    since: Type.String(),
    until: Type.String(),
    snapshot_count: Type.Integer({ minimum: 0, description: 'Snapshots in the window across every series.' }),
    series: Type.Array(SeriesOut, { description: 'One trend line per scope (accounts, regions, types, policy), most recent first.' }),
    multiple_scopes: Type.Boolean(),
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type GetViolationHistoryInput = Static<typeof Input>;
export type GetViolationHistoryOutput = Static<typeof Output>;
type SeriesOutT = Static<typeof SeriesOut>;

const ACCOUNT_ID = /^\d{12}$/;

/** Account ids to filter on: 12-digit ids as given, names/aliases through the directory. */
async function accountFilter(ctx: ToolContext, requested: string[] | undefined): Promise<string[] | undefined> {
  if (requested === undefined || requested.length === 0 || requested.some((a) => a.toLowerCase() === 'all')) return undefined;
  const ids = requested.filter((a) => ACCOUNT_ID.test(a));
  const names = requested.filter((a) => !ACCOUNT_ID.test(a));
  if (names.length > 0) {
    const resolved = await ctx.accounts.resolve(names, ctx.signal);
    ids.push(...resolved.accounts.map((a) => a.account_id), ...resolved.skipped.map((s) => s.account_id));
  }
  return [...new Set(ids)].sort();
}

function series(snaps: SnapshotSummary[], groupBy: TrendGranularity): SeriesOutT | null {
  const first = snaps[0];
  const last = snaps[snaps.length - 1];
  if (!first || !last) return null;
  const trend = computeTrend(snaps, groupBy);
  return {
    scope_key: last.scope_key,
    scope: last.scope,
    snapshot_count: snaps.length,
    partial_snapshot_count: snaps.filter((s) => s.data_quality_status === 'partial').length,
    first_snapshot_at: first.taken_at,
    last_snapshot_at: last.taken_at,
    latest: {
      compliance_score: last.compliance_score,
      total_resources: last.total_resources,
      compliant_resources: last.compliant_resources,
      violation_count: last.violation_count,
      cost_attribution_gap: last.cost_attribution_gap,
      data_quality_status: last.data_quality_status,
    },
    buckets: trend.buckets,
    trend: trend.direction,
    change: trend.change,
  };
}

function pct(change: number): string {
  return `${change > 0 ? '+' : ''}${(Math.round(change * 1000) / 10).toFixed(1)} points`;
}

export const getViolationHistory = defineTool({
  name: 'get_violation_history',
  title: 'Get compliance history',
  description: [
    'Returns how tag compliance changed over time, from snapshots stored earlier (it does not scan AWS).',
    'Use it for "are we getting better?", "how did the score move this month?". Each series is one scope (same accounts, regions, resource types and policy) — scores of different scopes are never mixed in one line; when several scopes exist in the window you get several series, most recent first, and should say which one you describe.',
    'Per series: buckets (day, ISO week or month; average/min/max score, average violations, latest totals and unattributed monthly spend), trend (improving / declining / stable, threshold one percentage point) and change (last bucket minus first, 0–1 scale).',
    'No snapshot yet? Snapshots are created by check_tag_compliance with store_snapshot: true; run it (regularly) first.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Get compliance history', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{}, { days_back: 90, group_by: 'week' }, { days_back: 7, account_ids: ['production'] }],
  async handler(ctx, input) {
    const daysBack = input.days_back ?? 30;
    const groupBy: TrendGranularity = input.group_by ?? 'day';
    const now = ctx.now();
    const since = new Date(now.getTime() - daysBack * DAY_MS).toISOString();
    const until = now.toISOString();
    const accountIds = await accountFilter(ctx, input.account_ids);
    const allowed = ctx.principal.allowed_accounts;

    const found = await ctx.history.listSnapshots({ since, until, ...(accountIds === undefined ? {} : { account_ids: accountIds }) });
    const visible = allowed === null ? found : found.filter((s) => s.scope.account_ids.every((a) => allowed.includes(a)));
    const byScope = new Map<string, SnapshotSummary[]>();
    for (const s of visible) byScope.set(s.scope_key, [...(byScope.get(s.scope_key) ?? []), s]);
    const all = [...byScope.values()]
      .map((snaps) => series(snaps, groupBy))
      .filter((s): s is SeriesOutT => s !== null)
      .sort((a, b) => (a.last_snapshot_at < b.last_snapshot_at ? 1 : a.last_snapshot_at > b.last_snapshot_at ? -1 : a.scope_key.localeCompare(b.scope_key)));
    const shown = all.slice(0, MAX_SERIES);

    const notes: string[] = [];
    if (shown.length === 0) {
      const filter = accountIds === undefined ? '' : ` covering account(s) ${accountIds.join(', ')}`;
      notes.push(
        `No compliance snapshot${filter} was stored in the last ${daysBack} day(s). Snapshots are created by check_tag_compliance with store_snapshot: true` +
          `${accountIds === undefined ? '' : ' and the same account_ids'}; run it now (and regularly, e.g. daily) to build a history, then ask again.`,
      );
    } else {
      const top = shown[0];
      if (top) {
        notes.push(
          `${top.snapshot_count} snapshot(s) of the most recent scope (${top.scope.account_ids.length} account(s), ${top.scope.regions.length} region(s), ${top.scope.resource_types.length} type(s)) in ${top.buckets.length} ${groupBy} bucket(s): ` +
            `${top.trend} (${pct(top.change)}), latest score ${(top.latest.compliance_score * 100).toFixed(1)}%.`,
        );
        if (top.buckets.length < 2) notes.push('A trend needs snapshots in at least two buckets: store snapshots regularly or use a smaller group_by.');
      }
      if (all.length > 1) {
        notes.push(`Snapshots of ${all.length} different scopes exist in this window; each scope is its own series (trends are never mixed across scopes)${all.length > shown.length ? `; the ${shown.length} most recent are shown` : ''}.`);
      }
      const partial = shown.reduce((n, s) => n + s.partial_snapshot_count, 0);
      if (partial > 0) notes.push(`${partial} snapshot(s) were taken with partial data (some cells unreadable); their scores are lower-confidence.`);
    }
    if (allowed !== null && visible.length < found.length) notes.push('Snapshots covering accounts you may not access are not shown.');

    return {
      days_back: daysBack,
      group_by: groupBy,
      since,
      until,
      snapshot_count: shown.reduce((n, s) => n + s.snapshot_count, 0),
      series: shown,
      multiple_scopes: all.length > 1,
      note: notes.join(' '),
    };
  },
});
