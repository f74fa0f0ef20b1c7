/**
 * generate_compliance_report: one scan (shared compliance pipeline) rendered as a report in
 * json, csv, markdown or html, with recommendations ranked by cost impact. Tables are bounded
 * (top 100 violations / non-compliant resources); the report says how many more exist.
 */
import Type, { type Static } from 'typebox';
import { reportModelFromRun } from '../report/from-run.js';
import { REPORT_ROW_LIMIT, type ReportFormat } from '../report/model.js';
import { renderReport } from '../report/render.js';
import { runCompliance } from './common/run-compliance.js';
import { AccountIdsInput, DataQualitySchema, ForceRefreshInput, RegionsInput, ResourceTypesInput } from './common/schemas.js';
import { resolveScope } from './common/scope.js';
import { defineTool } from './types.js';

const FormatInput = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('markdown'), Type.Literal('html')], {
  default: 'json',
  description:
    'json (default): the full report model as a JSON string; csv: one RFC 4180 table of the top violations (spreadsheet-safe); markdown: headings and tables to show in chat; html: a single self-contained page with charts, for people (save it as a .html file).',
});

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    format: Type.Optional(FormatInput),
    include_recommendations: Type.Optional(Type.Boolean({ default: true, description: 'Add concrete actions ranked by the monthly spend they make attributable (default true).' })),
    account_ids: Type.Optional(AccountIdsInput),
    regions: Type.Optional(RegionsInput),
    force_refresh: Type.Optional(ForceRefreshInput),
  },
  { additionalProperties: false },
);

const SummaryOut = Type.Object(
  {
    compliance_score: Type.Number({ minimum: 0, maximum: 1 }),
    total_resources: Type.Integer({ minimum: 0 }),
    compliant_resources: Type.Integer({ minimum: 0 }),
    non_compliant_resources: Type.Integer({ minimum: 0 }),
    violation_count: Type.Integer({ minimum: 0 }),
    cost_attribution_gap: Type.Number({ minimum: 0, description: 'Monthly USD of spend on non-compliant resources.' }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('markdown'), Type.Literal('html')]),
    content: Type.String({ description: 'The rendered report (for json: the report model serialised as JSON).' }),
    summary: SummaryOut,
    recommendation_count: Type.Integer({ minimum: 0 }),
    data_quality: DataQualitySchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type GenerateComplianceReportInput = Static<typeof Input>;
export type GenerateComplianceReportOutput = Static<typeof Output>;

export const generateComplianceReport = defineTool({
  name: 'generate_compliance_report',
  title: 'Generate compliance report',
  description: [
    'Scans the requested accounts, regions and resource types and renders a tag compliance report for people: headline score, totals and unattributed monthly spend (cost_attribution_gap), breakdowns by account, region, tag and violation type, the top violations, the non-compliant resources with the largest monthly cost, data quality, and recommendations ranked by cost impact (e.g. "Tag the 12 resources missing CostCenter in prod (111122223333) — $4,310/month unattributed").',
    'Use it when the user wants a report, a summary to share, a CSV for a spreadsheet or an HTML page for management. For questions answered by numbers use check_tag_compliance instead (paged, structured).',
    'The report is returned in `content` as a string; `summary` and `data_quality` repeat the headline figures so you can answer without parsing it. Tables list at most the top 100 violations and resources and say how many more exist. data_quality.status "partial" means some account × region × type could not be read: the report says so in a banner and the numbers are lower bounds.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Generate compliance report', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [
    { format: 'markdown' },
    { format: 'html', account_ids: ['all'] },
    { format: 'csv', resource_types: ['ec2:instance', 'rds:db'], regions: ['us-east-1'], include_recommendations: false },
  ],
  async handler(ctx, input) {
    const format: ReportFormat = input.format ?? 'json';
    const scope = await resolveScope(ctx, { resource_types: input.resource_types, account_ids: input.account_ids, regions: input.regions });
    const run = await runCompliance(ctx, { scope, force_refresh: input.force_refresh ?? false });
    const model = reportModelFromRun(run, {
      generated_at: ctx.now().toISOString(),
      include_recommendations: input.include_recommendations ?? true,
      skipped: scope.skipped,
      row_limit: REPORT_ROW_LIMIT,
    });
    const notes: string[] = [];
    const tv = model.top_violations;
    notes.push(
      tv.omitted > 0
        ? `The report lists the top ${tv.rows.length} of ${tv.total} violations (highest cost first); use check_tag_compliance with next_cursor for the full list.`
        : `The report lists all ${tv.total} violations.`,
    );
    if (model.top_cost_gaps.omitted > 0) notes.push(`${model.top_cost_gaps.omitted} more non-compliant resources are not listed in the cost table.`);
    if (run.data_quality.status === 'partial') {
      notes.push(`Data is partial: ${run.data_quality.cells_requested - run.data_quality.cells_complete} account × region × type cell(s) could not be read (see data_quality.failed); figures are lower bounds.`);
    }
    return {
      format,
      content: renderReport(model, format),
      summary: model.summary,
      recommendation_count: model.recommendations.length,
      data_quality: run.data_quality,
      note: notes.join(' '),
    };
  },
});
