/**
 * find_untagged_resources: resources missing at least one required tag, with their current tags,
 * age and (optionally) an allocated monthly cost estimate.
 */
import Type, { type Static } from 'typebox';
import { roundMoney } from '../compliance/index.js';
import { accountSections } from './common/accounts.js';
import { pageNote, paginate, queryFingerprint } from './common/pagination.js';
import { runCompliance } from './common/run-compliance.js';
import {
  AccountErrorSchema,
  AccountIdsInput,
  AccountMetadataSchema,
  CursorInput,
  DataQualitySchema,
  LimitInput,
  NextCursorSchema,
  NullableString,
  RegionsInput,
  ResourceTypesInput,
  TagsSchema,
} from './common/schemas.js';
import { resolveScope } from './common/scope.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    regions: Type.Optional(RegionsInput),
    include_costs: Type.Optional(Type.Boolean({ default: false, description: 'Add monthly_cost_estimate per resource (one Cost Explorer query, allocated to resources) and sort by cost.' })),
    min_cost_threshold: Type.Optional(Type.Number({ minimum: 0, description: 'Only resources whose monthly_cost_estimate (USD) is at least this. Implies include_costs.' })),
    account_ids: Type.Optional(AccountIdsInput),
    limit: Type.Optional(LimitInput),
    cursor: Type.Optional(CursorInput),
  },
  { additionalProperties: false },
);

const UntaggedResource = Type.Object(
  {
    resource_id: Type.String(),
    resource_arn: Type.String(),
    resource_type: Type.String(),
    account_id: Type.String(),
    region: Type.String(),
    name: NullableString,
    missing_required_tags: Type.Array(Type.String(), { description: 'Required tags absent from the resource.' }),
    current_tags: TagsSchema,
    created_at: NullableString,
    age_days: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Whole days since creation (null when AWS does not report it).' }),
    monthly_cost_estimate: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'USD per month, the resource\'s share of its service total (null when Cost Explorer could not be read).' })),
    cost_source: Type.Optional(Type.Union([Type.Literal('allocated_from_service_total'), Type.Literal('unavailable')])),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    total_resources: Type.Integer({ minimum: 0, description: 'In-scope resources scanned.' }),
    untagged_count: Type.Integer({ minimum: 0, description: 'Resources missing at least one required tag (after min_cost_threshold).' }),
    total_monthly_cost: Type.Union([Type.Number(), Type.Null()], { description: 'Sum of monthly_cost_estimate over every matching resource (all pages); null without costs.' }),
    resources: Type.Array(UntaggedResource),
    scan_timestamp: Type.String(),
    data_quality: DataQualitySchema,
    next_cursor: NextCursorSchema,
    note: Type.String(),
    account_metadata: Type.Optional(AccountMetadataSchema),
    account_errors: Type.Optional(Type.Array(AccountErrorSchema)),
  },
  { additionalProperties: false },
);

type UntaggedOut = Static<typeof UntaggedResource>;
const DAY_MS = 86_400_000;

export function ageDays(createdAt: string | null, now: Date): number | null {
  if (createdAt === null) return null;
  const t = Date.parse(createdAt);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

export const findUntaggedResources = defineTool({
  name: 'find_untagged_resources',
  title: 'Find untagged resources',
  description: [
    'Lists resources that are missing at least one REQUIRED tag of the tagging policy (wrong values are not "missing": use check_tag_compliance for those).',
    'Each item: resource_id, resource_arn, resource_type, account_id, region, name, missing_required_tags, current_tags, created_at, age_days.',
    'With include_costs=true (or min_cost_threshold) each item also has monthly_cost_estimate (USD, the resource\'s share of its Cost Explorer service total, weighted by size) and cost_source, and the list is sorted by cost, most expensive first — use this to answer "which untagged resources cost the most".',
    'Pass account_ids for several accounts. Results are paged (limit, next_cursor). data_quality says whether every account × region × type was read.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Find untagged resources', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{}, { resource_types: ['ec2:instance', 'ec2:volume'], include_costs: true, min_cost_threshold: 25 }, { account_ids: ['all'], regions: ['us-east-1'], limit: 100 }],
  async handler(ctx, input) {
    const scope = await resolveScope(ctx, input);
    const withCosts = input.include_costs === true || input.min_cost_threshold !== undefined;
    const fingerprint = queryFingerprint('find_untagged_resources', input);
    const run = await runCompliance(ctx, { scope, include_costs: withCosts });
    const now = ctx.now();
    const costsKnown = withCosts && run.costs.available;

    let items: (UntaggedOut & { _cost: number })[] = [];
    for (const e of run.evaluation) {
      const missing = e.violations.filter((v) => v.violation_type === 'missing_required_tag').map((v) => v.tag_name);
      if (missing.length === 0) continue;
      const r = e.resource;
      const item: UntaggedOut & { _cost: number } = {
        resource_id: r.id,
        resource_arn: r.arn,
        resource_type: r.type,
        account_id: r.account_id,
        region: r.region,
        name: r.name,
        missing_required_tags: [...missing].sort(),
        current_tags: { ...r.tags },
        created_at: r.created_at,
        age_days: ageDays(r.created_at, now),
        _cost: e.monthly_cost,
      };
      if (withCosts) {
        item.monthly_cost_estimate = costsKnown ? roundMoney(e.monthly_cost) : null;
        item.cost_source = costsKnown ? 'allocated_from_service_total' : 'unavailable';
      }
      items.push(item);
    }
    const notes: string[] = [];
    if (input.min_cost_threshold !== undefined) {
      if (costsKnown) items = items.filter((i) => roundMoney(i._cost) >= (input.min_cost_threshold ?? 0));
      else notes.push('min_cost_threshold was not applied because costs are unavailable (see data_quality.coverage_notes).');
    }
    if (costsKnown) items.sort((a, b) => b._cost - a._cost);
    const total = costsKnown ? roundMoney(items.reduce((s, i) => s + i._cost, 0)) : null;
    const page = paginate(items, { cursor: input.cursor, limit: input.limit, fingerprint });
    notes.unshift(pageNote(page, 'untagged resources'));
    if (run.data_quality.status === 'partial') notes.push('Data is partial: some account × region × type cells could not be read (data_quality.failed), so more untagged resources may exist.');
    const out: Static<typeof Output> = {
      total_resources: run.summary.total_resources,
      untagged_count: items.length,
      total_monthly_cost: total,
      resources: page.items.map(({ _cost, ...rest }) => rest),
      scan_timestamp: run.inventory.scanned_at,
      data_quality: run.data_quality,
      next_cursor: page.next_cursor,
      note: notes.join(' '),
    };
    if (scope.account_ids !== null) {
      const s = accountSections(run, scope);
      out.account_metadata = s.account_metadata;
      out.account_errors = s.account_errors;
    }
    return out;
  },
});
