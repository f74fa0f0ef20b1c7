/** Evaluate inventory against the policy and place each violation on its resource. Pure. */
import type { ResourceRecord, TagViolation, Violation } from '../core/types.js';
import type { CompiledPolicy } from '../policy/types.js';
import type { Evaluated, EvaluatedResource } from './types.js';

const byTagThenType = (a: TagViolation, b: TagViolation): number =>
  a.tag_name < b.tag_name ? -1 : a.tag_name > b.tag_name ? 1 : a.violation_type < b.violation_type ? -1 : a.violation_type > b.violation_type ? 1 : 0;

/**
 * `costOf` gives a resource's monthly cost in USD (omitted, negative or not finite: 0). That cost
 * is `cost_impact_monthly` on each of the resource's `error` violations; warnings carry 0.
 *
 * `violations` come out in `compareViolations` order (account, region, type, arn, tag, violation
 * type). To get there cheaply the resources with violations are sorted once on a composite key
 * and each resource's few violations are sorted locally, instead of sorting every violation.
 */
export function evaluateResources(
  policy: CompiledPolicy,
  resources: readonly ResourceRecord[],
  costOf?: (r: ResourceRecord) => number,
): Evaluated {
  const out: EvaluatedResource[] = new Array<EvaluatedResource>(resources.length);
  const flagged: number[] = [];
  const keys: string[] = new Array<string>(resources.length);
  let total = 0;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i] as ResourceRecord;
    const ev = policy.evaluate(r.type, r.tags);
    let cost = 0;
    if (ev.in_scope && costOf !== undefined) {
      const c = costOf(r);
      cost = Number.isFinite(c) && c > 0 ? c : 0;
    }
    out[i] = { resource: r, in_scope: ev.in_scope, compliant: ev.compliant, violations: ev.violations, monthly_cost: cost };
    if (ev.violations.length > 0) {
      flagged.push(i);
      // \u0000 sorts before every other character, so comparing the joined key compares the tuple.
      keys[i] = `${r.account_id}\u0000${r.region}\u0000${r.type}\u0000${r.arn}`;
      total += ev.violations.length;
    }
  }
  flagged.sort((a, b) => {
    const ka = keys[a] as string;
    const kb = keys[b] as string;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });

  const violations: Violation[] = new Array<Violation>(total);
  let n = 0;
  for (const i of flagged) {
    const e = out[i] as EvaluatedResource;
    const r = e.resource;
    const list = e.violations.length > 1 ? [...e.violations].sort(byTagThenType) : e.violations;
    for (const v of list) {
      // Explicit fields (not a spread): one object shape for every violation, cheaper to build.
      violations[n++] = {
        tag_name: v.tag_name,
        violation_type: v.violation_type,
        severity: v.severity,
        current_value: v.current_value,
        allowed_values: v.allowed_values,
        message: v.message,
        resource_id: r.id,
        resource_arn: r.arn,
        resource_type: r.type,
        account_id: r.account_id,
        region: r.region,
        cost_impact_monthly: v.severity === 'error' ? e.monthly_cost : 0,
      };
    }
  }
  return { policy_hash: policy.hash, resources: out, violations };
}
