/**
 * suggest_tags: evidence-based values for a resource's missing or invalid required tags.
 */
import Type, { type Static } from 'typebox';
import { getResourceType } from '../aws/registry.js';
import { NotFoundError, UserError } from '../core/errors.js';
import type { AccountInfo, ResourceRecord } from '../core/types.js';
import { parseArn, typeOfArn } from './common/arn.js';
import { gatherEvidence, rankSuggestions } from './common/evidence.js';
import { mergeDataQuality, oldest } from './common/quality.js';
import { DataQualitySchema, ForceRefreshInput, NullableString, TagsSchema } from './common/schemas.js';
import { resolveAccounts } from './common/scope.js';
import { defineTool } from './types.js';
import { awsStatus } from '../../plugins/errors.js';

const Input = Type.Object(
  {
    resource_arn: Type.String({ minLength: 1, maxLength: 2048, description: 'ARN of the resource to suggest tags for.' }),
    force_refresh: Type.Optional(ForceRefreshInput),
  },
  { additionalProperties: false },
);

const EvidenceSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('attached_instance'), Type.Literal('cloudformation_stack'), Type.Literal('name_prefix'), Type.Literal('account_dominant_value')]),
    value: Type.String(),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    resource_arns: Type.Array(Type.String()),
    count: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 0 }),
    reasoning: Type.String(),
  },
  { additionalProperties: false },
);

const SuggestionSchema = Type.Object(
  {
    value: Type.String(),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: '0–1: how strongly the evidence supports this value.' }),
    reasoning: Type.String({ description: 'The evidence, citing the resources it comes from.' }),
    evidence: Type.Array(EvidenceSchema),
  },
  { additionalProperties: false },
);

