/**
 * check_tag_compliance: the main scan. Score, totals, a bounded page of violations, breakdowns,
 * cost attribution gap, data_quality; with account_ids also the seed's multi-account sections.
 */
import Type, { type Static } from 'typebox';
import { UserError } from '../core/errors.js';
import { accountSections } from './common/accounts.js';
import { pageNote, paginate, queryFingerprint } from './common/pagination.js';
import { runCompliance } from './common/run-compliance.js';
import {
  AccountErrorSchema,
  AccountIdsInput,
  AccountMetadataSchema,
  AccountSummarySchema,
  CountsByKey,
  CursorInput,
  DataQualitySchema,
  ForceRefreshInput,
  LimitInput,
  NextCursorSchema,
  RegionsInput,
  RegionSummarySchema,
  ResourceTypesInput,
  ViolationSchema,
} from './common/schemas.js';
import { relocateField, resolveScope } from './common/scope.js';
import { buildSnapshot } from './common/snapshot.js';
import { defineTool } from './types.js';

export const SeverityFilterInput = Type.Union([Type.Literal('all'), Type.Literal('errors_only'), Type.Literal('warnings_only')], {
  default: 'all',
  description: 'Which violations to list: all (default), errors_only (break compliance) or warnings_only (case differences). Scores and totals are not affected.',
});

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    filters: Type.Optional(
      Type.Object(
        {
          regions: Type.Optional(RegionsInput),
          region: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'One region (same as regions: [region]).' })),
          tags: Type.Optional(
            Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.Union([Type.String({ maxLength: 256 }), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })]), {
              maxProperties: 50,
              description: 'Only count resources whose tags match: key → value or list of values; "*" or [] = the key is present with any value. At most 50 keys; values at most 256 characters (the AWS tag value limit).',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    severity: Type.Optional(SeverityFilterInput),
    store_snapshot: Type.Optional(Type.Boolean({ default: false, description: 'Save this result in the compliance history (for get_violation_history trends).' })),
    force_refresh: Type.Optional(ForceRefreshInput),
    account_ids: Type.Optional(AccountIdsInput),
    limit: Type.Optional(LimitInput),
    cursor: Type.Optional(CursorInput),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    compliance_score: Type.Number({ minimum: 0, maximum: 1, description: 'compliant_resources / total_resources (1.0 when nothing is in scope).' }),
    total_resources: Type.Integer({ minimum: 0, description: 'Resources of types the policy applies to.' }),
    compliant_resources: Type.Integer({ minimum: 0 }),
    violation_count: Type.Integer({ minimum: 0, description: 'Violations matching the severity filter (all pages).' }),
    violations: Type.Array(ViolationSchema),
    violations_by_tag: CountsByKey,
    violations_by_type: CountsByKey,
    cost_attribution_gap: Type.Number({ minimum: 0, description: 'Monthly USD of non-compliant resources (spend that cannot be attributed).' }),
    scan_timestamp: Type.String({ description: 'ISO time of the oldest inventory data used.' }),
    regional_breakdown: Type.Record(Type.String(), RegionSummarySchema),
    data_quality: DataQualitySchema,
    snapshot_id: Type.Union([Type.String(), Type.Null()], { description: 'History snapshot id when store_snapshot was true.' }),
    next_cursor: NextCursorSchema,
    note: Type.String(),
    account_metadata: Type.Optional(AccountMetadataSchema),
    account_breakdown: Type.Optional(Type.Record(Type.String(), AccountSummarySchema)),
    account_errors: Type.Optional(Type.Array(AccountErrorSchema)),
  },
  { additionalProperties: false },
);

export type CheckTagComplianceInput = Static<typeof Input>;
export type CheckTagComplianceOutput = Static<typeof Output>;

