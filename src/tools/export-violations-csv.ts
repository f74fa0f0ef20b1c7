/**
 * export_violations_csv: every violation of a scan as one CSV row (RFC 4180, formula injection
 * neutralised, see src/export/csv.ts). Same pipeline as check_tag_compliance (runCompliance), so
 * the row count equals its violation_count for the same scope and severity. The answer carries a
 * bounded `csv` (max_rows, 1 MiB) plus the full file out of band for the REST download route
 * (GET /tools/export_violations_csv, or POST with Accept: text/csv), which streams every row.
 */
import Type, { type Static } from 'typebox';
import { boundedCsv, csvChunks } from '../export/csv.js';
import { attachCsvDownload } from '../export/download.js';
import { toQueryString } from '../export/query.js';
import { VIOLATION_COLUMNS, violationRows, type RowContext, type ViolationColumn } from '../export/violation-rows.js';
import { SeverityFilterInput } from './check-tag-compliance.js';
import { accountSections } from './common/accounts.js';
import { runCompliance, type RunComplianceResult } from './common/run-compliance.js';
import { AccountErrorSchema, AccountIdsInput, AccountMetadataSchema, DataQualitySchema, ForceRefreshInput, RegionsInput, ResourceTypesInput } from './common/schemas.js';
import { resolveScope, type ResolvedScope } from './common/scope.js';
import { defineTool, type ToolContext } from './types.js';

export const EXPORT_VIOLATIONS_CSV = 'export_violations_csv';
/** Largest `csv` text in a tool answer (UTF-8 bytes); the download has no cap. */
export const MAX_INLINE_BYTES = 1_048_576;
export const DEFAULT_INLINE_ROWS = 200;
export const MAX_INLINE_ROWS = 50_000;

const ColumnInput = Type.Enum([...VIOLATION_COLUMNS]);

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    severity: Type.Optional(SeverityFilterInput),
    columns: Type.Optional(
      Type.Array(ColumnInput, {
        minItems: 1,
        maxItems: VIOLATION_COLUMNS.length,
        uniqueItems: true,
        description: `Columns of the file, in this order. Default: all of them in this order: ${VIOLATION_COLUMNS.join(', ')}. cost_impact_monthly (monthly USD left unattributed by the violation) is the only column that reads Cost Explorer.`,
      }),
    ),
    account_ids: Type.Optional(AccountIdsInput),
    regions: Type.Optional(RegionsInput),
    force_refresh: Type.Optional(ForceRefreshInput),
    max_rows: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_INLINE_ROWS,
        default: DEFAULT_INLINE_ROWS,
        description: `Most rows in the csv text of this answer (default ${DEFAULT_INLINE_ROWS}; the text is also capped at 1 MiB). 0 = header only (counts and download link). The REST download is never capped.`,
      }),
    ),
    bom: Type.Optional(Type.Boolean({ default: false, description: 'Start the file with a UTF-8 byte order mark (helps older Excel versions read non-ASCII text).' })),
  },
  { additionalProperties: false },
);

const DownloadSchema = Type.Object(
  {
    method: Type.Literal('GET'),
    path: Type.String({ description: 'Path and query of the full file on this server (same credentials as this call).' }),
    accept: Type.Literal('text/csv'),
    filename: Type.String(),
    note: Type.String(),
  },
  { additionalProperties: false, description: 'How to get the full file (every row, streamed) over REST.' },
);

const Output = Type.Object(
  {
    csv: Type.String({ description: 'RFC 4180 CSV (CRLF line ends, header row), at most max_rows rows and 1 MiB. Cells that a spreadsheet would read as a formula start with a single quote.' }),
    columns: Type.Array(ColumnInput),
    row_count: Type.Integer({ minimum: 0, description: 'Data rows in csv (header excluded).' }),
    total_rows: Type.Integer({ minimum: 0, description: 'Data rows of the full file: every violation matching severity.' }),
    truncated: Type.Boolean({ description: 'True when csv holds fewer rows than the full file (see download).' }),
    bytes: Type.Integer({ minimum: 0, description: 'UTF-8 size of csv.' }),
    severity: SeverityFilterInput,
    download: DownloadSchema,
    scan_timestamp: Type.String({ description: 'ISO time of the oldest inventory data used.' }),
    data_quality: DataQualitySchema,
    note: Type.String(),
    account_metadata: Type.Optional(AccountMetadataSchema),
    account_errors: Type.Optional(Type.Array(AccountErrorSchema)),
  },
  { additionalProperties: false },
);

export type ExportViolationsCsvInput = Static<typeof Input>;
export type ExportViolationsCsvOutput = Static<typeof Output>;

/** Account id → name (else alias) from the scan, the scope and, for what is still missing, the directory. */
async function accountNames(ctx: ToolContext, run: RunComplianceResult, scope: ResolvedScope): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const put = (id: string, name: string | null | undefined): void => {
    if (name !== null && name !== undefined && name !== '' && !names.has(id)) names.set(id, name);
  };
  for (const a of run.inventory.accounts) put(a.account_id, a.account_name ?? a.account_alias);
  for (const a of scope.accounts) put(a.account_id, a.name ?? a.alias);
  const missing = new Set(run.violations.map((v) => v.account_id).filter((id) => !names.has(id)));
  if (missing.size > 0) {
    try {
      for (const a of await ctx.accounts.list(ctx.signal)) if (missing.has(a.account_id)) put(a.account_id, a.name ?? a.alias);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.logger.debug({ err }, 'account names unavailable for the export; account_name left empty');
    }
  }
  return names;
}

