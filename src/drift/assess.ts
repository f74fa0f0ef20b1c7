/**
 * Severity of a drift, judged by the CURRENT policy on the tag sets before and after (pure), so a
 * policy change between the two snapshots never makes an unchanged resource look drifted.
 */
import type { CompiledPolicy } from '../policy/types.js';
import type { DriftAssessment, ResourceDrift, Tags } from './types.js';

interface Verdict {
  compliant: boolean;
  /** Required tags with an error violation. */
  failing: Set<string>;
}

function verdict(policy: CompiledPolicy, type: string, tags: Tags): Verdict {
  const ev = policy.evaluate(type, tags);
  return { compliant: ev.compliant, failing: new Set(ev.violations.filter((v) => v.severity === 'error').map((v) => v.tag_name)) };
}

const minus = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => !b.has(x)).sort();

export function assessDrift(policy: CompiledPolicy, d: ResourceDrift): DriftAssessment {
  const before = d.before === null ? null : verdict(policy, d.resource_type, d.before);
  const after = d.after === null ? null : verdict(policy, d.resource_type, d.after);
  const none = new Set<string>();
  const broken_tags = after === null ? [] : minus(after.failing, before?.failing ?? none);
  const fixed_tags = before === null ? [] : minus(before.failing, after?.failing ?? none);
  const base = { compliant_before: before?.compliant ?? null, compliant_after: after?.compliant ?? null, broken_tags, fixed_tags };
  if (before === null) {
    const ok = after?.compliant ?? true;
    return { ...base, severity: ok ? 'info' : 'high', compliance_change: ok ? 'created_compliant' : 'created_non_compliant' };
  }
  if (after === null) return { ...base, severity: 'info', compliance_change: before.compliant ? 'deleted_compliant' : 'deleted_non_compliant' };
  if (before.compliant && !after.compliant) return { ...base, severity: 'high', compliance_change: 'broke' };
  if (!before.compliant && after.compliant) return { ...base, severity: 'info', compliance_change: 'fixed' };
  if (!before.compliant) return { ...base, severity: 'medium', compliance_change: 'still_non_compliant' };
  return { ...base, severity: 'low', compliance_change: 'still_compliant' };
}
