/**
 * Pure scan planning: which cells an account gets, which regions a request may name, and the
 * plain-language coverage notes that go with an answer.
 */
import { GLOBAL_REGION, type AccountInfo, type CellRef } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { getResourceType } from '../aws/registry.js';

/** Region marker of failure entries when an account failed before its regions were known. */
export const ALL_REGIONS = '*';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function splitTypes(types: readonly string[]): { regional: string[]; global: string[] } {
  const regional: string[] = [];
  const global: string[] = [];
  for (const name of types) {
    if (getResourceType(name)?.global === true) global.push(name);
    else regional.push(name);
  }
  return { regional, global };
}

/** Regional types × regions, then each global type once in region `global`. */
export function planCells(accountId: string, regions: readonly string[], types: readonly string[]): CellRef[] {
  const { regional, global } = splitTypes(types);
  const cells: CellRef[] = [];
  for (const region of regions) for (const resource_type of regional) cells.push({ account_id: accountId, region, resource_type });
  for (const resource_type of global) cells.push({ account_id: accountId, region: GLOBAL_REGION, resource_type });
  return cells;
}

export function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * Requested regions checked before anything is read: well-formed, inside ALLOWED_REGIONS, and
 * (when known) enabled. Throws a UserError naming the bad ones and the valid choices.
 */
export function validateRequestedRegions(requested: readonly string[], allowed: readonly string[] | null, enabled: readonly string[] | null): string[] {
  const regions = uniqueSorted(requested);
  if (regions.length === 0) throw new UserError('regions is empty: name at least one region, or leave it out to scan every enabled region', { field: '/regions' });
  const malformed = regions.filter((r) => !REGION_PATTERN.test(r));
  if (malformed.length > 0) throw new UserError(`Unknown region name(s): ${malformed.join(', ')}. Use AWS region codes such as us-east-1 or eu-west-1.`, { field: '/regions' });
  if (allowed !== null) {
    const outside = regions.filter((r) => !allowed.includes(r));
    if (outside.length > 0) throw new UserError(`Region(s) ${outside.join(', ')} are outside ALLOWED_REGIONS. Allowed: ${[...allowed].sort().join(', ')}.`, { field: '/regions' });
  }
  if (enabled !== null) {
    const choices = allowed === null ? [...enabled] : enabled.filter((r) => allowed.includes(r));
    const disabled = regions.filter((r) => !enabled.includes(r));
    if (disabled.length > 0) throw new UserError(`Region(s) ${disabled.join(', ')} are unknown or not enabled. Enabled regions: ${choices.sort().join(', ')}.`, { field: '/regions' });
  }
  return regions;
}

/** Regions one account is scanned in: (requested, else ALLOWED_REGIONS, else all) ∩ enabled. */
export function accountRegions(enabled: readonly string[], requested: readonly string[] | null, allowed: readonly string[] | null): { regions: string[]; not_enabled: string[] } {
  const wanted = requested ?? allowed;
  if (wanted === null) return { regions: uniqueSorted(enabled), not_enabled: [] };
  const set = new Set(enabled);
  return { regions: uniqueSorted(wanted.filter((r) => set.has(r))), not_enabled: requested === null ? [] : uniqueSorted(requested.filter((r) => !set.has(r))) };
}

/** Regions to list in failure entries when an account failed before its regions were known. */
export function fallbackRegions(requested: readonly string[] | null, allowed: readonly string[] | null): string[] {
  return uniqueSorted(requested ?? allowed ?? [ALL_REGIONS]);
}

export function accountLabel(account: Pick<AccountInfo, 'account_id' | 'name' | 'alias'>): string {
  const name = account.name ?? account.alias;
  return name === null ? account.account_id : `${name} (${account.account_id})`;
}

/** Notes on what the numbers cannot see, for the requested types and the scope. */
export function coverageNotes(input: { resource_types: readonly string[]; regions_filtered: boolean; skipped: readonly { account: Pick<AccountInfo, 'account_id' | 'name' | 'alias'>; reason: string }[] }): string[] {
  const notes: string[] = [];
  const tagging: string[] = [];
  for (const name of input.resource_types) {
    const info = getResourceType(name);
    if (info?.lister === 'tagging') tagging.push(`${info.label} (${info.name})`);
  }
  if (tagging.length > 0) {
    const labels = tagging.join(', ');
    notes.push(`${labels} ${tagging.length === 1 ? 'is' : 'are'} listed through the Resource Groups Tagging API, which cannot see resources that have never been tagged: such resources are missing from these numbers.`);
  }
  const { global } = splitTypes(input.resource_types);
  if (input.regions_filtered && global.length > 0) {
    notes.push(`Global type(s) ${global.join(', ')} are read once per account and are not narrowed by the region filter.`);
  }
  for (const s of input.skipped) notes.push(`Account ${accountLabel(s.account)} was not scanned: ${s.reason}.`);
  return notes;
}
