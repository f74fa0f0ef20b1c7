/**
 * Tool arguments: forgiving normalisation of common client mistakes (before validation) and
 * validation messages that name the field and say what to fix. Pure functions over JSON Schema.
 */
import type { TLocalizedValidationError } from 'typebox/error';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function properties(schema: unknown): Json {
  return isObject(schema) && isObject(schema.properties) ? schema.properties : {};
}

/** The JSON types a (sub)schema accepts, looking through anyOf/oneOf, const and enum. */
export function acceptedTypes(schema: unknown): Set<string> {
  const out = new Set<string>();
  if (!isObject(schema)) return out;
  if (typeof schema.type === 'string') out.add(schema.type);
  if (Array.isArray(schema.type)) for (const t of schema.type) if (typeof t === 'string') out.add(t);
  if (schema.const !== undefined) out.add(typeof schema.const);
  if (Array.isArray(schema.enum)) for (const e of schema.enum) out.add(typeof e);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) for (const s of list) for (const t of acceptedTypes(s)) out.add(t);
  }
  if (out.has('integer')) out.add('number');
  return out;
}

/** Request-level aliases: (alias, canonical). Applied only when the schema knows the canonical
 * name, does not know the alias, and the canonical name is not also given. */
const ALIASES: [string, string][] = [
  ['accounts', 'account_ids'],
  ['account_id', 'account_ids'],
  ['region', 'regions'],
  ['resource_type', 'resource_types'],
  // schedule_compliance_audit: the existing server's parameter names
  ['schedule_type', 'schedule'],
  ['time_of_day', 'time'],
  ['timezone_str', 'timezone'],
];

/**
 * Fix what language models and scripts commonly get wrong, without guessing meaning:
 * `accounts` → `account_ids`, `region` → `regions`; a string where an array is expected → [string];
 * a one-element array where a string is expected → the string; "50" → 50 and "true" → true
 * where a number / boolean is expected. Anything else is left for validation to report.
 */
export function normaliseArguments(schema: unknown, raw: unknown): unknown {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) return raw;
  const props = properties(schema);
  const out: Json = { ...raw };
  for (const [alias, canonical] of ALIASES) {
    if (alias in out && canonical in props && !(alias in props) && !(canonical in out)) {
      out[canonical] = out[alias];
      delete out[alias];
    }
  }
  for (const [key, value] of Object.entries(out)) {
    const types = acceptedTypes(props[key]);
    if (types.size === 0 || value === null) continue;
    if (typeof value === 'string' && types.has('array') && !types.has('string')) out[key] = [value];
    else if (Array.isArray(value) && value.length === 1 && !types.has('array') && typeof value[0] === 'string' && types.has('string')) out[key] = value[0];
    else if (typeof value === 'string' && !types.has('string') && types.has('number') && /^-?\d+(\.\d+)?$/.test(value.trim())) out[key] = Number(value);
    else if (typeof value === 'string' && !types.has('string') && types.has('boolean') && /^(true|false)$/i.test(value.trim())) out[key] = value.trim().toLowerCase() === 'true';
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** `resource_types/0` → "resource type"; `mode` → "mode". */
function nounFor(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  const last = parts[parts.length - 1] ?? 'value';
  if (/^\d+$/.test(last)) {
    const parent = parts[parts.length - 2] ?? 'value';
    return parent.replace(/_ids$/, '_id').replace(/ies$/, 'y').replace(/s$/, '').replace(/_/g, ' ');
  }
  return last.replace(/_/g, ' ');
}

/** A value quoted in a message: JSON, cut to 200 characters (a message never echoes a huge input). */
const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
};

/** Deepest nesting tool arguments may have (the schemas need 4; deeper input is refused before it is cloned or validated). */
export const MAX_ARGUMENT_DEPTH = 32;

