/** Canonical JSON (sorted keys, no whitespace, `undefined` members dropped) and its sha256. */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    // JSON.stringify(undefined | function | symbol) is undefined: canonical form of "nothing" is null.
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** Hex sha256 of the canonical JSON of `value`: equal documents hash equal whatever their key order. */
export function policyHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
