/**
 * Where an imported policy may be written: only inside the policies directory, under a safe file
 * name built from `name` (`[a-z0-9_-]`, 1–64 characters, `.json` added). Paths, `..`, absolute
 * names, separators, NUL and anything else are refused with a 400 that says what is allowed;
 * a name is never "cleaned up" into something the caller did not ask for.
 */
import { UserError } from '../../core/errors.js';

export const SAFE_NAME = /^[a-z0-9_-]{1,64}$/;

function refuse(name: string, why: string): never {
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name).replace(/\\u0000/g, '\\0');
  throw new UserError(
    `name ${shown} is refused: ${why}. Give a plain file name of 1-64 characters from a-z, 0-9, '-' and '_' (for example "acme-baseline"); ".json" is added and the file is written only inside the policies directory.`,
    { field: '/name', code: 'invalid_name' },
  );
}

/** `name` → `<name>.json`, or a UserError (400, field /name). A trailing `.json` is accepted. */
export function policyFileName(name: string): string {
  if (name.includes('\0')) refuse(name, 'it contains a NUL character');
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.startsWith('\\')) refuse(name, 'it is an absolute path, and files are only written inside the policies directory');
  if (name.split(/[\\/]/).includes('..')) refuse(name, 'it climbs out of the policies directory (..)');
  if (/[\\/]/.test(name)) refuse(name, 'it contains a path separator; sub-directories are not allowed');
  const base = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  if (base.length === 0) refuse(name, 'it is empty');
  if (/[A-Z]/.test(base) && SAFE_NAME.test(base.toLowerCase())) refuse(name, 'it contains upper-case letters');
  if (!SAFE_NAME.test(base)) refuse(name, base.length > 64 ? 'it is longer than 64 characters' : 'it contains characters other than a-z, 0-9, - and _');
  return `${base}.json`;
}

/** A safe default name from an AWS policy name (lower-cased, other characters → '-'), or null. */
export function defaultPolicyName(awsName: string): string | null {
  const base = awsName.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return base.length > 0 && SAFE_NAME.test(base) ? base : null;
}