/** True when objects/arrays in `value` nest deeper than `limit` levels (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.v !== 'object' || item.v === null) continue;
    if (item.depth > limit) return true;
    for (const child of Array.isArray(item.v) ? item.v : Object.values(item.v)) stack.push({ v: child, depth: item.depth + 1 });
  }
  return false;
}
const listOf = (values: unknown[]): string => {
  const shown = values.slice(0, 40).map((v) => String(v)).join(', ');
  return values.length > 40 ? `${shown}, … (${values.length} in all)` : shown;
};

/** What a single failed keyword asks for, in words. */
function explain(e: TLocalizedValidationError): string {
  switch (e.keyword) {
    case 'maximum':
      return `must be at most ${e.params.limit}`;
    case 'minimum':
      return `must be at least ${e.params.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${e.params.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${e.params.limit}`;
    case 'maxItems':
      return `must have at most ${e.params.limit} items`;
    case 'minItems':
      return `must have at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`;
    case 'maxLength':
      return `must be at most ${e.params.limit} characters long`;
    case 'minLength':
      return `must be at least ${e.params.limit} character${e.params.limit === 1 ? '' : 's'} long`;
    case 'pattern':
      return `does not have the expected format (pattern ${String((e.params as { pattern?: unknown }).pattern ?? '')})`;
    case 'format':
      return `is not a valid ${e.params.format}`;
    case 'uniqueItems':
      return 'must not repeat items';
    default:
      return e.message;
  }
}

/** One message per offending field, each saying what is wrong and what would be accepted. */
export function describeValidationErrors(errors: TLocalizedValidationError[], value: unknown, schema: unknown): { field: string; messages: string[] } {
  const byPath = new Map<string, TLocalizedValidationError[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const allowedFields = Object.keys(properties(schema));
  const messages: string[] = [];
  let firstField: string | null = null;
  for (const [pointer, errs] of byPath) {
    const path = pointer.replace(/^\//, '');
    const at = valueAt(value, pointer);
    const prefix = path === '' ? '' : `${path}: `;
    const note = (field: string, message: string): void => {
      firstField ??= field;
      messages.push(message);
    };
    for (const e of errs) {
      if (e.keyword === 'additionalProperties') {
        for (const extra of e.params.additionalProperties) {
          note(`${path === '' ? '' : `${path}/`}${extra}`, `${prefix}unknown field "${extra}"; allowed fields: ${path === '' ? allowedFields.join(', ') : 'see the tool schema'}`);
        }
      } else if (e.keyword === 'required') {
        const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
        for (const m of missing) note(`${path === '' ? '' : `${path}/`}${m}`, `${prefix}missing required field "${m}"`);
      }
    }
    if (errs.every((e) => e.keyword === 'additionalProperties' || e.keyword === 'required' || e.keyword === 'boolean')) continue;
    const allowed = errs.flatMap((e) => (e.keyword === 'const' ? [e.params.allowedValue] : e.keyword === 'enum' ? e.params.allowedValues : []));
    const specific = errs.find((e) => !['const', 'enum', 'anyOf', 'oneOf', 'type', 'boolean', 'additionalProperties', 'required'].includes(e.keyword));
    const types = [...new Set(errs.flatMap((e) => (e.keyword === 'type' ? [String((e.params as { type?: unknown }).type)] : [])))];
    let message: string;
    if (allowed.length > 0 && typeof at === typeof allowed[0]) message = `${prefix}${show(at)} is not a supported ${nounFor(path)} (allowed: ${listOf(allowed)})`;
    else if (specific !== undefined) message = `${prefix}${show(at)} ${explain(specific)}`;
    else if (types.length > 0) message = `${prefix}expected ${types.join(' or ')}, got ${show(at)}`;
    else if (allowed.length > 0) message = `${prefix}${show(at)} is not a supported ${nounFor(path)} (allowed: ${listOf(allowed)})`;
    else message = `${prefix}${show(at)} ${errs[0]?.message ?? 'is invalid'}`;
    note(path, message);
  }
  // `field` is a JSON pointer (`/resource_types/0`), the same form tool handlers use in UserErrors.
  return { field: firstField === null || firstField === '' ? '' : `/${firstField}`, messages: messages.length > 0 ? messages : ['the arguments do not match the tool schema'] };
}
