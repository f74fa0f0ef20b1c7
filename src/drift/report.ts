/**
 * Drift entries in answer order and their summary counts (pure).
 */
import { complianceScore } from '../compliance/score.js';
import type { CompiledPolicy } from '../policy/types.js';
import { assessDrift } from './assess.js';
import type { ComparedScope } from './select.js';
import { SEVERITY_ORDER, type DriftAssessment, type DriftSeverity, type ResourceDrift, type ResourceState } from './types.js';

export type DriftEntry = ResourceDrift & DriftAssessment;

export interface DriftSummary {
  resources_compared: number;
  resources_changed: number;
  resources_created: number;
  resources_deleted: number;
  resources_unreadable_now: number;
  tags_added: number;
  tags_removed: number;
  tags_changed: number;
  became_non_compliant: number;
  became_compliant: number;
  created_non_compliant: number;
  by_severity: Record<DriftSeverity, number>;
  changes_by_tag: Record<string, number>;
  /** null when there is no baseline. */
  baseline_compliance_score: number | null;
  current_compliance_score: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const rank = (s: DriftSeverity): number => SEVERITY_ORDER.indexOf(s);

/** Most severe first, then account, region, type, ARN (a total order: pages are stable). */
export function compareEntries(a: DriftEntry, b: DriftEntry): number {
  return rank(a.severity) - rank(b.severity) || cmp(a.account_id, b.account_id) || cmp(a.region, b.region) || cmp(a.resource_type, b.resource_type) || cmp(a.arn, b.arn);
}

export function assessAll(policy: CompiledPolicy, drifts: readonly ResourceDrift[]): DriftEntry[] {
  return drifts.map((d) => ({ ...d, ...assessDrift(policy, d) })).sort(compareEntries);
}

/** Keep resources inside the compared scope (global types are not narrowed by region). */
export function inComparedScope(scope: ComparedScope, isGlobal: (type: string) => boolean): (r: ResourceState) => boolean {
  const accounts = new Set(scope.account_ids);
  const regions = new Set(scope.regions);
  const types = new Set(scope.resource_types);
  return (r) => accounts.has(r.account_id) && types.has(r.resource_type) && (isGlobal(r.resource_type) || regions.has(r.region));
}

/** Score of a resource list under the current policy (the same rule as check_tag_compliance). */
export function scoreOf(policy: CompiledPolicy, resources: readonly ResourceState[]): number {
  let total = 0;
  let compliant = 0;
  for (const r of resources) {
    const ev = policy.evaluate(r.resource_type, r.tags);
    if (!ev.in_scope) continue;
    total += 1;
    if (ev.compliant) compliant += 1;
  }
  return complianceScore(compliant, total);
}

export function summarizeDrift(
  entries: readonly DriftEntry[],
  extra: { compared: number; unreadable_now: number; baseline_score: number | null; current_score: number },
): DriftSummary {
  const by_severity: Record<DriftSeverity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  const changes_by_tag: Record<string, number> = {};
  const s: DriftSummary = {
    resources_compared: extra.compared,
    resources_changed: 0,
    resources_created: 0,
    resources_deleted: 0,
    resources_unreadable_now: extra.unreadable_now,
    tags_added: 0,
    tags_removed: 0,
    tags_changed: 0,
    became_non_compliant: 0,
    became_compliant: 0,
    created_non_compliant: 0,
    by_severity,
    changes_by_tag,
    baseline_compliance_score: extra.baseline_score,
    current_compliance_score: extra.current_score,
  };
  for (const e of entries) {
    by_severity[e.severity] += 1;
    if (e.kind === 'created') {
      s.resources_created += 1;
      if (e.compliance_change === 'created_non_compliant') s.created_non_compliant += 1;
      continue;
    }
    if (e.kind === 'deleted') {
      s.resources_deleted += 1;
      continue;
    }
    s.resources_changed += 1;
    s.tags_added += e.diff.added.length;
    s.tags_removed += e.diff.removed.length;
    s.tags_changed += e.diff.changed.length;
    if (e.compliance_change === 'broke') s.became_non_compliant += 1;
    if (e.compliance_change === 'fixed') s.became_compliant += 1;
    for (const k of [...e.diff.added, ...e.diff.removed, ...e.diff.changed].map((x) => x.key)) changes_by_tag[k] = (changes_by_tag[k] ?? 0) + 1;
  }
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(changes_by_tag).sort()) sorted[k] = changes_by_tag[k] ?? 0;
  s.changes_by_tag = sorted;
  return s;
}
