/**
 * Effective tag policy of an account: the tag policies attached to the root, each OU on the path
 * down, and the account itself, merged in that order with the `@@assign` / `@@append` / `@@remove`
 * inheritance operators (a simplified model of AWS's rules, enough for tag keys, values and
 * `enforced_for`). Operators are stripped from the result, as AWS does.
 */
import type { SimAccount, SimFixture } from '../types.js';

type FieldValue = string | string[];
type TagRule = Record<string, FieldValue>;

function path(f: SimFixture, account: SimAccount): string[] {
  const chain: string[] = [account.id];
  let parent = account.parent_id;
  for (let guard = 0; guard < 20; guard++) {
    chain.unshift(parent);
    if (parent === f.organization.root_id) break;
    const ou = f.organizational_units.find((o) => o.id === parent);
    if (!ou) break;
    parent = ou.parent_id;
  }
  return chain;
}

function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function applyField(current: FieldValue | undefined, ops: unknown): FieldValue | undefined {
  if (typeof ops !== 'object' || ops === null) return current;
  const o = ops as Record<string, unknown>;
  let value = current;
  if ('@@assign' in o) value = typeof o['@@assign'] === 'string' ? o['@@assign'] : asList(o['@@assign']);
  if ('@@append' in o) value = [...new Set([...asList(value), ...asList(o['@@append'])])];
  if ('@@remove' in o) {
    const remove = new Set(asList(o['@@remove']));
    value = asList(value).filter((x) => !remove.has(x));
  }
  return value;
}

/** The merged policy as a JSON string, or null when no tag policy applies to the account. */
export function effectiveTagPolicy(f: SimFixture, account: SimAccount): string | null {
  const chain = path(f, account);
  const attached = chain.flatMap((target) => (f.tag_policies ?? []).filter((p) => p.targets.includes(target)));
  if (attached.length === 0) return null;
  const tags: Record<string, TagRule> = {};
  for (const p of attached) {
    let doc: unknown;
    try {
      doc = JSON.parse(p.content);
    } catch {
      continue;
    }
    const rules = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['tags'] : undefined;
    if (typeof rules !== 'object' || rules === null) continue;
    for (const [name, rule] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof rule !== 'object' || rule === null) continue;
      const merged: TagRule = tags[name] ?? {};
      for (const [field, ops] of Object.entries(rule as Record<string, unknown>)) {
        const next = applyField(merged[field], ops);
        if (next !== undefined) merged[field] = next;
      }
      tags[name] = merged;
    }
  }
  return JSON.stringify({ tags });
}
