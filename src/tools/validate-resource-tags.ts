/**
 * validate_resource_tags: check specific resources (by ARN) against the policy, reading only the
 * account × region × type cells they live in (cached inventory).
 */
import Type, { type Static } from 'typebox';
import { getResourceType } from '../aws/registry.js';
import { UserError } from '../core/errors.js';
import type { AccountInfo, DataQuality, ResourceRecord } from '../core/types.js';
import type { Inventory } from '../scan/types.js';
import { parseArn, typeOfArn, type ParsedArn } from './common/arn.js';
import { mergeDataQuality, oldest } from './common/quality.js';
import { DataQualitySchema, ForceRefreshInput, NullableString, TagsSchema, TagViolationSchema } from './common/schemas.js';
import type { ToolContext } from './types.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  {
    resource_arns: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 100, description: 'ARNs of the resources to check (1–100), e.g. "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc".' }),
    force_refresh: Type.Optional(ForceRefreshInput),
  },
  { additionalProperties: false },
);

const StatusSchema = Type.Union(
  [
    Type.Literal('compliant'),
    Type.Literal('non_compliant'),
    Type.Literal('out_of_scope'),
    Type.Literal('not_found'),
    Type.Literal('unsupported_type'),
    Type.Literal('invalid_arn'),
    Type.Literal('error'),
  ],
  {
    description:
      'compliant / non_compliant: found and evaluated. out_of_scope: no required tag applies to its type. not_found: its account/region/type was read completely and the resource is not there. unsupported_type: not a resource type this server scans. invalid_arn: not an ARN. error: could not be checked (see message).',
  },
);

const ResultSchema = Type.Object(
  {
    resource_arn: Type.String(),
    status: StatusSchema,
    resource_type: NullableString,
    account_id: NullableString,
    region: NullableString,
    compliant: Type.Union([Type.Boolean(), Type.Null()], { description: 'null when the resource could not be evaluated.' }),
    has_tags: Type.Union([Type.Boolean(), Type.Null()], { description: 'False when the resource exists but carries no tag at all (not the same as not_found).' }),
    current_tags: Type.Union([TagsSchema, Type.Null()]),
    violations: Type.Array(TagViolationSchema),
    message: Type.String(),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    total: Type.Integer({ minimum: 0 }),
    compliant: Type.Integer({ minimum: 0 }),
    non_compliant: Type.Integer({ minimum: 0 }),
    not_found: Type.Integer({ minimum: 0 }),
    not_checked: Type.Integer({ minimum: 0, description: 'unsupported_type, invalid_arn and error results.' }),
    results: Type.Array(ResultSchema),
    scan_timestamp: Type.String(),
    data_quality: DataQualitySchema,
  },
  { additionalProperties: false },
);

type Result = Static<typeof ResultSchema>;

function base(arn: string, status: Result['status'], message: string, extra: Partial<Result> = {}): Result {
  return { resource_arn: arn, status, resource_type: null, account_id: null, region: null, compliant: null, has_tags: null, current_tags: null, violations: [], message, ...extra };
}

interface Target {
  index: number;
  arn: string;
  parsed: ParsedArn;
  type: string;
}

interface AccountCheck {
  info: AccountInfo | null;
  error: string | null;
}

async function checkAccount(ctx: ToolContext, accountId: string): Promise<AccountCheck> {
  try {
    const r = await ctx.accounts.resolve([accountId], ctx.signal);
    const skipped = r.skipped.find((s) => s.account_id === accountId);
    if (skipped !== undefined) return { info: null, error: `Account ${accountId} is not scanned (${skipped.reason}).` };
    const info = r.accounts.find((a) => a.account_id === accountId) ?? null;
    if (info === null) return { info: null, error: `Account ${accountId} is not one this server can scan (see list_accounts).` };
    const allowed = ctx.principal.allowed_accounts;
    if (allowed !== null && !allowed.includes(accountId)) return { info: null, error: `You may not read account ${accountId}.` };
    return { info, error: null };
  } catch (err) {
    if (err instanceof UserError) return { info: null, error: `Account ${accountId} is not one this server can scan (see list_accounts).` };
    throw err;
  }
}