function downloadPath(input: ExportViolationsCsvInput, scope: ResolvedScope, columns: readonly ViolationColumn[]): string {
  const wantsAll = input.account_ids?.some((a) => a.toLowerCase() === 'all') === true;
  const query = toQueryString({
    account_ids: scope.account_ids === null ? undefined : wantsAll ? ['all'] : scope.account_ids,
    resource_types: input.resource_types,
    regions: input.regions,
    severity: input.severity === undefined || input.severity === 'all' ? undefined : input.severity,
    columns: input.columns === undefined ? undefined : columns,
    bom: input.bom === true ? true : undefined,
  });
  return `/tools/${EXPORT_VIOLATIONS_CSV}${query === '' ? '' : `?${query}`}`;
}

export const exportViolationsCsv = defineTool({
  name: EXPORT_VIOLATIONS_CSV,
  title: 'Export violations as CSV',
  description: [
    'Exports tag-policy violations as a CSV file for spreadsheets and ticketing: one row per violation (a resource missing two required tags gives two rows), same scan and numbers as check_tag_compliance (total_rows equals its violation_count for the same arguments).',
    `Columns (choose and order with columns; default all): ${VIOLATION_COLUMNS.join(', ')}. allowed_values lists the policy's values separated by "; ". cost_impact_monthly is monthly USD (empty when Cost Explorer could not be read); only that column reads Cost Explorer.`,
    'RFC 4180 (CRLF, quoted fields, header row). Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is prefixed with a single quote, so the tag value "-2" appears as \'-2; numbers in cost_impact_monthly are plain numbers.',
    `The answer holds the first max_rows rows (default ${DEFAULT_INLINE_ROWS}, at most 1 MiB) in csv, with row_count, total_rows and truncated; download.path is the REST link to the full file (GET with the same credentials, streamed, never truncated). data_quality.status "partial" means some account × region × type could not be read: rows for it are missing.`,
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Export violations as CSV', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [
    {},
    { account_ids: ['all'], severity: 'errors_only', columns: ['account_name', 'resource_arn', 'tag_name', 'violation_type', 'current_value', 'cost_impact_monthly'] },
    { resource_types: ['ec2:instance', 'rds:db'], regions: ['us-east-1'], max_rows: 50 },
  ],
  async handler(ctx, input) {
    const columns: ViolationColumn[] = input.columns ?? [...VIOLATION_COLUMNS];
    const severity = input.severity ?? 'all';
    const bom = input.bom ?? false;
    const scope = await resolveScope(ctx, { resource_types: input.resource_types, account_ids: input.account_ids, regions: input.regions });
    const withCosts = columns.includes('cost_impact_monthly');
    const run = await runCompliance(ctx, { scope, force_refresh: input.force_refresh ?? false, severity, include_costs: withCosts });
    const names = columns.includes('account_name') ? await accountNames(ctx, run, scope) : new Map<string, string>();
    const rowContext: RowContext = { accountName: (id) => names.get(id) ?? null, costsKnown: withCosts && run.costs.available };
    const rows = () => violationRows(run.violations, columns, rowContext);

    const inline = boundedCsv(columns, rows(), { maxRows: input.max_rows ?? DEFAULT_INLINE_ROWS, maxBytes: MAX_INLINE_BYTES, bom });
    const total = run.violations.length;
    const filename = `tag-violations-${ctx.now().toISOString().slice(0, 10)}.csv`;
    const path = downloadPath(input, scope, columns);
    const notes: string[] = [];
    if (total === 0) notes.push('No violation matches: the file has the header row only.');
    else if (inline.truncated) notes.push(`csv holds the first ${inline.row_count} of ${total} rows (max_rows ${input.max_rows ?? DEFAULT_INLINE_ROWS}, at most 1 MiB); the full file: GET ${path} (Accept: text/csv).`);
    else notes.push(`csv holds all ${total} row${total === 1 ? '' : 's'}.`);
    if (run.data_quality.status === 'partial') {
      notes.push(`Data is partial: ${run.data_quality.cells_requested - run.data_quality.cells_complete} account × region × type cell(s) could not be read (see data_quality.failed); their violations are not in the file.`);
    }
    if (withCosts && !run.costs.available) notes.push('cost_impact_monthly is empty: spend could not be read (see data_quality.coverage_notes).');

    const out: ExportViolationsCsvOutput = {
      csv: inline.text,
      columns,
      row_count: inline.row_count,
      total_rows: total,
      truncated: inline.truncated,
      bytes: inline.bytes,
      severity,
      download: {
        method: 'GET',
        path,
        accept: 'text/csv',
        filename,
        note: 'Same Authorization header as this call. Answers text/csv; charset=utf-8 as an attachment, streamed, every row; data quality in the X-Data-Quality headers. POST /tools/export_violations_csv with Accept: text/csv and these JSON arguments does the same.',
      },
      scan_timestamp: run.inventory.scanned_at,
      data_quality: run.data_quality,
      note: notes.join(' '),
    };
    let failedAccounts: string[] = [];
    if (scope.account_ids !== null) {
      const sections = accountSections(run, scope);
      out.account_metadata = sections.account_metadata;
      out.account_errors = sections.account_errors;
      failedAccounts = sections.account_metadata.failed_accounts;
    }
    return attachCsvDownload(out, {
      filename,
      total_rows: total,
      data_quality: run.data_quality,
      scan_timestamp: run.inventory.scanned_at,
      failed_accounts: failedAccounts,
      chunks: () => csvChunks(columns, rows(), { bom }),
    });
  },
});
