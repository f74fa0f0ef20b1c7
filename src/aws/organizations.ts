/**
 * Organization accounts, with the base credentials: the tree is walked from the roots (or from
 * the given OUs) with ListAccountsForParent + ListOrganizationalUnitsForParent, every page, so each
 * account comes with its OU (every account of an organization has exactly one parent, so the
 * walk from the roots finds all of them).
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
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
  if (ouIds !== undefined && ouIds.length > 0) {
    for (const ou of ouIds) await walk(ou);
    return [...found.values()];
  }
  const roots: string[] = [];
  await drainPages(
    (NextToken) => org.send(new ListRootsCommand({ ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
    (p) => p.NextToken,
    (p) => { for (const r of p.Roots ?? []) if (r.Id) roots.push(r.Id); },
    { ...WHERE, operation: 'organizations:ListRoots' },
  );
  for (const root of roots) await walk(root);
  return [...found.values()];
}