/** Accounts an account-less ARN (S3 bucket) may live in. */
async function candidateAccounts(ctx: ToolContext): Promise<AccountInfo[]> {
  const allowed = ctx.principal.allowed_accounts;
  const list = ctx.accounts.multiAccountEnabled ? (await ctx.accounts.resolve(['all'], ctx.signal)).accounts : (await ctx.accounts.list(ctx.signal)).filter((a) => a.is_local);
  return list.filter((a) => allowed === null || allowed.includes(a.account_id));
}

function findRecord(inv: Inventory, t: Target, accountIds: readonly string[]): ResourceRecord | undefined {
  return (
    inv.resources.find((r) => r.arn === t.arn && accountIds.includes(r.account_id)) ??
    inv.resources.find((r) => r.type === t.type && r.id === t.parsed.resource_id && accountIds.includes(r.account_id) && (t.parsed.region === '' || r.region === t.parsed.region))
  );
}

export const validateResourceTags = defineTool({
  name: 'validate_resource_tags',
  title: 'Validate resource tags',
  description: [
    'Checks specific resources, given by ARN (1–100), against the tagging policy and reports for each one: status (compliant, non_compliant, out_of_scope, not_found, unsupported_type, invalid_arn, error), its violations (tag_name, violation_type, severity, current_value, allowed_values, message) and current_tags.',
    'Use it to verify a resource after someone re-tagged it, or to check resources a user names. not_found means the resource\'s account/region/type was read completely and the resource is not there; has_tags=false means it exists but has no tags at all.',
    'Only the cells the ARNs live in are read (from cache unless force_refresh).',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Validate resource tags', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{ resource_arns: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc123def4567890'] }, { resource_arns: ['arn:aws:s3:::my-bucket', 'arn:aws:rds:eu-west-1:123456789012:db:orders'], force_refresh: true }],
  async handler(ctx, input) {
    const policy = ctx.policy.current();
    const results: (Result | null)[] = input.resource_arns.map(() => null);
    const targets: Target[] = [];
    input.resource_arns.forEach((arn, index) => {
      const parsed = parseArn(arn);
      if (parsed === null) {
        results[index] = base(arn, 'invalid_arn', 'Not a valid ARN: expected arn:partition:service:region:account-id:resource.');
        return;
      }
      const type = typeOfArn(parsed);
      if (type === null) {
        results[index] = base(arn, 'unsupported_type', `Resources of service '${parsed.service}'${parsed.resource_kind === '' ? '' : ` kind '${parsed.resource_kind}'`} are not a supported resource type (see get_tagging_policy for the types this server scans).`, {
          account_id: parsed.account_id === '' ? null : parsed.account_id,
          region: parsed.region === '' ? null : parsed.region,
        });
        return;
      }
      targets.push({ index, arn, parsed, type });
    });

    // Resolve each account once.
    const accountChecks = new Map<string, AccountCheck>();
    for (const t of targets) {
      const id = t.parsed.account_id;
      if (id !== '' && !accountChecks.has(id)) accountChecks.set(id, await checkAccount(ctx, id));
    }
    const accountless = targets.some((t) => t.parsed.account_id === '') ? await candidateAccounts(ctx) : [];

    // Group targets by (accounts, type, region) and read each group's cells once.
    const groups = new Map<string, { accounts: AccountInfo[]; type: string; region: string | null; targets: Target[] }>();
    for (const t of targets) {
      let accounts: AccountInfo[];
      if (t.parsed.account_id === '') {
        accounts = accountless;
        if (accounts.length === 0) {
          results[t.index] = base(t.arn, 'error', 'This ARN names no account and there is no account you may scan.', { resource_type: t.type });
          continue;
        }
      } else {
        const check = accountChecks.get(t.parsed.account_id);
        if (check === undefined || check.info === null) {
          results[t.index] = base(t.arn, 'error', check?.error ?? 'Account could not be resolved.', { resource_type: t.type, account_id: t.parsed.account_id, region: t.parsed.region || null });
          continue;
        }
        accounts = [check.info];
      }
      const global = getResourceType(t.type)?.global === true || t.parsed.region === '';
      const region = global ? null : t.parsed.region;
      const key = `${accounts.map((a) => a.account_id).join(',')}|${t.type}|${region ?? '*'}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { accounts, type: t.type, region, targets: [t] });
      else g.targets.push(t);
    }

    const qualities: DataQuality[] = [];
    const times: string[] = [];
    for (const g of groups.values()) {
      const onlyLocal = g.accounts.length === 1 && g.accounts[0]?.is_local === true;
      const ids = g.accounts.map((a) => a.account_id);
      let inv: Inventory;
      try {
        inv = await ctx.inventory.collect({
          account_ids: onlyLocal ? null : ids,
          regions: g.region === null ? null : [g.region],
          resource_types: [g.type],
          force_refresh: input.force_refresh ?? false,
          signal: ctx.signal,
          progress: ctx.progress,
        });
      } catch (err) {
        // A request this ARN makes impossible (e.g. a region that is not enabled or allowed) is
        // that ARN's problem, not the whole call's.
        if (!(err instanceof UserError)) throw err;
        for (const t of g.targets) {
          results[t.index] = base(t.arn, 'error', `Not checked: ${err.message}`, { resource_type: t.type, account_id: t.parsed.account_id || null, region: t.parsed.region || null });
        }
        continue;
      }
      qualities.push(inv.data_quality);
      times.push(inv.scanned_at);
      for (const t of g.targets) {
        const record = findRecord(inv, t, ids);
        const where = { resource_type: t.type, account_id: record?.account_id ?? (t.parsed.account_id || null), region: record?.region ?? (t.parsed.region || null) };
        if (record === undefined) {
          const failures = inv.data_quality.failed.filter((f) => (f.resource_type === t.type || f.resource_type === '*') && ids.includes(f.account_id) && (g.region === null || f.region === g.region || f.region === 'global' || f.region === '*'));
          const failedAccounts = inv.accounts.filter((a) => ids.includes(a.account_id) && a.status === 'failed');
          if (failures.length > 0 || failedAccounts.length > 0) {
            const why = failures[0] !== undefined ? `${failures[0].error_code}: ${failures[0].message}` : `${failedAccounts[0]?.error?.code ?? 'Unknown'}: ${failedAccounts[0]?.error?.message ?? 'account could not be read'}`;
            results[t.index] = base(t.arn, 'error', `Could not read where this resource lives (${why}); it was not checked.`, where);
          } else {
            results[t.index] = base(t.arn, 'not_found', `No ${t.type} with this ARN exists in ${ids.length === 1 ? `account ${ids[0] ?? ''}` : `the ${ids.length} accounts searched`}${g.region === null ? '' : ` in ${g.region}`} (the listing was read completely).`, where);
          }
          continue;
        }
        const ev = policy.evaluate(record.type, record.tags);
        const hasTags = Object.keys(record.tags).length > 0;
        const common = { ...where, has_tags: hasTags, current_tags: { ...record.tags }, violations: ev.violations.map((v) => ({ ...v, allowed_values: v.allowed_values === null ? null : [...v.allowed_values] })) };
        if (!ev.in_scope) results[t.index] = base(t.arn, 'out_of_scope', `No required tag of the policy applies to ${t.type}.`, { ...common, compliant: true });
        else if (ev.compliant) {
          const warn = ev.violations.length;
          results[t.index] = base(t.arn, 'compliant', warn === 0 ? 'Every required tag is present and valid.' : `Compliant, with ${warn} warning(s) (see violations).`, { ...common, compliant: true });
        } else {
          const errors = ev.violations.filter((v) => v.severity === 'error').length;
          results[t.index] = base(t.arn, 'non_compliant', `${errors} error(s)${hasTags ? '' : '; the resource has no tags at all'}.`, { ...common, compliant: false });
        }
      }
    }
    const final = results.map((r, i) => r ?? base(input.resource_arns[i] ?? '', 'error', 'Not checked.'));
    const count = (s: Result['status'][]): number => final.filter((r) => s.includes(r.status)).length;
    return {
      total: final.length,
      compliant: count(['compliant', 'out_of_scope']),
      non_compliant: count(['non_compliant']),
      not_found: count(['not_found']),
      not_checked: count(['unsupported_type', 'invalid_arn', 'error']),
      results: final,
      scan_timestamp: oldest(times, ctx.now().toISOString()),
      data_quality: mergeDataQuality(qualities),
    };
  },
});
