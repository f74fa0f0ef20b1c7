/** Totals and breakdowns over evaluated resources. Pure; numbers are rounded for output. */
import type { Violation } from '../core/types.js';
import { complianceScore, roundMoney } from './score.js';
import { passesSeverity } from './severity.js';
import type { AccountBreakdown, ComplianceSummary, Evaluated, RegionBreakdown, SummarizeOptions } from './types.js';

interface Tally {
  total: number;
  compliant: number;
  violations: number;
  gap: number;
}

const tally = (): Tally => ({ total: 0, compliant: 0, violations: 0, gap: 0 });

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function get(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (t === undefined) map.set(key, (t = tally()));
  return t;
}

/** Sorted-key object from a map (stable output for snapshots and pagination). */
function sortedRecord<T>(map: Map<string, Tally>, shape: (key: string, t: Tally) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of [...map.keys()].sort()) out[key] = shape(key, map.get(key) ?? tally());
  return out;
}

export function summarize(evaluated: Evaluated, options: SummarizeOptions = {}): ComplianceSummary {
  const severity = options.severity ?? 'all';
  const regions = new Map<string, Tally>();
  const accounts = new Map<string, Tally>();
  for (const id of options.accounts ?? []) get(accounts, id);
  const all = tally();

  for (const e of evaluated.resources) {
    if (!e.in_scope) continue;
    const r = e.resource;
    const reg = get(regions, r.region);
    const acc = get(accounts, r.account_id);
    all.total++;
    reg.total++;
    acc.total++;
    if (e.compliant) {
      all.compliant++;
      reg.compliant++;
      acc.compliant++;
    } else {
      all.gap += e.monthly_cost;
      acc.gap += e.monthly_cost;
    }
  }

  const byTag: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const byResourceType: Record<string, number> = {};
  let errors = 0;
  let warnings = 0;
  const counted: Violation[] = evaluated.violations.filter((v) => passesSeverity(v.severity, severity));
  for (const v of counted) {
    if (v.severity === 'error') errors++;
    else warnings++;
    bump(byTag, v.tag_name);
    bump(byType, v.violation_type);
    bump(byResourceType, v.resource_type);
    get(regions, v.region).violations++;
    get(accounts, v.account_id).violations++;
  }

  const regional_breakdown = sortedRecord<RegionBreakdown>(regions, (_k, t) => ({
    total_resources: t.total,
    compliant_resources: t.compliant,
    compliance_score: complianceScore(t.compliant, t.total),
    violation_count: t.violations,
  }));
  const account_breakdown = sortedRecord<AccountBreakdown>(accounts, (id, t) => ({
    account_id: id,
    account_alias: options.aliases?.[id] ?? null,
    total_resources: t.total,
    compliant_resources: t.compliant,
    compliance_score: complianceScore(t.compliant, t.total),
    violation_count: t.violations,
    cost_attribution_gap: roundMoney(t.gap),
  }));

  return {
    compliance_score: complianceScore(all.compliant, all.total),
    total_resources: all.total,
    compliant_resources: all.compliant,
    violation_count: counted.length,
    error_count: errors,
    warning_count: warnings,
    violations_by_tag: byTag,
    violations_by_type: byType,
    violations_by_resource_type: byResourceType,
    regional_breakdown,
    account_breakdown,
    cost_attribution_gap: roundMoney(all.gap),
  };
}
