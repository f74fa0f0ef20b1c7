/**
 * Turn tool arguments into a scan scope: validated registry type names, resolved account ids
 * (or `null` = single-account mode) within the caller's allow-list, and regions.
 */
import { ALL_TYPE_NAMES, isKnownType } from '../../aws/registry.js';
import type { AccountInfo } from '../../core/types.js';
import { ForbiddenError, UserError } from '../../core/errors.js';
import type { CompiledPolicy } from '../../policy/types.js';
import type { ToolContext } from '../types.js';

export interface ScopeInput {
  resource_types?: string[] | undefined;
  account_ids?: string[] | undefined;
  regions?: string[] | undefined;
}

export interface SkippedAccount {
  account_id: string;
  reason: string;
}

export interface ResolvedScope {
  resource_types: string[];
  /** null = single-account mode (the server's own account, single-account answer shape). */
  account_ids: string[] | null;
  /** Directory entries of the resolved accounts (empty in single-account mode). */
  accounts: AccountInfo[];
  /** Accounts asked for but not scanned (suspended, excluded). */
  skipped: SkippedAccount[];
  regions: string[] | null;
}

/** Validate type names against the registry; default = the policy's applicable types. */
export function resolveResourceTypes(policy: CompiledPolicy, requested: string[] | undefined): string[] {
  if (requested === undefined || requested.length === 0) return [...policy.applicableTypes].sort();
  if (requested.some((t) => t.toLowerCase() === 'all')) return [...ALL_TYPE_NAMES].sort();
  const unknown = requested.filter((t) => !isKnownType(t));
  if (unknown.length > 0) {
    throw new UserError(
      `Unknown resource type${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => JSON.stringify(u)).join(', ')}. ` +
        `Valid names: ${ALL_TYPE_NAMES.join(', ')} (or "all").`,
      { field: '/resource_types', code: 'unknown_resource_type' },
    );
  }
  return [...new Set(requested)].sort();
}

function normalizeRegions(regions: string[] | undefined): string[] | null {
  if (regions === undefined || regions.length === 0) return null;
  return [...new Set(regions)].sort();
}

/** Resolve account names/ids/aliases within the caller's allow-list. */
export async function resolveAccounts(
  ctx: ToolContext,
  requested: string[] | undefined,
): Promise<{ account_ids: string[] | null; accounts: AccountInfo[]; skipped: SkippedAccount[] }> {
  const allowed = ctx.principal.allowed_accounts;
  if (requested === undefined || requested.length === 0) {
    if (allowed !== null) {
      const local = (await ctx.accounts.list(ctx.signal)).find((a) => a.is_local);
      if (local === undefined || !allowed.includes(local.account_id)) {
        throw new ForbiddenError('You may not scan the server\'s own account: pass account_ids with accounts you are allowed to scan (see list_accounts).');
      }
    }
    return { account_ids: null, accounts: [], skipped: [] };
  }
  const wantsAll = requested.some((n) => n.toLowerCase() === 'all');
  const resolved = await ctx.accounts.resolve(requested, ctx.signal);
  let accounts = resolved.accounts;
  let skipped = resolved.skipped;
  if (allowed !== null) {
    if (wantsAll) {
      accounts = accounts.filter((a) => allowed.includes(a.account_id));
      skipped = skipped.filter((s) => allowed.includes(s.account_id));
    } else {
      const denied = accounts.filter((a) => !allowed.includes(a.account_id)).map((a) => a.account_id);
      if (denied.length > 0) {
        throw new ForbiddenError(`You may not scan account${denied.length > 1 ? 's' : ''} ${denied.join(', ')}: remove ${denied.length > 1 ? 'them' : 'it'} from account_ids (list_accounts shows the accounts you may scan).`);
      }
    }
  }
  const seen = new Set<string>();
  accounts = accounts.filter((a) => (seen.has(a.account_id) ? false : (seen.add(a.account_id), true)));
  if (accounts.length === 0) {
    const why = skipped.map((s) => `${s.account_id} (${s.reason})`).join(', ');
    throw new UserError(
      why === '' ? 'No account left to scan: account_ids matched no account you may scan.' : `No account left to scan: every requested account is skipped: ${why}.`,
      { field: '/account_ids', code: 'no_accounts' },
    );
  }
  const ids = accounts.map((a) => a.account_id).sort();
  return { account_ids: ids, accounts, skipped };
}

export async function resolveScope(ctx: ToolContext, input: ScopeInput): Promise<ResolvedScope> {
  const resource_types = resolveResourceTypes(ctx.policy.current(), input.resource_types);
  const regions = normalizeRegions(input.regions);
  const acc = await resolveAccounts(ctx, input.account_ids);
  return { resource_types, regions, ...acc };
}

/**
 * Await `work`; a UserError naming field `from` (or a pointer below it) is re-thrown naming `to`
 * instead, for tools whose argument sits elsewhere than the shared code assumes (check_tag_compliance
 * takes regions as filters.regions). Other errors pass through unchanged.
 */
export async function relocateField<T>(work: Promise<T>, from: string, to: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof UserError && err.field !== undefined && (err.field === from || err.field.startsWith(`${from}/`))) {
      throw new UserError(err.message, { statusCode: err.statusCode, code: err.code, field: to + err.field.slice(from.length) });
    }
    throw err;
  }
}
