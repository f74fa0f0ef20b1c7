/**
 * Pure name resolution over the directory's entries: ids, names and aliases (case-insensitive)
 * or `all`. Anything outside the set is a UserError listing the valid choices.
 */
import { UserError } from '../core/errors.js';
import type { AccountInfo } from '../core/types.js';

export interface DirectoryEntry {
  info: AccountInfo;
  /** Why the account is not scanned (suspended, excluded); null when it is scannable. */
  skip: string | null;
}

export interface Resolution {
  accounts: AccountInfo[];
  skipped: { account_id: string; reason: string }[];
}

const MAX_CHOICES_LISTED = 50;

function describe(info: AccountInfo): string {
  const names = [info.name, info.alias].filter((n): n is string => n !== null && n.length > 0);
  const unique = [...new Set(names)];
  return unique.length === 0 ? info.account_id : `${info.account_id} (${unique.join(', ')})`;
}

function choices(entries: readonly DirectoryEntry[]): string {
  const listed = entries.slice(0, MAX_CHOICES_LISTED).map((e) => describe(e.info));
  const more = entries.length > MAX_CHOICES_LISTED ? `, and ${entries.length - MAX_CHOICES_LISTED} more (see list_accounts)` : '';
  return `${listed.join('; ')}${more}`;
}

export function resolveNames(names: readonly string[], entries: readonly DirectoryEntry[], multiAccountEnabled: boolean): Resolution {
  const wanted = names.map((n) => n.trim()).filter((n) => n.length > 0);
  if (wanted.length === 0) throw new UserError("account_ids is empty: name accounts by id, name or alias, or use 'all'", { field: '/account_ids' });

  const local = entries.find((e) => e.info.is_local);
  if (!multiAccountEnabled) {
    const refused = wanted.filter((n) => n.toLowerCase() !== 'all' && n !== local?.info.account_id);
    if (refused.length > 0) {
      throw new UserError(
        `Multi-account scanning is disabled on this server, so only its own account${local === undefined ? '' : ` (${local.info.account_id})`} can be scanned; ${refused.join(', ')} cannot. Set MULTI_ACCOUNT_ENABLED=true and list the accounts in AWS_ACCOUNT_IDS (or enable discovery) to scan other accounts.`,
        { field: '/account_ids' },
      );
    }
  }

  const byId = new Map(entries.map((e) => [e.info.account_id, e]));
  const picked: DirectoryEntry[] = [];
  const add = (e: DirectoryEntry): void => {
    if (!picked.includes(e)) picked.push(e);
  };
  const unknown: string[] = [];
  for (const name of wanted) {
    if (name.toLowerCase() === 'all') {
      for (const e of entries) add(e);
      continue;
    }
    const exact = byId.get(name);
    if (exact !== undefined) {
      add(exact);
      continue;
    }
    const lower = name.toLowerCase();
    const matches = entries.filter((e) => e.info.name?.toLowerCase() === lower || e.info.alias?.toLowerCase() === lower);
    if (matches.length > 1) {
      throw new UserError(`"${name}" matches several accounts: ${matches.map((m) => describe(m.info)).join('; ')}. Use the account id instead.`, { field: '/account_ids' });
    }
    const match = matches[0];
    if (match === undefined) unknown.push(name);
    else add(match);
  }
  if (unknown.length > 0) {
    throw new UserError(`Unknown account(s): ${unknown.join(', ')}. This server can scan: ${choices(entries.filter((e) => e.skip === null))}. Use an account id, name or alias, or 'all'.`, { field: '/account_ids' });
  }
  return {
    accounts: picked.filter((e) => e.skip === null).map((e) => e.info),
    skipped: picked.filter((e) => e.skip !== null).map((e) => ({ account_id: e.info.account_id, reason: e.skip ?? '' })),
  };
}
