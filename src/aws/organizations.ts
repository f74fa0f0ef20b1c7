/**
 * Organization accounts, with the base credentials: ListAccounts (every page), or, below given
 * OUs, ListAccountsForParent + ListOrganizationalUnitsForParent recursively (records the OU).
 */
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AccountInfo } from '../core/types.js';
import { drainPages } from './listers/types.js';

export function accountStatus(a: Pick<Account, 'Status' | 'State'>): AccountInfo['status'] {
  const s: string | undefined = a.State ?? a.Status;
  switch (s) {
    case 'ACTIVE':
      return 'ACTIVE';
    case 'SUSPENDED':
    case 'CLOSED':
      return 'SUSPENDED';
    case 'PENDING_CLOSURE':
      return 'PENDING_CLOSURE';
    default:
      return 'UNKNOWN';
  }
}

function toInfo(a: Account, ou: string | null, localId: string | null): AccountInfo | null {
  if (!a.Id) return null;
  return { account_id: a.Id, name: a.Name ?? null, alias: null, ou, status: accountStatus(a), is_local: a.Id === localId };
}

const WHERE = { account_id: 'organization' };

export async function listOrganizationAccounts(
  org: OrganizationsClient,
  signal: AbortSignal,
  localId: string | null,
  ouIds?: readonly string[],
): Promise<AccountInfo[]> {
  const found = new Map<string, AccountInfo>();
  const add = (a: Account, ou: string | null): void => {
    const info = toInfo(a, ou, localId);
    if (info !== null && !found.has(info.account_id)) found.set(info.account_id, info);
  };
  if (ouIds === undefined || ouIds.length === 0) {
    await drainPages(
      (NextToken) => org.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
      (p) => p.NextToken,
      (p) => { for (const a of p.Accounts ?? []) add(a, null); },
      { ...WHERE, operation: 'organizations:ListAccounts' },
    );
    return [...found.values()];
  }
  const visited = new Set<string>();
  const walk = async (parentId: string): Promise<void> => {
    if (visited.has(parentId)) return;
    visited.add(parentId);
    await drainPages(
      (NextToken) => org.send(new ListAccountsForParentCommand({ ParentId: parentId, ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
      (p) => p.NextToken,
      (p) => { for (const a of p.Accounts ?? []) add(a, parentId); },
      { ...WHERE, operation: 'organizations:ListAccountsForParent' },
    );
    const children: string[] = [];
    await drainPages(
      (NextToken) => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
      (p) => p.NextToken,
      (p) => { for (const ou of p.OrganizationalUnits ?? []) if (ou.Id) children.push(ou.Id); },
      { ...WHERE, operation: 'organizations:ListOrganizationalUnitsForParent' },
    );
    for (const child of children) await walk(child);
  };
  for (const ou of ouIds) await walk(ou);
  return [...found.values()];
}