export const checkTagCompliance = defineTool({
  name: 'check_tag_compliance',
  title: 'Check tag compliance',
  description: [
    'Scans AWS resources and checks their tags against the organization\'s tagging policy.',
    'Answers: how compliant are we (compliance_score 0–1, total_resources, compliant_resources), which resources break which rule (violations: resource, account_id, region, tag_name, violation_type, severity, current_value, allowed_values, cost_impact_monthly), where (regional_breakdown, violations_by_tag, violations_by_type) and what it costs (cost_attribution_gap: monthly USD of spend on non-compliant resources).',
    'Call it first for any "are we compliant / what is untagged / which accounts are worst" question. Omit resource_types to use every type the policy covers. Pass account_ids (ids, names, aliases or ["all"]) to scan several accounts: the answer then adds account_metadata (successful/failed/skipped accounts), account_breakdown (per-account score and gap) and account_errors (why an account failed, with the role ARN to fix).',
    'Violations come sorted by account, region, type and resource, at most `limit` per page; pass next_cursor back with the same arguments for more. data_quality.status is "partial" when some account × region × type could not be read: then numbers are lower bounds, see data_quality.failed.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Check tag compliance', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [
    {},
    { resource_types: ['ec2:instance', 'rds:db'], filters: { regions: ['us-east-1'] }, severity: 'errors_only', limit: 20 },
    { account_ids: ['all'], store_snapshot: true },
    { resource_types: ['s3:bucket'], filters: { tags: { Environment: 'prod' } }, account_ids: ['production', '123456789012'] },
  ],
  async handler(ctx, input) {
    const filters = input.filters ?? {};
    if (filters.regions !== undefined && filters.region !== undefined && !filters.regions.includes(filters.region)) {
      throw new UserError('filters.region and filters.regions disagree: pass one of them.', { field: '/filters/region' });
    }
    const regions = filters.regions ?? (filters.region === undefined ? undefined : [filters.region]);
    const scope = await resolveScope(ctx, { resource_types: input.resource_types, account_ids: input.account_ids, regions });
    const fingerprint = queryFingerprint('check_tag_compliance', { ...input, store_snapshot: undefined, force_refresh: undefined });
    // The scan checks regions as `/regions`; this tool takes them as filters.regions or filters.region.
    const regionsField = filters.regions === undefined ? '/filters/region' : '/filters/regions';
    const run = await relocateField(runCompliance(ctx, { scope, force_refresh: input.force_refresh ?? false, tag_filter: filters.tags ?? null, severity: input.severity ?? 'all' }), '/regions', regionsField);
    const page = paginate(run.violations, { cursor: input.cursor, limit: input.limit, fingerprint });

    let snapshotId: string | null = null;
    if (input.store_snapshot === true) {
      const saved = await ctx.history.saveSnapshot(buildSnapshot(run, ctx.now()));
      snapshotId = saved.id;
    }
    const s = run.summary;
    const noteParts = [pageNote(page, 'violations')];
    if (run.data_quality.status === 'partial') noteParts.push(`Data is partial: ${run.data_quality.cells_requested - run.data_quality.cells_complete} account × region × type cell(s) could not be read (see data_quality.failed); totals are lower bounds.`);
    const out: CheckTagComplianceOutput = {
      compliance_score: s.compliance_score,
      total_resources: s.total_resources,
      compliant_resources: s.compliant_resources,
      violation_count: s.violation_count,
      violations: page.items,
      violations_by_tag: s.violations_by_tag,
      violations_by_type: s.violations_by_type,
      cost_attribution_gap: s.cost_attribution_gap,
      scan_timestamp: run.inventory.scanned_at,
      regional_breakdown: s.regional_breakdown,
      data_quality: run.data_quality,
      snapshot_id: snapshotId,
      next_cursor: page.next_cursor,
      note: noteParts.join(' '),
    };
    if (scope.account_ids !== null) {
      const sections = accountSections(run, scope);
      out.account_metadata = sections.account_metadata;
      out.account_breakdown = sections.account_breakdown;
      out.account_errors = sections.account_errors;
    }
    return out;
  },
});
