/**
 * What an audit event says about a tool call, built without ever copying a free-text value:
 * argument keys with their type and size, the accounts asked for (ids only) and the accounts
 * an answer reports on.
 */
const ACCOUNT_ID = /^[0-9]{12}$/;

export type ArgSummary = Record<string, { type: string; length?: number; value?: number | boolean }>;

/** Keys with type and size; numbers and booleans as they are (never strings or nested content). */
export function summariseArguments(args: unknown): ArgSummary {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return {};
  const out: ArgSummary = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>).slice(0, 50)) {
    const key = k.length > 64 ? `${k.slice(0, 64)}…` : k;
    if (Array.isArray(v)) out[key] = { type: 'array', length: v.length };
    else if (typeof v === 'string') out[key] = { type: 'string', length: v.length };
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = { type: typeof v, value: v };
    else if (v === null) out[key] = { type: 'null' };
    else if (typeof v === 'object') out[key] = { type: 'object', length: Object.keys(v).length };
    else out[key] = { type: typeof v };
  }
  return out;
}

/** Account ids (12 digits) or "all" named in account_ids; names and aliases are counted, not copied. */
export function requestedAccounts(args: unknown): string[] {
  if (args === null || typeof args !== 'object') return [];
  const ids = (args as { account_ids?: unknown; accounts?: unknown }).account_ids ?? (args as { accounts?: unknown }).accounts;
  const list = Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : [];
  return [...new Set(list.filter((a): a is string => typeof a === 'string' && (ACCOUNT_ID.test(a) || a.toLowerCase() === 'all')))].slice(0, 200);
}

/** Accounts an answer reports on (account_metadata of multi-account answers), sorted. */
export function touchedAccounts(result: unknown): string[] {
  if (result === null || typeof result !== 'object') return [];
  const meta = (result as { account_metadata?: unknown }).account_metadata;
  if (meta === null || typeof meta !== 'object') return [];
  const out = new Set<string>();
  for (const field of ['successful_accounts', 'failed_accounts', 'partial_accounts']) {
    const list = (meta as Record<string, unknown>)[field];
    if (Array.isArray(list)) for (const a of list) if (typeof a === 'string' && ACCOUNT_ID.test(a)) out.add(a);
  }
  return [...out].sort();
}
