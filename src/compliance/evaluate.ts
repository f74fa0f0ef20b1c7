/** Evaluate inventory against the policy and place each violation on its resource. Pure. */
import type { ResourceRecord, Violation } from '../core/types.js';
import type { CompiledPolicy } from '../policy/types.js';
import { compareViolations } from './sort.js';
import type { Evaluated, EvaluatedResource } from './types.js';

/**
 * `costOf` gives a resource's monthly cost in USD (omitted, negative or not finite: 0). That cost
 * is `cost_impact_monthly` on each of the resource's `error` violations; warnings carry 0.
 */
export function evaluateResources(
  policy: CompiledPolicy,
  resources: readonly ResourceRecord[],
  costOf?: (r: ResourceRecord) => number,
): Evaluated {
  const out: EvaluatedResource[] = new Array<EvaluatedResource>(resources.length);
  const violations: Violation[] = [];
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i] as ResourceRecord;
    const ev = policy.evaluate(r.type, r.tags);
    let cost = 0;
    if (ev.in_scope && costOf !== undefined) {
      const c = costOf(r);
      cost = Number.isFinite(c) && c > 0 ? c : 0;
    }
    out[i] = { resource: r, in_scope: ev.in_scope, compliant: ev.compliant, violations: ev.violations, monthly_cost: cost };
    for (const v of ev.violations) {
      violations.push({
        ...v,
        resource_id: r.id,
        resource_arn: r.arn,
        resource_type: r.type,
        account_id: r.account_id,
        region: r.region,
        cost_impact_monthly: v.severity === 'error' ? cost : 0,
      });
    }
  }
  violations.sort(compareViolations);
  return { policy_hash: policy.hash, resources: out, violations };
}
