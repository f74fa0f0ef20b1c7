/**
 * Snapshot helpers shared by every backend (pure): the canonical scope and its key, timestamp
 * normalisation, input validation and tag-set hashing.
 */
import { createHash } from 'node:crypto';
import type { HistoryQuery, SnapshotInput, SnapshotScope, SnapshotSummary } from './types.js';

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Same accounts, regions, types and policy (in any order, duplicates ignored) ⇒ same scope. */
export function canonicalScope(scope: SnapshotScope): SnapshotScope {
  return {
    account_ids: sortedUnique(scope.account_ids),
    regions: sortedUnique(scope.regions),
    resource_types: sortedUnique(scope.resource_types),
    policy_hash: scope.policy_hash,
  };
}

/** Stable key of a scope: sha256 (hex, 32 chars) of the canonical scope's JSON. */
export function scopeKey(scope: SnapshotScope): string {
  const c = canonicalScope(scope);
  const json = JSON.stringify([c.account_ids, c.regions, c.resource_types, c.policy_hash]);
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

/** ISO-8601 UTC with milliseconds (so string order is time order); throws on a bad value. */
export function normaliseTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`${field} must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/** Canonical JSON of a tag set (keys sorted) and its hash: equal tag sets are stored once. */
export function tagSetKey(tags: Record<string, string>): { json: string; hash: string } {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (v !== undefined) sorted[k] = v;
  }
  const json = JSON.stringify(sorted);
  return { json, hash: createHash('sha256').update(json).digest('hex') };
}

/** Refuses numbers a snapshot cannot hold (a bad writer must not poison every later trend). */
export function validateSnapshot(input: SnapshotInput): void {
  if (!(input.compliance_score >= 0 && input.compliance_score <= 1)) throw new TypeError(`compliance_score must be within 0–1, got ${input.compliance_score}`);
  const counts = ['total_resources', 'compliant_resources', 'violation_count', 'error_count', 'warning_count'] as const;
  for (const k of counts) {
    if (!Number.isInteger(input[k]) || input[k] < 0) throw new TypeError(`${k} must be a non-negative integer, got ${input[k]}`);
  }
  if (!(input.cost_attribution_gap >= 0)) throw new TypeError(`cost_attribution_gap must be ≥ 0, got ${input.cost_attribution_gap}`);
  if (input.compliant_resources > input.total_resources) throw new TypeError('compliant_resources cannot exceed total_resources');
}

/** Summary (without id) of an input, validated and normalised the same way by every backend. */
export function summarise(input: SnapshotInput): Omit<SnapshotSummary, 'id'> {
  validateSnapshot(input);
  const scope = canonicalScope(input.scope);
  return {
    taken_at: normaliseTime(input.taken_at, 'taken_at'),
    scope,
    scope_key: scopeKey(scope),
    compliance_score: input.compliance_score,
    total_resources: input.total_resources,
    compliant_resources: input.compliant_resources,
    violation_count: input.violation_count,
    error_count: input.error_count,
    warning_count: input.warning_count,
    cost_attribution_gap: input.cost_attribution_gap,
    violations_by_tag: { ...input.violations_by_tag },
    data_quality_status: input.data_quality_status,
    accounts: [...input.accounts].sort((a, b) => a.account_id.localeCompare(b.account_id)).map((a) => ({ ...a })),
  };
}

/** Query filter shared by backends (time bounds inclusive, account containment). */
export function matchesQuery(s: Pick<SnapshotSummary, 'taken_at' | 'scope_key' | 'scope'>, q: HistoryQuery): boolean {
  const since = normaliseTime(q.since, 'since');
  if (s.taken_at < since) return false;
  if (q.until !== undefined && s.taken_at > normaliseTime(q.until, 'until')) return false;
  if (q.scope_key !== undefined && s.scope_key !== q.scope_key) return false;
  if (q.account_ids && q.account_ids.some((a) => !s.scope.account_ids.includes(a))) return false;
  return true;
}

/** Per-resource state de-duplicated by ARN (the last entry wins), sorted by ARN (binary order). */
export function uniqueResources<T extends { arn: string }>(resources: readonly T[]): T[] {
  const byArn = new Map<string, T>();
  for (const r of resources) byArn.set(r.arn, r);
  return [...byArn.values()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
