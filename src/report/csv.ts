/**
 * CSV renderer: one RFC 4180 table (CRLF line ends, fields quoted when they hold a comma, quote,
 * CR or LF; quotes doubled). Every row has the same columns; `row_type` says what it is:
 * `violation` rows (the top violations), then a `note` row when more violations exist.
 * Spreadsheet formula injection: a value starting with =, +, -, @, tab or CR is prefixed with a
 * single quote so a spreadsheet shows it as text instead of running it.
 */
import type { ReportModel } from './model.js';

export const CSV_COLUMNS = [
  'row_type',
  'account_id',
  'account',
  'region',
  'resource_type',
  'resource_id',
  'resource_arn',
  'tag_name',
  'violation_type',
  'severity',
  'current_value',
  'cost_impact_monthly',
  'message',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralise spreadsheet formulas, then quote per RFC 4180 when needed. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',');
}

export function renderCsv(model: ReportModel): string {
  const lines = [csvRow(CSV_COLUMNS)];
  for (const v of model.top_violations.rows) {
    lines.push(
      csvRow([
        'violation',
        v.account_id,
        model.account_labels[v.account_id] ?? v.account_id,
        v.region,
        v.resource_type,
        v.resource_id,
        v.resource_arn,
        v.tag_name,
        v.violation_type,
        v.severity,
        v.current_value,
        v.cost_impact_monthly,
        v.message,
      ]),
    );
  }
  if (model.top_violations.omitted > 0) {
    const note = `${model.top_violations.omitted} more violations not listed (${model.top_violations.total} in total); page through check_tag_compliance for the full list.`;
    lines.push(csvRow(['note', null, null, null, null, null, null, null, null, null, null, null, note]));
  }
  return `${lines.join('\r\n')}\r\n`;
}
