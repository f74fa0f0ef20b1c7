/** Severity filter shared by every tool that lists violations. */
import type { Severity, TagViolation } from '../core/types.js';
import type { SeverityFilter } from './types.js';

export const SEVERITY_FILTERS: readonly SeverityFilter[] = ['all', 'errors_only', 'warnings_only'];

export function passesSeverity(severity: Severity, filter: SeverityFilter): boolean {
  return filter === 'all' || (filter === 'errors_only' ? severity === 'error' : severity === 'warning');
}

/** Keeps order; `all` returns a copy. */
export function filterBySeverity<V extends TagViolation>(violations: readonly V[], filter: SeverityFilter): V[] {
  return violations.filter((v) => passesSeverity(v.severity, filter));
}
