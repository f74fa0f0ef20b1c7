/**
 * Cache keys: namespaced, versioned, and always carrying the account they belong to, so one
 * account's data can never be served for another (seed Phase 3, UAT-6).
 */
import { createHash } from 'node:crypto';

export const CACHE_KEY_VERSION = 'v1';

/** Account ids are 12 digits; anything else would break key isolation (no ':' smuggling). */
function checkPart(name: string, value: string): string {
  if (value.length === 0 || value.includes(':')) throw new Error(`Invalid cache key part ${name}: ${JSON.stringify(value)}`);
  return value;
}

/** Inventory of one cell: account × region × type. */
export function inventoryKey(accountId: string, region: string, resourceType: string): string {
  // Resource types contain ':' (`ec2:instance`); they are the last part, so the key stays unambiguous.
  if (resourceType.length === 0) throw new Error('Invalid cache key part resource_type: empty');
  return `${CACHE_KEY_VERSION}:inv:${checkPart('account', accountId)}:${checkPart('region', region)}:${resourceType}`;
}

/** Prefix of every inventory key of one account (or of all accounts). */
export function inventoryPrefix(accountId?: string): string {
  return accountId === undefined ? `${CACHE_KEY_VERSION}:inv:` : `${CACHE_KEY_VERSION}:inv:${checkPart('account', accountId)}:`;
}

export function regionsKey(accountId: string): string {
  return `${CACHE_KEY_VERSION}:regions:${checkPart('account', accountId)}`;
}

export function regionsPrefix(): string {
  return `${CACHE_KEY_VERSION}:regions:`;
}

/** Discovered accounts of one scope (`org` or the OU ids). */
export function accountsKey(scope: string): string {
  return `${CACHE_KEY_VERSION}:accounts:${scope}`;
}

/** Cost Explorer answer: hash of the sorted, de-duplicated accounts and the period. */
export function costKey(start: string, end: string): string {
  return `${CACHE_KEY_VERSION}:ce:${start}:${end}`;
}
