/**
 * generate_custodian_policy: Cloud Custodian YAML that matches exactly the resources this server
 * finds in error (missing and/or invalid required tags), plus a c7n-org accounts.yml for the
 * configured or discovered accounts. Reads no AWS resources (only the account list).
 */
import Type from 'typebox';
import { UserError } from '../core/errors.js';
import type { AccountInfo } from '../core/types.js';
import { buildAccountsFile, runCommands } from '../remediation/c7n-org.js';
import { VIOLATION_KINDS, type ViolationKind } from '../remediation/custodian-filters.js';
import { buildCustodianPolicies } from '../remediation/custodian-policy.js';
import { remediationSettings } from '../remediation/settings.js';
import { resolveAccounts, resolveResourceTypes } from './common/scope.js';
import { AccountIdsInput, RegionsInput, ResourceTypesInput } from './common/schemas.js';
import { defineTool } from './types.js';

export const POLICY_FILE = 'tag-compliance.yml';
export const ACCOUNTS_FILE = 'accounts.yml';
const DEFAULT_QUEUE = 'https://sqs.{region}.amazonaws.com/{account_id}/custodian-mailer';
const MARKER_TAG = 'c7n_tag_compliance';

const ViolationKindSchema = Type.Union([Type.Literal('missing_tag'), Type.Literal('invalid_value')]);

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    violation_types: Type.Optional(
      Type.Array(ViolationKindSchema, {
        minItems: 1,
        maxItems: 2,
        description: 'Which problems the policies match: "missing_tag" (a required tag is absent) and/or "invalid_value" (present but empty, not an allowed value, or not matching the required format). Default: both.',
      }),
    ),
    target_tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        minItems: 1,
        maxItems: 50,
        description: 'Required tags to enforce (names from get_tagging_policy). Default: every required tag that applies to each type.',
      }),
    ),
    dry_run: Type.Optional(Type.Boolean({ default: true, description: 'true (default): notify only, nothing is changed. false: mark-for-op / unmark / act policies (see remediation_op).' })),
    account_ids: Type.Optional(AccountIdsInput),
    regions: Type.Optional(RegionsInput),
    remediation_op: Type.Optional(
      Type.Union([Type.Literal('notify'), Type.Literal('stop')], {
        default: 'notify',
        description: 'dry_run false: what happens when the grace period ends and the tags are still wrong. "notify" (default): notify again. "stop": stop EC2 instances and RDS instances/clusters (other types notify).',
      }),
    ),
    grace_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'dry_run false: days between marking a resource and acting on it (default 7).' })),
    notify_to: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 20,
        description: 'Recipients of the c7n-mailer notifications: e-mail addresses, or c7n-mailer keywords such as "resource-owner". Default ["resource-owner"].',
      }),
    ),
    owner_absent_contact: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 20, description: 'Who c7n-mailer notifies when the resource has no owner tag.' })),
    notify_queue_url: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^https://', description: `SQS queue of c7n-mailer. Default ${DEFAULT_QUEUE} (Custodian fills in {region} and {account_id}).` })),
    role_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w+=,.@-]+$', description: 'Role c7n-org assumes in member accounts. Default: the role this server uses (AWS_ASSUME_ROLE_NAME) in its ARN template. That role is read-only: give the Custodian role tag and SQS permissions before running with dry_run false.' })),
  },
  { additionalProperties: false },
);

const PolicySchema = Type.Object(
  {
    name: Type.String(),
    resource_type: Type.String({ description: 'Cloud Custodian resource, e.g. aws.ec2.' }),
    registry_type: Type.String({ description: 'This server\'s resource type, e.g. ec2:instance.' }),
    role: Type.Union([Type.Literal('report'), Type.Literal('mark'), Type.Literal('unmark'), Type.Literal('act')]),
    action_type: Type.String({ description: 'notify (dry run), mark-for-op, remove-tag, or the op (notify/stop).' }),
    description: Type.String(),
    tags: Type.Array(Type.String()),
    filter_count: Type.Integer({ minimum: 0, description: 'Tag conditions OR-ed in the filter (one per tag and violation type).' }),
    yaml_content: Type.String({ description: 'This policy alone, as a Custodian policy file.' }),
  },
  { additionalProperties: false },
);

