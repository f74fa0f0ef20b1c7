/**
 * A small interpreter of the Cloud Custodian filter subset the generator emits, written from
 * c7n's ValueFilter semantics (c7n/filters/core.py), NOT from the generator:
 * - `{'tag:X': 'absent' | 'present'}`: the value of the tag whose Key is exactly X is None / not None;
 * - `{type: value, key, op: regex-case, value}`: re.match (anchored at the start only, case-sensitive);
 *   a non-string resource value never matches;
 * - `{type: value, key, op: not-in, value: [..]}`: a None value becomes () and is "not in" any list;
 * - `and` / `or` / `not` blocks (`not` negates the AND of its list); a filter list is an AND;
 * - keys: `tag:X`, or the one JMESPath expression the generator uses for tag lines, evaluated
 *   here as JMESPath does (sort_by on code points, join).
 * Python patterns are run with a JavaScript RegExp after rewriting the few Python-only spellings
 * the generator uses (`\Z`, `(?P<n>`, `(?P=n)`, `(?a:`); the Python cross-check runs the real `re`.
 */
import { TAG_LINES_KEY } from '../../src/remediation/custodian-filters.js';
import type { Tags } from '../../src/core/types.js';

export interface C7nResource {
  Tags?: { Key: string; Value: string }[];
}

/** The resource as Custodian sees it: untagged resources have no Tags field (or an empty one). */
export function toC7n(tags: Tags, emptyAsMissing = true): C7nResource {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length === 0 && emptyAsMissing ? {} : { Tags: list };
}

function codePointCompare(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

function resourceValue(key: string, r: C7nResource): string | null {
  if (key.startsWith('tag:')) {
    const name = key.slice(4);
    for (const t of r.Tags ?? []) if (t.Key === name) return t.Value;
    return null;
  }
  if (key === TAG_LINES_KEY) {
    const tags = [...(r.Tags ?? [])].sort((a, b) => codePointCompare(a.Key, b.Key));
    return tags.map((t) => `${t.Key}\t${t.Value}`).join('\n');
  }
  throw new Error(`interpreter: unsupported key ${key}`);
}

const cache = new Map<string, RegExp>();

/** Python pattern (the generator's subset) → an equivalent JavaScript RegExp for re.match. */
export function pythonToJs(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Z') out += '(?![\\s\\S])';
      else if (n === 'A') out += '^';
      else out += `\\${n ?? ''}`;
      i++;
      continue;
    }
    const cond = /^\(\?\((\w+)\)(?:\\(\d+)|\(\?P=(\w+)\))\)/.exec(pattern.slice(i));
    if (cond !== null) {
      // (?(N)\N) / (?(n)(?P=n)): JavaScript back-references already match empty when unset.
      out += cond[2] !== undefined ? `\\${cond[2]}` : `\\k<${cond[3] ?? ''}>`;
      i += cond[0].length - 1;
      continue;
    }
    if (pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (pattern.startsWith('(?P=', i)) {
      const close = pattern.indexOf(')', i);
      out += `\\k<${pattern.slice(i + 4, close)}>`;
      i = close;
      continue;
    }
    if (pattern.startsWith('(?a:', i)) {
      out += '(?:';
      i += 3;
      continue;
    }
    out += c;
  }
  const rx = new RegExp(`^(?:${out})`);
  cache.set(pattern, rx);
  return rx;
}

export function matchFilter(filter: unknown, r: C7nResource): boolean {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw new Error(`interpreter: bad filter ${JSON.stringify(filter)}`);
  const f = filter as Record<string, unknown>;
  const keys = Object.keys(f);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const v = f[k];
    if (k === 'and') return (v as unknown[]).every((x) => matchFilter(x, r));
    if (k === 'or') return (v as unknown[]).some((x) => matchFilter(x, r));
    if (k === 'not') return !(v as unknown[]).every((x) => matchFilter(x, r));
    if (v === 'absent') return resourceValue(k, r) === null;
    if (v === 'present') return resourceValue(k, r) !== null;
    throw new Error(`interpreter: unsupported shorthand ${JSON.stringify(f)}`);
  }
  if (f['type'] !== 'value') throw new Error(`interpreter: unsupported filter type ${String(f['type'])}`);
  const value = resourceValue(String(f['key']), r);
  switch (f['op']) {
    case 'regex-case':
      return typeof value === 'string' && pythonToJs(String(f['value'])).test(value);
    case 'not-in': {
      const list = f['value'] as unknown[];
      return value === null ? true : !list.includes(value);
    }
    default:
      throw new Error(`interpreter: unsupported op ${String(f['op'])}`);
  }
}

/** A policy's `filters` list (AND). */
export function matchPolicy(filters: unknown[], r: C7nResource): boolean {
  return filters.every((f) => matchFilter(f, r));
}
