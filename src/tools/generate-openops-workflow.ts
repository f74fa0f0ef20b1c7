/**
 * generate_openops_workflow: an OpenOps workflow (YAML and JSON, schema
 * finops-tag-compliance/openops-workflow@1, see src/remediation/README.md) that scans through this
 * server's REST API on a schedule and remediates per strategy when the score drops below a threshold.
 */
import Type from 'typebox';
import { UserError } from '../core/errors.js';
import { buildOpenOpsWorkflow, normaliseThreshold, OPENOPS_SCHEMA, parseSchedule } from '../remediation/openops-workflow.js';
import { remediationSettings } from '../remediation/settings.js';
import { resolveAccounts, resolveResourceTypes } from './common/scope.js';
import { AccountIdsInput, ResourceTypesInput } from './common/schemas.js';
import { defineTool } from './types.js';

const StrategySchema = Type.Union([Type.Literal('notify'), Type.Literal('auto_tag'), Type.Literal('report')]);

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    remediation_strategy: Type.Optional(
      Type.Union([Type.Literal('notify'), Type.Literal('auto_tag'), Type.Literal('report')], {
        default: 'notify',
        description: '"notify" (default): notify owners and open tickets. "report": compliance report + violations CSV to stakeholders. "auto_tag": apply values suggested by suggest_tags with enough confidence (after approval by default), notify owners of the rest.',
      }),
    ),
    threshold: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*%?\\s*$', maxLength: 16 })], {
        default: 0.8,
        description: 'Compliance score below which the workflow acts: 0–1 (0.8 = 80%, the default), or a percentage (80, or "80%"). Values above 1 are read as percentages.',
      }),
    ),
    target_tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 50, description: 'Required tags the workflow remediates. Default: every required tag of the policy that applies to the resource types.' })),
    schedule: Type.Optional(Type.String({ minLength: 1, maxLength: 100, default: 'daily', description: '"daily" (default, 06:00 UTC), "weekly" (Monday), "monthly" (1st), "hourly", or a 5-field cron expression in UTC such as "0 9 * * MON".' })),
    account_ids: Type.Optional(AccountIdsInput),
    server_url: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^https?://', description: 'Base URL of this server as OpenOps reaches it (default: a placeholder filled from the OpenOps connection).' })),
    min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.8, description: 'auto_tag: lowest suggestion confidence applied automatically (default 0.8).' })),
    approval_required: Type.Optional(Type.Boolean({ default: true, description: 'auto_tag: a person approves each tag change before it is written (default true).' })),
  },
  { additionalProperties: false },
);