const AccountSchema = Type.Object(
  { account_id: Type.String(), name: Type.String(), role: Type.Union([Type.String(), Type.Null()], { description: 'null: the server\'s own account (c7n-org uses the credentials it runs with).' }) },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    policy_yaml: Type.String({ description: `Every policy in one Custodian file (save as ${POLICY_FILE}). Empty when nothing applies.` }),
    combined_yaml: Type.String({ description: 'Same as policy_yaml (name used by earlier versions).' }),
    accounts_yaml: Type.Union([Type.String(), Type.Null()], { description: `c7n-org accounts file (save as ${ACCOUNTS_FILE}); null when multi-account is disabled.` }),
    accounts: Type.Array(AccountSchema),
    policies: Type.Array(PolicySchema),
    total_policies: Type.Integer({ minimum: 0 }),
    resource_types_covered: Type.Array(Type.String()),
    skipped_types: Type.Array(Type.Object({ resource_type: Type.String(), reason: Type.String() }, { additionalProperties: false })),
    target_tags: Type.Array(Type.String()),
    violation_types: Type.Array(ViolationKindSchema),
    dry_run: Type.Boolean(),
    case_sensitive: Type.Boolean({ description: 'The tagging policy\'s case_sensitivity (false: tag keys and values that differ only by case are accepted, and the filters do the same).' }),
    policy_version: Type.String(),
    policy_hash: Type.String(),
    commands: Type.Object(
      {
        validate: Type.String(),
        preview: Type.String(),
        run: Type.String(),
        org_preview: Type.Optional(Type.String()),
        org_run: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    notes: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

/** Map requested tag names onto the policy's required tags (ignoring case when the policy does). */
function resolveTargetTags(names: string[] | undefined, required: readonly string[], caseSensitive: boolean): string[] | null {
  if (names === undefined) return null;
  const out: string[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const hit = required.find((r) => (caseSensitive ? r === n : r.toLowerCase() === n.toLowerCase()));
    if (hit === undefined) unknown.push(n);
    else if (!out.includes(hit)) out.push(hit);
  }
  if (unknown.length > 0) {
    throw new UserError(`target_tags: ${unknown.map((u) => `'${u}'`).join(', ')} ${unknown.length > 1 ? 'are not required tags' : 'is not a required tag'} of the tagging policy. Required tags: ${required.join(', ')}.`, { field: '/target_tags' });
  }
  return out;
}

export const generateCustodianPolicy = defineTool({
  name: 'generate_custodian_policy',
  title: 'Generate Cloud Custodian policy',
  description: [
    'Generates Cloud Custodian policies (YAML) that find the resources breaking the tagging policy, one policy per resource type, and a c7n-org accounts.yml to run them across the organization. Reads no AWS resources.',
    'A policy matches a resource when it is missing ANY of the target tags (violation_types "missing_tag") or holds ANY invalid value: empty, not an allowed value, or not matching the required format ("invalid_value"). The filters follow the policy exactly, including applies_to per type and case_sensitivity (with case_sensitivity false, a key or value differing only by case is accepted, as this server does).',
    'dry_run true (default): each policy only notifies (c7n-mailer via SQS). dry_run false: per type a "-mark" policy (mark-for-op with remediation_op after grace_days, plus notify), an "-unmark" policy (removes the mark once fixed) and an "-act" policy (notify again, or stop EC2/RDS). Nothing is ever tagged with guessed values.',
    'Returns policy_yaml (save as tag-compliance.yml), accounts_yaml (accounts.yml for c7n-org, null in single-account mode; the server\'s own account has no role), policies (name, Custodian resource, role, filter_count, yaml_content), skipped_types with reasons, the commands to validate/preview/run, and notes on anything the filters cannot express exactly.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Generate Cloud Custodian policy', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{ resource_types: ['ec2:instance', 's3:bucket'] }, { resource_types: ['ec2:instance', 'rds:db'], violation_types: ['missing_tag'], dry_run: false, remediation_op: 'stop', grace_days: 3 }],
  async handler(ctx, input) {
    const policy = ctx.policy.current();
    const caseSensitive = policy.namingRules.case_sensitivity;
    const types = resolveResourceTypes(policy, input.resource_types);
    const kinds: ViolationKind[] = input.violation_types === undefined ? [...VIOLATION_KINDS] : VIOLATION_KINDS.filter((k) => input.violation_types?.includes(k));
    const required = policy.document.required_tags.map((t) => t.name);
    const targetTags = resolveTargetTags(input.target_tags, required, caseSensitive);
    const settings = remediationSettings(ctx);
    const dryRun = input.dry_run ?? true;

    const build = buildCustodianPolicies({
      policy,
      resourceTypes: types,
      kinds,
      targetTags,
      dryRun,
      remediationOp: input.remediation_op ?? 'notify',
      graceDays: input.grace_days ?? 7,
      markerTag: MARKER_TAG,
      notifyTo: input.notify_to ?? ['resource-owner'],
      ownerAbsentContact: input.owner_absent_contact ?? [],
      queueUrl: input.notify_queue_url ?? DEFAULT_QUEUE,
      globalRegion: 'us-east-1',
    });

    const notes: string[] = [...build.notes];
    const regions = input.regions ?? settings.allowed_regions;

    // Accounts: the ones asked for (within the caller's allow-list), else every scannable one.
    let accountsYaml: string | null = null;
    let accounts: { account_id: string; name: string; role: string | null }[] = [];
    if (ctx.accounts.multiAccountEnabled) {
      let chosen: AccountInfo[];
      const skipped: string[] = [];
      if (input.account_ids !== undefined) {
        const resolved = await resolveAccounts(ctx, input.account_ids);
        chosen = resolved.accounts;
        for (const s of resolved.skipped) skipped.push(`${s.account_id} (${s.reason})`);
      } else {
        const allowed = ctx.principal.allowed_accounts;
        const all = (await ctx.accounts.list(ctx.signal)).filter((a) => allowed === null || allowed.includes(a.account_id));
        chosen = all.filter((a) => a.status !== 'SUSPENDED' && a.status !== 'PENDING_CLOSURE');
        for (const a of all) if (!chosen.includes(a)) skipped.push(`${a.account_id} (account is ${a.status})`);
      }
      chosen = [...chosen].sort((a, b) => Number(b.is_local) - Number(a.is_local) || (a.account_id < b.account_id ? -1 : 1));
      const file = buildAccountsFile(chosen, { role_name: input.role_name ?? settings.role_name, role_arn_template: settings.role_arn_template, external_id: settings.external_id }, regions);
      accountsYaml = file.yaml;
      accounts = file.entries.map((e) => ({ account_id: e.account_id, name: e.name, role: e.role ?? null }));
      if (skipped.length > 0) notes.push(`Not in accounts.yml: ${skipped.join(', ')}.`);
      if (regions === null) notes.push('accounts.yml lists no regions (ALLOWED_REGIONS is not set): the commands pass --region all; add regions per account to narrow the run.');
      notes.push('c7n-org assumes the role of each member account; the server\'s own account has no role and runs with the credentials c7n-org starts with.');
    } else if (input.account_ids !== undefined) {
      await resolveAccounts(ctx, input.account_ids);
      notes.push('Multi-account scanning is disabled on this server: no accounts.yml; run the policies with custodian in this account.');
    }
    if (!settings.from_server_config) notes.push(`The role ARNs use the default role settings (${settings.role_arn_template}, role ${settings.role_name}): the server configuration was not available to this tool; pass role_name if yours differs.`);
    if (!dryRun) {
      notes.push(`dry_run false: the Custodian role needs tag:TagResources/UntagResources (or the service's tagging actions)${input.remediation_op === 'stop' ? ', ec2:StopInstances, rds:StopDBInstance, rds:StopDBCluster' : ''} and sqs:SendMessage on the mailer queue; this server's scanner role is read-only.`);
      notes.push(`Run the three policies of each type together and on a schedule (e.g. daily): "-mark" tags offenders with ${MARKER_TAG}, "-unmark" clears fixed ones, "-act" acts when the mark falls due.`);
    }
    notes.push('Notifications are sent by c7n-mailer from the SQS queue in each notify action; deploy c7n-mailer first. Use the preview command (--dryrun) to list matches without any action.');
    if (build.documents.length === 0) notes.push('No policy was generated: see skipped_types.');

    const commands = runCommands(POLICY_FILE, accountsYaml === null ? null : ACCOUNTS_FILE, regions);
    return {
      policy_yaml: build.policy_yaml,
      combined_yaml: build.policy_yaml,
      accounts_yaml: accountsYaml,
      accounts,
      policies: build.policies,
      total_policies: build.policies.length,
      resource_types_covered: build.resource_types_covered,
      skipped_types: build.skipped_types,
      target_tags: build.target_tags,
      violation_types: kinds,
      dry_run: dryRun,
      case_sensitive: caseSensitive,
      policy_version: policy.version,
      policy_hash: policy.hash,
      commands,
      notes,
    };
  },
});
