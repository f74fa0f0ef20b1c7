/**
 * Failed cells grouped for display (pure): one line per account × error code × message with the
 * number of cells, regions and resource types concerned, so an unreadable account is one line,
 * not hundreds.
 */
import type { CellFailure } from '../core/types.js';

export interface FailureGroup {
  account_id: string;
  error_code: string;
  message: string;
  cell_count: number;
  regions: string[];
  resource_types: string[];
}

export function groupFailures(failed: readonly CellFailure[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const f of failed) {
    const key = JSON.stringify([f.account_id, f.error_code, f.message]);
    let g = groups.get(key);
    if (!g) {
      g = { account_id: f.account_id, error_code: f.error_code, message: f.message, cell_count: 0, regions: [], resource_types: [] };
      groups.set(key, g);
    }
    g.cell_count += f.cells ?? 1;
    if (!g.regions.includes(f.region)) g.regions.push(f.region);
    if (!g.resource_types.includes(f.resource_type)) g.resource_types.push(f.resource_type);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.regions.sort();
    g.resource_types.sort();
  }
  return out.sort((a, b) => b.cell_count - a.cell_count || a.account_id.localeCompare(b.account_id) || a.error_code.localeCompare(b.error_code));
}

/** `us-east-1` / `3 regions`; `ec2:instance` / `22 types` (short, for one table cell). */
export function describeList(values: string[], many: string): string {
  if (values.length === 1) return values[0] ?? '';
  return values.length <= 3 ? values.join(', ') : `${values.length} ${many}`;
}
