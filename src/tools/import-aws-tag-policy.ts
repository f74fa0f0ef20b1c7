/**
 * import_aws_tag_policy: lists the organization's tag policies, or converts one (or a parent →
 * child chain, or the effective policy of a member account) into our policy format, optionally
 * saving it inside the policies directory and activating it without a restart.
 */
import { dirname } from 'node:path';
import Type, { type Static } from 'typebox';
import { AwsAccessError, type AwsGateway, type OrgPolicySummary } from '../aws/gateway.js';
import { ForbiddenError, NotFoundError, PolicyError, UserError } from '../core/errors.js';
import { parsePolicy } from '../policy/load.js';
import { policyHash } from '../policy/hash.js';
import { convertTagPolicies, type ConversionResult, type TagPolicySource } from '../policy/import/index.js';
import { defaultPolicyName, policyFileName } from '../policy/import/file-name.js';
import { savePolicyFile } from '../policy/import/save.js';
import { TaggingPolicySchema } from '../policy/schema.js';
import type { CompiledPolicy, PolicyStore } from '../policy/types.js';
import { pageNote, paginate, queryFingerprint } from './common/pagination.js';
import { relocateField } from './common/scope.js';
import { defineTool, type ToolContext } from './types.js';

const NAME = 'import_aws_tag_policy';
const MAX_CHAIN = 10;
const DEFAULT_LIST_LIMIT = 50;
const TARGET_CONCURRENCY = 4;

const PolicyId = Type.String({ pattern: '^p-[0-9a-zA-Z_]{8,128}$', description: 'An Organizations policy id, e.g. "p-95ouzwl3".' });

const Input = Type.Object(
  {
    policy_id: Type.Optional(
      Type.Union([PolicyId, Type.Array(PolicyId, { minItems: 1, maxItems: MAX_CHAIN })], {
        description:
          'The tag policy to import. A list combines several policies with AWS inheritance, PARENT FIRST (e.g. the root policy, then an OU policy): @@assign replaces, @@append adds, @@remove drops, and @@operators_allowed_for_child_policies limits what later ones may change. Omit policy_id and account_id to LIST the tag policies (id, name, description, targets).',
      }),
    ),
    account_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Import the EFFECTIVE tag policy of this member account (DescribeEffectivePolicy: every policy of the root, its OUs and the account merged by AWS). 12-digit id, name or alias. Not together with policy_id.',
      }),
    ),
    save_to_file: Type.Optional(Type.Boolean({ description: 'Write the converted policy into the policies directory as <name>.json (default: false; true when name is given).' })),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'File name for save_to_file: 1-64 characters from a-z, 0-9, "-" and "_" (".json" is added). Paths are refused: files are only written inside the policies directory. Default: the AWS policy name.',
      }),
    ),
    overwrite: Type.Optional(Type.Boolean({ description: 'Replace an existing file of that name (never the active policy file). Default false.' })),
    activate: Type.Optional(
      Type.Boolean({ description: 'Make the converted policy the active one now (hot reload, no restart). If it is invalid nothing changes and the previous policy stays active. Default false.' }),
    ),
    required_tags_from: Type.Optional(
      Type.Union([Type.Literal('policy'), Type.Literal('all_keys')], {
        description:
          '"policy" (default): a key is required only on the resource types of its report_required_tag_for (or, failing that, enforced_for); other keys become optional tags, as AWS does not require them. "all_keys": every key is required (on those types, or on every type when none is given).',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: `Listing only: policies per page (default ${DEFAULT_LIST_LIMIT}).` })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Listing only: next_cursor of the previous page.' })),
  },
  { additionalProperties: false },
);

const Target = Type.Object({ target_id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), type: Type.String() }, { additionalProperties: false });

const PolicyListing = Type.Object(
  {
    policy_id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    arn: Type.Union([Type.String(), Type.Null()]),
    aws_managed: Type.Boolean(),
    targets: Type.Array(Target, { description: 'Roots, OUs and accounts the policy is attached to.' }),
  },
  { additionalProperties: false },
);

