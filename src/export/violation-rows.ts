/**
 * The columns of a violations export and how one violation becomes one row of cells (pure).
 */
import type { Violation } from '../core/types.js';
import type { Cell } from './csv.js';

/** Every column, in the default order. */
export const VIOLATION_COLUMNS = [
  'account_id',
  'account_name',
  'resource_arn',
  'resource_id',
  'resource_type',
  'region',
  'violation_type',
  'tag_name',
  'severity',
  'current_value',
  'allowed_values',
  'cost_impact_monthly',
] as const;

export type ViolationColumn = (typeof VIOLATION_COLUMNS)[number];

/** How a list of allowed values is written in one cell: `production; staging; development`. */
export const LIST_SEPARATOR = '; ';

export interface RowContext {
  /** Name (else alias) of an account, null when unknown. */
  accountName(accountId: string): string | null;
  /** False when Cost Explorer was not read: the cost column is then empty (unknown), not 0. */
  costsKnown: boolean;
}

function cell(v: Violation, column: ViolationColumn, ctx: RowContext): Cell {
  switch (column) {
    case 'account_id':
      return v.account_id;
    case 'account_name':
      return ctx.accountName(v.account_id);
    case 'resource_arn':
      return v.resource_arn;
    case 'resource_id':
      return v.resource_id;
    case 'resource_type':
      return v.resource_type;
    case 'region':
      return v.region;
    case 'violation_type':
      return v.violation_type;
    case 'tag_name':
      return v.tag_name;
    case 'severity':
      return v.severity;
    case 'current_value':
      return v.current_value;
    case 'allowed_values':
      return v.allowed_values === null ? null : v.allowed_values.join(LIST_SEPARATOR);
    case 'cost_impact_monthly':
      return ctx.costsKnown ? v.cost_impact_monthly : null;
  }
}

export function violationCells(v: Violation, columns: readonly ViolationColumn[], ctx: RowContext): Cell[] {
  return columns.map((c) => cell(v, c, ctx));
}

/** Rows made one at a time as they are consumed. */
export function* violationRows(violations: Iterable<Violation>, columns: readonly ViolationColumn[], ctx: RowContext): Generator<Cell[], void, undefined> {
  for (const v of violations) yield violationCells(v, columns, ctx);
}
