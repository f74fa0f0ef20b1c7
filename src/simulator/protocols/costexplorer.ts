/**
 * Cost Explorer (JSON 1.1): GetCostAndUsage from the management account. A resource costs
 * `monthly_cost × days / 30` over any period; groups by LINKED_ACCOUNT, SERVICE, REGION or a tag key.
 */
import { getResourceType } from '../../aws/registry.js';
import type { CallContext } from '../context.js';
import { SimError, accessDenied, jsonResponse, type WireResponse } from '../errors.js';
import { paginate } from '../paging.js';
import type { SimAccount, SimResource } from '../types.js';
import { optObject, optObjectArray, optString, optStringArray, reqString, tokenOffset, type JsonBody } from './json.js';

const INVALID = 'ValidationException';
const METRICS = new Set(['UnblendedCost', 'BlendedCost', 'AmortizedCost', 'NetUnblendedCost', 'NetAmortizedCost']);
const DAY_MS = 86_400_000;
const DIMENSIONS = new Set(['LINKED_ACCOUNT', 'SERVICE', 'REGION']);

interface Row {
  account: SimAccount;
  resource: SimResource;
}

interface Bucket {
  start: string;
  end: string;
  days: number;
}

function parseDate(value: string, field: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new SimError(INVALID, `${field} must be a date in YYYY-MM-DD form`);
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new SimError(INVALID, `${field} is not a valid date`);
  return ms;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Splits [start, end) into the granularity's buckets. */
export function buckets(start: number, end: number, granularity: string): Bucket[] {
  const out: Bucket[] = [];
  let cur = start;
  while (cur < end) {
    let next: number;
    if (granularity === 'DAILY') next = cur + DAY_MS;
    else {
      const d = new Date(cur);
      next = Math.min(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1), end);
    }
    next = Math.min(next, end);
    out.push({ start: day(cur), end: day(next), days: Math.round((next - cur) / DAY_MS) });
    cur = next;
  }
  return out;
}

export function costService(r: SimResource): string {
  return getResourceType(r.type)?.cost_service ?? r.type;
}

function dimension(row: Row, key: string): string {
  switch (key) {
    case 'LINKED_ACCOUNT':
      return row.account.id;
    case 'SERVICE':
      return costService(row.resource);
    case 'REGION':
      return row.resource.region;
    default:
      throw new SimError(INVALID, `Dimension ${key} is not supported by the simulator`);
  }
}

type Grouper = (row: Row) => string;

function groupers(body: JsonBody): { defs: JsonBody[]; fns: Grouper[] } {
  const defs = optObjectArray(body, 'GroupBy', INVALID) ?? [];
  if (defs.length > 2) throw new SimError(INVALID, 'GroupBy supports at most 2 groupings');
  const fns = defs.map((g): Grouper => {
    const type = reqString(g, 'Type', INVALID);
    const key = reqString(g, 'Key', INVALID);
    if (type === 'DIMENSION') {
      if (!DIMENSIONS.has(key)) throw new SimError(INVALID, `Dimension ${key} is not supported by the simulator`);
      return (row) => dimension(row, key);
    }
    if (type === 'TAG') return (row) => `${key}$${row.resource.tags[key] ?? ''}`;
    throw new SimError(INVALID, `GroupBy type ${type} is not supported`);
  });
  return { defs, fns };
}

/** Filter expression: Dimensions, Tags, And, Or, Not. */
function compileFilter(expr: JsonBody | undefined): (row: Row) => boolean {
  if (expr === undefined) return () => true;
  const and = optObjectArray(expr, 'And', INVALID);
  if (and) {
    const parts = and.map(compileFilter);
    return (row) => parts.every((p) => p(row));
  }
  const or = optObjectArray(expr, 'Or', INVALID);
  if (or) {
    const parts = or.map(compileFilter);
    return (row) => parts.some((p) => p(row));
  }
  const not = optObject(expr, 'Not', INVALID);
  if (not) {
    const inner = compileFilter(not);
    return (row) => !inner(row);
  }
  const dims = optObject(expr, 'Dimensions', INVALID);
  if (dims) {
    const key = reqString(dims, 'Key', INVALID);
    const values = optStringArray(dims, 'Values', INVALID) ?? [];
    return (row) => values.includes(dimension(row, key));
  }
  const tags = optObject(expr, 'Tags', INVALID);
  if (tags) {
    const key = reqString(tags, 'Key', INVALID);
    const values = optStringArray(tags, 'Values', INVALID) ?? [];
    return (row) => values.includes(row.resource.tags[key] ?? '');
  }
  throw new SimError(INVALID, 'Filter expression must use Dimensions, Tags, And, Or or Not');
}