const ConvertedTagOut = Type.Object(
  {
    policy_key: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('skipped')]),
    applies_to: Type.Array(Type.String()),
    allowed_values: Type.Union([Type.Array(Type.String()), Type.Null()]),
    validation_regex: Type.Union([Type.String(), Type.Null()]),
    aws_values: Type.Union([Type.Array(Type.String()), Type.Null()]),
    types_from: Type.Union([Type.Literal('report_required_tag_for'), Type.Literal('enforced_for'), Type.Literal('all_types'), Type.Null()]),
    reason: Type.String(),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    mode: Type.Union([Type.Literal('list'), Type.Literal('import')]),
    total_policies: Type.Optional(Type.Integer({ minimum: 0 })),
    policies: Type.Optional(Type.Array(PolicyListing)),
    next_cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    source: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('policy'), Type.Literal('policy_chain'), Type.Literal('effective_policy')]),
          policy_ids: Type.Array(Type.String()),
          policy_names: Type.Array(Type.String()),
          account_id: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    policy: Type.Optional(TaggingPolicySchema),
    policy_hash: Type.Optional(Type.String({ description: 'sha256 of the converted policy (equals get_tagging_policy.policy_hash once active).' })),
    tags: Type.Optional(Type.Array(ConvertedTagOut, { description: 'How each AWS policy key was converted.' })),
    valid: Type.Optional(Type.Boolean({ description: 'The converted policy passes our policy validation.' })),
    validation_error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    saved_to: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    replaced_existing_file: Type.Optional(Type.Boolean()),
    activated: Type.Optional(Type.Boolean()),
    previous_policy_hash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    active_policy_hash: Type.Optional(Type.String()),
    warnings: Type.Array(Type.String(), { description: 'Everything the conversion could not represent or had to interpret. Read before activating.' }),
    note: Type.String(),
  },
  { additionalProperties: false },
);

type In = Static<typeof Input>;
type Out = Static<typeof Output>;

type TagPolicyGateway = Required<Pick<AwsGateway, 'listTagPolicies' | 'describePolicy' | 'listPolicyTargets' | 'effectiveTagPolicy'>>;

function gateway(ctx: ToolContext): TagPolicyGateway {
  const aws = ctx.aws;
  if (aws?.listTagPolicies === undefined || aws.describePolicy === undefined || aws.listPolicyTargets === undefined || aws.effectiveTagPolicy === undefined) {
    throw new UserError('This server instance has no AWS Organizations access configured, so tag policies cannot be read.', { statusCode: 503, code: 'unavailable' });
  }
  return {
    listTagPolicies: aws.listTagPolicies.bind(aws),
    describePolicy: aws.describePolicy.bind(aws),
    listPolicyTargets: aws.listPolicyTargets.bind(aws),
    effectiveTagPolicy: aws.effectiveTagPolicy.bind(aws),
  };
}

/** Organizations' "not found" and "not in use" answers are the caller's to fix: 4xx. */
async function orgCall<T>(work: Promise<T>, field?: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AwsAccessError) {
      if (err.code === 'PolicyNotFound' || err.code === 'TargetNotFound' || err.code === 'EffectivePolicyNotFound') throw new NotFoundError(err.message, field);
      if (err.code === 'OrganizationsNotInUse') throw new UserError(err.message, { statusCode: 409, code: 'organizations_not_in_use' });
      if (err.code === 'InvalidInput') throw new UserError(err.message, { statusCode: 400, code: 'invalid_input', ...(field === undefined ? {} : { field }) });
      if (err.code === 'PolicyTypeNotEnabled') throw new UserError(err.message, { statusCode: 409, code: 'tag_policies_not_enabled' });
    }
    throw err;
  }
}