const TagSuggestionSchema = Type.Object(
  {
    tag_name: Type.String(),
    problem: Type.Union([Type.Literal('missing_required_tag'), Type.Literal('invalid_value'), Type.Literal('invalid_format')]),
    current_value: NullableString,
    allowed_values: Type.Union([Type.Array(Type.String()), Type.Null()]),
    suggestions: Type.Array(SuggestionSchema),
    no_evidence_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why there is no suggestion (null when there is one).' }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    resource_arn: Type.String(),
    resource_type: Type.String(),
    account_id: Type.String(),
    region: Type.String(),
    compliant: Type.Boolean(),
    current_tags: TagsSchema,
    tags: Type.Array(TagSuggestionSchema, { description: 'One entry per missing or invalid required tag.' }),
    related_resources_examined: Type.Integer({ minimum: 0 }),
    scan_timestamp: Type.String(),
    data_quality: DataQualitySchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

type TagSuggestion = Static<typeof TagSuggestionSchema>;

export const suggestTags = defineTool({
  name: 'suggest_tags',
  title: 'Suggest tags',
  description: [
    'Suggests values for the missing or invalid required tags of ONE resource (by ARN), from evidence in the same account: the instance an EBS volume is attached to, other resources of the same CloudFormation stack, resources with the same name prefix, and the value most resources of the account use.',
    'Each suggestion has a confidence (0–1) and reasoning naming the resources it comes from. Only values the policy accepts (allowed_values, validation_regex) are suggested; when nothing supports a value, no_evidence_reason says so instead of guessing.',
    'Use after check_tag_compliance or find_untagged_resources to propose fixes; confirm with a human before applying tags.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Suggest tags', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{ resource_arn: 'arn:aws:ec2:eu-west-1:210987654321:instance/i-e9d62407658266882' }],
  async handler(ctx, input) {
    const policy = ctx.policy.current();
    const parsed = parseArn(input.resource_arn);
    if (parsed === null) throw new UserError('resource_arn is not a valid ARN: expected arn:partition:service:region:account-id:resource.', { field: '/resource_arn' });
    const type = typeOfArn(parsed);
    if (type === null) throw new UserError(`resource_arn names a resource type this server does not scan (service '${parsed.service}'); see get_tagging_policy for supported types.`, { field: '/resource_arn' });
    const force = input.force_refresh ?? false;

    // S3 bucket ARNs carry no account: look in every account the caller may scan.
    const accounts =
      parsed.account_id !== '' ? await resolveAccounts(ctx, [parsed.account_id]) : await resolveAccounts(ctx, ctx.accounts.multiAccountEnabled ? ['all'] : undefined);
    const infos: AccountInfo[] = accounts.account_ids === null ? (await ctx.accounts.list(ctx.signal)).filter((a) => a.is_local) : accounts.accounts;
    const idsFor = (list: AccountInfo[]): string[] | null => (list.length === 1 && list[0]?.is_local === true ? null : list.map((a) => a.account_id));
    const global = getResourceType(type)?.global === true || parsed.region === '';

    // 1. The resource itself.
    const first = await ctx.inventory.collect({ account_ids: idsFor(infos), regions: global ? null : [parsed.region], resource_types: [type], force_refresh: force, signal: ctx.signal, progress: ctx.progress });
    const ids = infos.map((a) => a.account_id);
    const target: ResourceRecord | undefined =
      first.resources.find((r) => r.arn === input.resource_arn && ids.includes(r.account_id)) ??
      first.resources.find((r) => r.type === type && r.id === parsed.resource_id && ids.includes(r.account_id));
    if (target === undefined) {
      const failed = first.data_quality.failed[0];
      if (failed !== undefined) {
        // A permanent refusal (untrusted role, access denied) is a 403, not a retryable 503 (found by the fuzz suite).
        const status = awsStatus(failed.error_code);
        throw new UserError(`Could not read where this resource lives (${failed.error_code}: ${failed.message})${status === 503 ? '; try again later.' : '.'}`, { statusCode: status, code: status === 403 ? 'forbidden' : 'unreadable' });
      }
      throw new NotFoundError(`No ${type} with ARN ${input.resource_arn} was found (its listing was read completely).`, '/resource_arn');
    }

    // 2. Related resources: the same account and region (global types included).
    const targetAccount = infos.find((a) => a.account_id === target.account_id);
    const region = target.region === 'global' ? null : target.region;
    const related = await ctx.inventory.collect({
      account_ids: targetAccount === undefined ? [target.account_id] : idsFor([targetAccount]),
      regions: region === null ? null : [region],
      resource_types: [...new Set([...policy.applicableTypes, type])].sort(),
      force_refresh: false,
      signal: ctx.signal,
      progress: ctx.progress,
    });
    const pool = related.resources.filter((r) => r.account_id === target.account_id);

    const ev = policy.evaluate(target.type, target.tags);
    const problems = ev.violations.filter(
      (v): v is typeof v & { violation_type: TagSuggestion['problem'] } =>
        v.severity === 'error' && (v.violation_type === 'missing_required_tag' || v.violation_type === 'invalid_value' || v.violation_type === 'invalid_format'),
    );
    const tags: TagSuggestion[] = problems.map((v) => {
      const suggestions = rankSuggestions(gatherEvidence(policy, target, v.tag_name, pool));
      return {
        tag_name: v.tag_name,
        problem: v.violation_type,
        current_value: v.current_value,
        allowed_values: v.allowed_values === null ? null : [...v.allowed_values],
        suggestions,
        no_evidence_reason:
          suggestions.length > 0
            ? null
            : `No related resource (attached instance, CloudFormation stack, name prefix, or a value shared by most of account ${target.account_id}) carries a valid ${v.tag_name}; set it by hand.`,
      };
    });
    const withSuggestion = tags.filter((t) => t.suggestions.length > 0).length;
    const note =
      tags.length === 0
        ? 'The resource has no missing or invalid required tag: nothing to suggest.'
        : `${withSuggestion} of ${tags.length} problem tag(s) have evidence-based suggestions, from ${pool.length - 1} other resource(s) of account ${target.account_id}${region === null ? '' : ` in ${region}`}.`;
    return {
      resource_arn: target.arn,
      resource_type: target.type,
      account_id: target.account_id,
      region: target.region,
      compliant: ev.compliant,
      current_tags: { ...target.tags },
      tags,
      related_resources_examined: Math.max(0, pool.length - 1),
      scan_timestamp: oldest([first.scanned_at, related.scanned_at], ctx.now().toISOString()),
      data_quality: mergeDataQuality([first.data_quality, related.data_quality]),
      note,
    };
  },
});
