/**
 * Cost allocation (pure): spread each account × Cost Explorer service total across that account's
 * scanned resources of the registry types billed under that service. Weighted by size where the
 * resource attributes allow (instance class, volume size), evenly otherwise. Spend of a service
 * with no scanned resource stays `unallocated` and is reported, never dropped.
 */
import { RESOURCE_TYPES } from '../aws/registry.js';
import type { ResourceRecord } from '../core/types.js';
import type { CostLine } from '../scan/types.js';

export type CostSource = 'actual' | 'allocated_from_service_total';

export interface ResourceCost {
  monthly_cost: number;
  cost_source: 'allocated_from_service_total';
  /** The CE service total the figure was carved from. */
  service: string;
}

export interface UnallocatedSpend {
  account_id: string;
  service: string;
  amount: number;
  reason: 'no_scanned_resources' | 'service_not_in_scope';
}

export interface CostAllocation {
  /** Per resource ARN. Resources whose service had no spend line get 0. */
  by_arn: Map<string, ResourceCost>;
  unallocated: UnallocatedSpend[];
  /** Sum of every input line. */
  total: number;
}

/** Services the given registry types are billed under. */
export function servicesForTypes(types: readonly string[]): Set<string> {
  const wanted = new Set(types);
  return new Set(RESOURCE_TYPES.filter((t) => wanted.has(t.name)).map((t) => t.cost_service));
}

const SIZE_FACTORS: Record<string, number> = {
  nano: 0.25,
  micro: 0.5,
  small: 1,
  medium: 2,
  large: 4,
  xlarge: 8,
  metal: 192,
};

/** Relative size of an instance or DB class (`m5.2xlarge`, `db.r6g.large`); null when unknown. */
export function classSizeFactor(instanceClass: string): number | null {
  const parts = instanceClass.toLowerCase().split('.');
  const size = parts[parts.length - 1];
  if (size === undefined || parts.length < 2) return null;
  const direct = SIZE_FACTORS[size];
  if (direct !== undefined) return direct;
  const m = /^(\d+)xlarge$/.exec(size);
  if (m?.[1] !== undefined) return Number(m[1]) * 8;
  return null;
}

/** Allocation weight from the resource's attributes; null when the attributes say nothing. */
export function resourceWeight(r: ResourceRecord): number | null {
  const a = r.attributes;
  for (const key of ['instance_type', 'db_instance_class', 'instance_class', 'node_type']) {
    const v = a[key];
    if (typeof v === 'string') {
      const f = classSizeFactor(v);
      if (f !== null) return f;
    }
  }
  for (const key of ['size_gb', 'allocated_storage_gb', 'allocated_storage']) {
    const v = a[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  }
  return null;
}

/**
 * Allocate CE lines to resources. Within one account × service, resources with a known weight
 * get shares by weight; resources without one count as the average known weight (1 when none
 * is known), so a group with no size facts splits evenly. `scopeTypes` (the requested types)
 * decides whether unallocated spend is `no_scanned_resources` or `service_not_in_scope`.
 */
export function allocateCosts(lines: readonly CostLine[], resources: readonly ResourceRecord[], scopeTypes?: readonly string[]): CostAllocation {
  const serviceOfType = new Map(RESOURCE_TYPES.map((t) => [t.name, t.cost_service]));
  const groups = new Map<string, ResourceRecord[]>();
  // Services whose spend the scan was meant to cover: from the requested types when given,
  // else from the resources found.
  const scopedServices = scopeTypes === undefined ? new Set<string>() : servicesForTypes(scopeTypes);
  for (const r of resources) {
    const service = serviceOfType.get(r.type);
    if (service === undefined) continue;
    if (scopeTypes === undefined) scopedServices.add(service);
    const key = `${r.account_id}\u0000${service}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [r]);
    else list.push(r);
  }

  const byArn = new Map<string, ResourceCost>();
  for (const r of resources) {
    const service = serviceOfType.get(r.type);
    if (service !== undefined) byArn.set(r.arn, { monthly_cost: 0, cost_source: 'allocated_from_service_total', service });
  }

  // Merge duplicate lines (same account and service) so every total is allocated once.
  const totals = new Map<string, CostLine>();
  for (const line of lines) {
    const key = `${line.account_id}\u0000${line.service}`;
    const prev = totals.get(key);
    totals.set(key, prev === undefined ? { ...line } : { ...prev, amount: prev.amount + line.amount });
  }

  const unallocated: UnallocatedSpend[] = [];
  let total = 0;
  for (const [key, line] of totals) {
    total += line.amount;
    const group = groups.get(key);
    if (group === undefined || group.length === 0) {
      if (line.amount !== 0) {
        unallocated.push({
          account_id: line.account_id,
          service: line.service,
          amount: line.amount,
          reason: scopedServices.has(line.service) ? 'no_scanned_resources' : 'service_not_in_scope',
        });
      }
      continue;
    }
    const known = group.map(resourceWeight);
    const knownValues = known.filter((w): w is number => w !== null);
    const fallback = knownValues.length === 0 ? 1 : knownValues.reduce((s, w) => s + w, 0) / knownValues.length;
    const weights = known.map((w) => w ?? fallback);
    const sum = weights.reduce((s, w) => s + w, 0);
    group.forEach((r, i) => {
      const share = sum > 0 ? (weights[i] ?? 0) / sum : 1 / group.length;
      const entry = byArn.get(r.arn);
      if (entry !== undefined) entry.monthly_cost += line.amount * share;
    });
  }
  unallocated.sort((a, b) => a.account_id.localeCompare(b.account_id) || a.service.localeCompare(b.service));
  return { by_arn: byArn, unallocated, total };
}

/** Round a money figure to cents for output. */
export function money(x: number): number {
  return Math.round(x * 100) / 100;
}