/** The store built by createPolicyStore can follow another file (hot reload from the saved import). */
function canSwitch(store: PolicyStore): store is PolicyStore & { switchTo(path: string): Promise<CompiledPolicy> } {
  return typeof (store as { switchTo?: unknown }).switchTo === 'function';
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function listPolicies(ctx: ToolContext, aws: TagPolicyGateway, input: In): Promise<Out> {
  const all = await orgCall(aws.listTagPolicies(ctx.signal));
  const page = paginate(all, { cursor: input.cursor, limit: input.limit ?? DEFAULT_LIST_LIMIT, fingerprint: queryFingerprint(NAME, input as Record<string, unknown>) });
  const policies = await mapLimited(page.items, TARGET_CONCURRENCY, async (p: OrgPolicySummary) => {
    const targets = await orgCall(aws.listPolicyTargets(p.id, ctx.signal));
    return {
      policy_id: p.id,
      name: p.name,
      description: p.description,
      arn: p.arn,
      aws_managed: p.aws_managed,
      targets: targets.map((t) => ({ target_id: t.target_id, name: t.name, type: t.type })),
    };
  });
  const how = all.length > 0 ? ' Import one with policy_id (a parent-first list combines several), or the effective policy of an account with account_id.' : '';
  return { mode: 'list', total_policies: all.length, policies, next_cursor: page.next_cursor, warnings: [], note: `${pageNote(page, 'tag policies')}${how}` };
}

/** A 12-digit id is used as given (Organizations answers for any member account, scanned or not); names and aliases are resolved. */
async function resolveAccount(ctx: ToolContext, requested: string): Promise<string> {
  let id: string | undefined = requested.trim();
  if (!/^[0-9]{12}$/.test(id)) {
    const resolved = await relocateField(ctx.accounts.resolve([requested], ctx.signal), '/account_ids', '/account_id');
    id = resolved.accounts[0]?.account_id ?? resolved.skipped[0]?.account_id;
  }
  if (id === undefined) throw new UserError(`account_id '${requested}' matches no account of the organization (see list_accounts).`, { field: '/account_id', code: 'unknown_account' });
  const allowed = ctx.principal.allowed_accounts;
  if (allowed !== null && !allowed.includes(id)) throw new ForbiddenError(`You may not read account ${id}: it is outside the accounts your key allows (list_accounts shows them).`);
  return id;
}

function validate(document: ConversionResult['document']): { compiled: CompiledPolicy | null; error: PolicyError | null } {
  try {
    return { compiled: parsePolicy(document), error: null };
  } catch (err) {
    if (err instanceof PolicyError) return { compiled: null, error: err };
    throw err;
  }
}

export const importAwsTagPolicy = defineTool({
  name: NAME,
  title: 'Import AWS Organizations tag policy',
  description: [
    'Lists the AWS Organizations tag policies (no policy_id/account_id: every policy with id, name, description and the roots/OUs/accounts it is attached to), or converts one into this server\'s tagging-policy format.',
    'policy_id imports one policy (a parent-first list is merged with AWS inheritance: @@assign/@@append/@@remove and @@operators_allowed_for_child_policies); account_id imports the EFFECTIVE policy AWS computes for that account.',
    'Conversion: tag_key capitalisation → exact key names with case_sensitivity true; tag_value lists → allowed_values; values with * → one anchored validation_regex; report_required_tag_for / enforced_for → required tags with applies_to; anything that cannot be represented is listed in warnings — read them.',
    'save_to_file with name writes <name>.json inside the policies directory only; activate: true makes the result the active policy immediately (the previous one stays if the result is invalid); both need POLICY_IMPORT_WRITES=true on the server. Without save_to_file/activate nothing changes: it is a preview.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Import AWS Organizations tag policy', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  // It reads AWS (Organizations): the scan rate limit and, with OAuth, the finops:scan scope apply.
  scans: true,
  // Previews only: saving and activating change the server (and need POLICY_IMPORT_WRITES=true).
  examples: [{}, { policy_id: 'p-95ouzwl3' }, { account_id: 'production', required_tags_from: 'all_keys' }],
  async handler(ctx, input): Promise<Out> {
    const save = input.save_to_file ?? input.name !== undefined;
    // Refuse a bad file name before any AWS call.
    const fileName = input.name !== undefined ? policyFileName(input.name) : null;
    if (input.name !== undefined && input.save_to_file === false) {
      throw new UserError('name is only used to save the file: drop name, or set save_to_file to true.', { field: '/name', code: 'invalid_arguments' });
    }
    const importing = input.policy_id !== undefined || input.account_id !== undefined;
    if (!importing) {
      if (save || input.activate === true) {
        throw new UserError('Saving or activating needs a policy: pass policy_id (see the list this tool returns without arguments) or account_id.', { field: '/policy_id', code: 'invalid_arguments' });
      }
      return listPolicies(ctx, gateway(ctx), input);
    }
    if (input.policy_id !== undefined && input.account_id !== undefined) {
      throw new UserError('Pass either policy_id (one policy, or a parent-first list) or account_id (that account\'s effective policy), not both.', { field: '/account_id', code: 'invalid_arguments' });
    }
    if ((save || input.activate === true) && ctx.config?.policy_import_writes !== true) {
      throw new ForbiddenError(
        `Saving and activating imported policies is turned off on this server: they change the policy every caller is checked against. An operator can allow it with POLICY_IMPORT_WRITES=true. Without save_to_file, name and activate the import is a preview and works as is.`,
      );
    }
    if (input.cursor !== undefined) throw new UserError('cursor is only used when listing policies (without policy_id and account_id).', { field: '/cursor', code: 'invalid_arguments' });
    const aws = gateway(ctx);

    const sources: TagPolicySource[] = [];
    const ids: string[] = [];
    const names: string[] = [];
    let accountId: string | null = null;
    let kind: 'policy' | 'policy_chain' | 'effective_policy';
    let lastUpdated: string | null = null;
    if (input.account_id !== undefined) {
      accountId = await resolveAccount(ctx, input.account_id);
      const eff = await orgCall(aws.effectiveTagPolicy(accountId, ctx.signal), '/account_id');
      sources.push({ label: `effective tag policy of account ${accountId}`, content: eff.content });
      lastUpdated = eff.last_updated;
      kind = 'effective_policy';
    } else {
      const list = typeof input.policy_id === 'string' ? [input.policy_id] : [...(input.policy_id ?? [])];
      if (new Set(list).size !== list.length) throw new UserError('policy_id lists the same policy twice; give each policy once, parent first.', { field: '/policy_id', code: 'invalid_arguments' });
      for (const [i, id] of list.entries()) {
        const p = await orgCall(aws.describePolicy(id, ctx.signal), typeof input.policy_id === 'string' ? '/policy_id' : `/policy_id/${i}`);
        if (p.summary.type !== null && p.summary.type !== 'TAG_POLICY') {
          throw new UserError(`Policy ${id} (${p.summary.name}) is a ${p.summary.type}, not a tag policy; only tag policies can be imported.`, { field: '/policy_id', code: 'not_a_tag_policy' });
        }
        sources.push({ label: `policy ${p.summary.name} (${id})`, content: p.content });
        ids.push(id);
        names.push(p.summary.name);
      }
      kind = list.length > 1 ? 'policy_chain' : 'policy';
    }

    const result = convertTagPolicies(sources, { effective: kind === 'effective_policy', required_tags_from: input.required_tags_from ?? 'policy', last_updated: lastUpdated });
    const { compiled, error } = validate(result.document);
    const warnings = [...result.warnings, ...(compiled?.warnings ?? []).map((w) => `policy check: ${w}`)];
    const base = {
      mode: 'import' as const,
      source: { kind, policy_ids: ids, policy_names: names, account_id: accountId },
      policy: result.document,
      policy_hash: compiled?.hash ?? policyHash(result.document),
      tags: result.tags,
      valid: compiled !== null,
      validation_error: error?.message ?? null,
      warnings,
    };

    if ((save || input.activate === true) && error !== null) {
      throw new PolicyError(
        `The converted policy is not valid, so nothing was ${input.activate === true ? 'activated' : 'saved'} and the active policy is unchanged: ${error.message}. Call without save_to_file/activate to preview it with its warnings.`,
        error.field,
      );
    }
    if (input.activate === true && result.document.required_tags.length === 0) {
      throw new UserError(
        'The converted policy has no required tag, so activating it would make every resource compliant; the active policy is unchanged. Pass required_tags_from: "all_keys" to require every key of the AWS policy, or import a policy with report_required_tag_for / enforced_for.',
        { statusCode: 422, field: '/activate', code: 'nothing_to_check' },
      );
    }

    let savedTo: string | null = null;
    let replaced = false;
    if (save) {
      const file = fileName ?? policyFileName(defaultPolicyName(names[0] ?? (accountId === null ? '' : `effective-${accountId}`)) ?? 'imported-tag-policy');
      const saved = await savePolicyFile(dirname(ctx.policy.path), file, result.document, {
        overwrite: input.overwrite === true,
        // The file POLICY_PATH names is never replaced; the active file only by an import that activates it.
        protectedPaths: [...(input.activate === true && input.overwrite === true ? [] : [ctx.policy.path]), ...(ctx.config === undefined ? [ctx.policy.path] : [ctx.config.policy_path])],
      });
      savedTo = saved.path;
      replaced = saved.replaced;
      ctx.logger.info({ saved_to: saved.path, replaced, policy_hash: base.policy_hash }, 'imported AWS tag policy saved');
    }

    let activated = false;
    let previous: string | null = null;
    let following: string | null = null;
    let activeHash = ctx.policy.current().hash;
    if (input.activate === true) {
      previous = activeHash;
      const store = ctx.policy;
      // Saved: the store follows the new file (its edits hot-reload too); else the document itself.
      const next = savedTo !== null && canSwitch(store) ? await store.switchTo(savedTo) : await store.reload(result.document);
      if (savedTo !== null && canSwitch(store)) following = store.path;
      activeHash = next.hash;
      activated = true;
      ctx.logger.info({ previous_policy_hash: previous, policy_hash: next.hash, principal: ctx.principal.id }, 'imported AWS tag policy activated');
    }

    const notes: string[] = [];
    if (!save && !activated) notes.push('Preview only: nothing was saved or activated. Pass save_to_file (with name) and/or activate: true to use it.');
    if (savedTo !== null) notes.push(`Saved to ${savedTo}${replaced ? ' (replaced the previous file)' : ''}.`);
    if (activated) {
      notes.push(
        following !== null
          ? `Active now (policy_hash ${activeHash}); every tool checks against it from the next call, and the server follows ${following} (edits to it are hot-reloaded). POLICY_PATH still names the previous file: set POLICY_PATH=${following} to keep the import after a restart.`
          : `Active now (policy_hash ${activeHash}); every tool checks against it from the next call. It stays active until the server restarts or the file at POLICY_PATH changes; save it (save_to_file) and point POLICY_PATH at the file to keep it after a restart.`,
      );
    }
    if (warnings.length > 0) notes.push(`${warnings.length} warning(s): read them before relying on the converted policy.`);
    return {
      ...base,
      saved_to: savedTo,
      replaced_existing_file: replaced,
      activated,
      previous_policy_hash: previous,
      active_policy_hash: activeHash,
      note: notes.join(' '),
    };
  },
});
