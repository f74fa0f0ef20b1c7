/** A total, stable order for violations so pages and cursors are deterministic. */
import type { Violation } from '../core/types.js';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order: account_id, region, resource_type, resource_arn, tag_name, violation_type. */
export function compareViolations(a: Violation, b: Violation): number {
  return (
    cmp(a.account_id, b.account_id) ||
    cmp(a.region, b.region) ||
    cmp(a.resource_type, b.resource_type) ||
    cmp(a.resource_arn, b.resource_arn) ||
    cmp(a.tag_name, b.tag_name) ||
    cmp(a.violation_type, b.violation_type)
  );
}

/** A sorted copy (the input is not modified). */
export function sortViolations(violations: readonly Violation[]): Violation[] {
  return [...violations].sort(compareViolations);
}