const StepSchema = Type.Object(
  { id: Type.String(), name: Type.String(), action: Type.String({ description: 'http_request, condition, loop, approval, aws_cli, notification or ticket.' }), description: Type.String() },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    workflow_name: Type.String(),
    description: Type.String(),
    schema_version: Type.Literal(OPENOPS_SCHEMA),
    yaml_content: Type.String({ description: 'The workflow as YAML.' }),
    json_content: Type.String({ description: 'The same workflow as JSON.' }),
    workflow: Type.Record(Type.String(), Type.Unknown(), { description: 'The workflow object (what yaml_content and json_content serialise).' }),
    steps: Type.Array(StepSchema, { description: 'Top-level steps in order (the auto_tag loop has its own steps inside the workflow).' }),
    step_count: Type.Integer({ minimum: 0 }),
    resource_types: Type.Array(Type.String()),
    remediation_strategy: StrategySchema,
    threshold: Type.Number({ minimum: 0, maximum: 1, description: 'The threshold as a 0–1 score.' }),
    threshold_percent: Type.Number({ minimum: 0, maximum: 100 }),
    schedule: Type.Object({ cron: Type.String(), description: Type.String() }, { additionalProperties: false }),
    target_tags: Type.Array(Type.String()),
    notes: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export const generateOpenOpsWorkflow = defineTool({
  name: 'generate_openops_workflow',
  title: 'Generate OpenOps workflow',
  description: [
    'Generates an OpenOps automation workflow (YAML and JSON) that runs on a schedule, scans tag compliance through this server\'s REST API (POST /tools/check_tag_compliance with a Bearer API key), ends when the compliance score is at or above the threshold, and otherwise remediates per remediation_strategy: "notify" (owners + ticket), "report" (compliance report + violations CSV to stakeholders) or "auto_tag" (suggest_tags per violation; values with confidence ≥ min_confidence are applied with the Tagging API in the resource\'s account after an approval step; the rest go to owners; then a fresh re-scan verifies).',
    'Workflow schema (finops-tag-compliance/openops-workflow@1): {schema, name, version, description, trigger {type: schedule, cron, timezone}, triggers [{compliance_score_below}, {schedule}], connections {finops_tag_compliance {base_url, api_key}, notification, aws (auto_tag: role ARN template)}, inputs, filters {resource_types, tag_keys}, steps [{id, name, action: http_request|condition|loop|approval|aws_cli|notification|ticket, description, request {method, url, headers, body} | condition {left, operator, right} | items {from, where} | steps | script | recipients …, on_failure}], metadata}. Step references use {{steps.<id>.body.<field>}} and {{item.<field>}} inside loops.',
    'threshold: 0–1 (default 0.8) or a percentage (80 or "80%"). schedule: daily (default), weekly, monthly, hourly or a 5-field UTC cron. Reads no AWS resources.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Generate OpenOps workflow', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{ resource_types: ['ec2:instance'], remediation_strategy: 'notify', threshold: 0.8 }, { resource_types: ['ec2:instance', 's3:bucket'], remediation_strategy: 'auto_tag', threshold: 90, schedule: 'weekly' }],
  async handler(ctx, input) {
    const policy = ctx.policy.current();
    const types = resolveResourceTypes(policy, input.resource_types);
    const strategy = input.remediation_strategy ?? 'notify';
    const threshold = normaliseThreshold(input.threshold ?? 0.8);
    if (threshold === null) throw new UserError(`threshold ${JSON.stringify(input.threshold)} is out of range: give a score 0–1 (e.g. 0.8) or a percentage up to 100 (e.g. 80 or "80%").`, { field: '/threshold' });
    const schedule = parseSchedule(input.schedule ?? 'daily');
    if ('error' in schedule) throw new UserError(schedule.error, { field: '/schedule' });

    const caseSensitive = policy.namingRules.case_sensitivity;
    const applicable = [...new Set(types.flatMap((t) => [...policy.requiredTagsFor(t)]))];
    let tags = applicable;
    const notes: string[] = [];
    if (input.target_tags !== undefined) {
      const required = policy.document.required_tags.map((t) => t.name);
      const unknown = input.target_tags.filter((n) => !required.some((r) => (caseSensitive ? r === n : r.toLowerCase() === n.toLowerCase())));
      if (unknown.length > 0) throw new UserError(`target_tags: ${unknown.map((u) => `'${u}'`).join(', ')} not required tag(s) of the tagging policy. Required tags: ${required.join(', ')}.`, { field: '/target_tags' });
      tags = required.filter((r) => input.target_tags?.some((n) => (caseSensitive ? r === n : r.toLowerCase() === n.toLowerCase())));
      const unused = tags.filter((t) => !applicable.includes(t));
      if (unused.length > 0) notes.push(`${unused.join(', ')} apply to none of ${types.join(', ')}: the workflow will find no violation for them.`);
    }
    if (applicable.length === 0) notes.push(`No required tag applies to ${types.join(', ')}: these types are out of scope and the scan will always score 1.0.`);

    const accountIds = input.account_ids === undefined ? null : (await resolveAccounts(ctx, input.account_ids)).account_ids;
    const settings = remediationSettings(ctx);
    const build = buildOpenOpsWorkflow({
      resourceTypes: types,
      strategy,
      threshold,
      targetTags: tags,
      schedule,
      accountIds,
      serverUrl: input.server_url ?? '{{connections.finops_tag_compliance.base_url}}',
      minConfidence: input.min_confidence ?? 0.8,
      approvalRequired: input.approval_required ?? true,
      roleArnTemplate: settings.role_arn_template,
      roleName: settings.role_name,
      policyVersion: policy.version,
      policyHash: policy.hash,
      generatedAt: ctx.now().toISOString(),
    });
    notes.push('Create an API key for OpenOps on this server (scope: scan) and store it in the finops_tag_compliance connection; the workflow calls POST /tools/<name> with it.');
    if (strategy === 'auto_tag') {
      notes.push(`auto_tag writes tags only from suggest_tags values with confidence ≥ ${input.min_confidence ?? 0.8}${input.approval_required === false ? '' : ', after approval'}; the OpenOps AWS connection needs tag:TagResources (and the service tagging action) through ${settings.role_arn_template.replaceAll('{role_name}', settings.role_name)}; this server\'s own role stays read-only.`);
      if (input.approval_required === false) notes.push('approval_required is false: tags are written without a person confirming them.');
    }
    return {
      workflow_name: build.name,
      description: build.description,
      schema_version: OPENOPS_SCHEMA,
      yaml_content: build.yaml,
      json_content: build.json,
      workflow: build.workflow,
      steps: build.steps.map((s) => ({ id: s.id, name: s.name, action: s.action, description: s.description })),
      step_count: build.steps.length,
      resource_types: types,
      remediation_strategy: strategy,
      threshold,
      threshold_percent: Math.round(threshold * 10000) / 100,
      schedule: { cron: schedule.cron, description: schedule.label },
      target_tags: tags,
      notes,
    };
  },
});
