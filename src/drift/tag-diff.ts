/** Tag-set differences restricted to tracked keys (pure). */
import type { KeyFilter, TagDiff, Tags } from './types.js';

/** Own property even for keys like `__proto__` (valid AWS tag keys). */
function setOwn(tags: Tags, key: string, value: string): void {
  Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
}

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Every key. */
export const ALL_KEYS: KeyFilter = () => true;

/**
 * Tracked-key predicate: `*` in `keys` tracks every key; otherwise keys match exactly, or ignoring
 * case when `caseSensitive` is false (so `environment` → `Environment` shows as a removal and an
 * addition of the same tracked tag, the way the policy's case rule sees it).
 */
export function keyFilter(keys: readonly string[], caseSensitive: boolean): KeyFilter {
  if (keys.includes('*')) return ALL_KEYS;
  if (caseSensitive) {
    const set = new Set(keys);
    return (k) => set.has(k);
  }
  const set = new Set(keys.map((k) => k.toLowerCase()));
  return (k) => set.has(k.toLowerCase());
}

/** Keys are compared exactly (a key whose case changed is one removal and one addition). */
export function diffTags(before: Tags, after: Tags, track: KeyFilter = ALL_KEYS): TagDiff {
  const diff: TagDiff = { added: [], removed: [], changed: [] };
  for (const [key, value] of Object.entries(before)) {
    if (!track(key)) continue;
    const now = Object.hasOwn(after, key) ? after[key] : undefined;
    if (now === undefined) diff.removed.push({ key, value });
    else if (now !== value) diff.changed.push({ key, old_value: value, new_value: now });
  }
  for (const [key, value] of Object.entries(after)) {
    if (track(key) && !Object.hasOwn(before, key)) diff.added.push({ key, value });
  }
  diff.added.sort(byKey);
  diff.removed.sort(byKey);
  diff.changed.sort(byKey);
  return diff;
}

/** True when the watched keys hold the same values on both sides (no allocation: the common case). */
export function sameWatchedTags(before: Tags, after: Tags, track: KeyFilter = ALL_KEYS): boolean {
  let watchedBefore = 0;
  for (const key in before) {
    if (!Object.hasOwn(before, key) || !track(key)) continue;
    watchedBefore += 1;
    if (!Object.hasOwn(after, key) || after[key] !== before[key]) return false;
  }
  let watchedAfter = 0;
  for (const key in after) if (Object.hasOwn(after, key) && track(key)) watchedAfter += 1;
  return watchedBefore === watchedAfter;
}

export function isEmptyDiff(diff: TagDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** The tracked part of a tag set. */
export function pickTags(tags: Tags, track: KeyFilter): Tags {
  const out: Tags = {};
  for (const [k, v] of Object.entries(tags)) if (track(k)) setOwn(out, k, v);
  return out;
}

/** `before` with the diff applied (a new object; keys not in the diff are kept as they are). */
export function applyTagDiff(before: Tags, diff: TagDiff): Tags {
  const out: Tags = {};
  for (const [k, v] of Object.entries(before)) setOwn(out, k, v);
  for (const r of diff.removed) delete out[r.key];
  for (const c of diff.changed) setOwn(out, c.key, c.new_value);
  for (const a of diff.added) setOwn(out, a.key, a.value);
  return out;
}

/** Number of tag-level changes in a diff. */
export function diffSize(diff: TagDiff): number {
  return diff.added.length + diff.removed.length + diff.changed.length;
}