const amount = (x: number): string => x.toFixed(10);

function getCostAndUsage(ctx: CallContext, body: JsonBody): WireResponse {
  if (!ctx.state.isManagement(ctx.caller.account.id)) throw accessDenied('ce', 'ce:GetCostAndUsage');
  const period = optObject(body, 'TimePeriod', INVALID);
  if (!period) throw new SimError(INVALID, 'TimePeriod is required');
  const start = parseDate(reqString(period, 'Start', INVALID), 'TimePeriod.Start');
  const end = parseDate(reqString(period, 'End', INVALID), 'TimePeriod.End');
  if (start >= end) throw new SimError(INVALID, 'Start date (inclusive) must be before end date (exclusive)');
  const granularity = optString(body, 'Granularity', INVALID) ?? 'MONTHLY';
  if (granularity !== 'MONTHLY' && granularity !== 'DAILY') throw new SimError(INVALID, `Granularity ${granularity} is not supported`);
  const metrics = optStringArray(body, 'Metrics', INVALID) ?? [];
  if (metrics.length === 0) throw new SimError(INVALID, 'Metrics is required');
  for (const m of metrics) if (!METRICS.has(m)) throw new SimError(INVALID, `Metric ${m} is not supported`);
  const { defs, fns } = groupers(body);
  const filter = compileFilter(optObject(body, 'Filter', INVALID));
  const rows: Row[] = ctx.state.fixture.accounts.flatMap((account) => account.resources.map((resource) => ({ account, resource })));
  const selected = rows.filter(filter);
  const periods = buckets(start, end, granularity);
  const metricsOf = (total: number) => Object.fromEntries(metrics.map((m) => [m, { Amount: amount(total), Unit: 'USD' }]));

  if (fns.length === 0) {
    const monthly = selected.reduce((s, r) => s + r.resource.monthly_cost, 0);
    return jsonResponse({
      GroupDefinitions: [],
      ResultsByTime: periods.map((p) => ({ TimePeriod: { Start: p.start, End: p.end }, Total: metricsOf((monthly * p.days) / 30), Groups: [], Estimated: false })),
      DimensionValueAttributes: [],
    });
  }
  // Monthly cost per group key; then one entry per (period, group).
  const byGroup = new Map<string, { keys: string[]; monthly: number }>();
  for (const row of selected) {
    const keys = fns.map((f) => f(row));
    const id = JSON.stringify(keys);
    const g = byGroup.get(id) ?? { keys, monthly: 0 };
    g.monthly += row.resource.monthly_cost;
    byGroup.set(id, g);
  }
  const groups = [...byGroup.values()].sort((a, b) => (a.keys.join('\u0000') < b.keys.join('\u0000') ? -1 : 1));
  const flat = periods.flatMap((p, pi) => groups.map((g) => ({ pi, p, g })));
  const scope = `ce:GetCostAndUsage:${JSON.stringify(body, (k, v: unknown) => (k === 'NextPageToken' ? undefined : v))}`;
  const offset = tokenOffset(scope, optString(body, 'NextPageToken', INVALID), () => new SimError('InvalidNextTokenException', 'Invalid NextPageToken'));
  const page = paginate(flat, scope, offset, ctx.state.pageSize('ce', 'GetCostAndUsage', undefined, 5000));
  const results = new Map<number, { TimePeriod: { Start: string; End: string }; Total: object; Groups: object[]; Estimated: boolean }>();
  for (const { pi, p, g } of page.items) {
    const entry = results.get(pi) ?? { TimePeriod: { Start: p.start, End: p.end }, Total: {}, Groups: [], Estimated: false };
    entry.Groups.push({ Keys: g.keys, Metrics: metricsOf((g.monthly * p.days) / 30) });
    results.set(pi, entry);
  }
  const accountDim = defs.findIndex((d) => d['Type'] === 'DIMENSION' && d['Key'] === 'LINKED_ACCOUNT');
  const attrs =
    accountDim < 0
      ? []
      : [...new Set(page.items.map((i) => i.g.keys[accountDim] ?? ''))].map((id) => ({
          Value: id,
          Attributes: { description: ctx.state.account(id)?.name ?? id },
        }));
  return jsonResponse({
    GroupDefinitions: defs,
    ResultsByTime: [...results.values()],
    DimensionValueAttributes: attrs,
    ...(page.next === undefined ? {} : { NextPageToken: page.next }),
  });
}

export function handleCostExplorer(ctx: CallContext, operation: string, body: JsonBody): WireResponse {
  if (operation === 'GetCostAndUsage') return getCostAndUsage(ctx, body);
  throw new SimError('UnknownOperationException', `Unknown operation ${operation}`);
}
