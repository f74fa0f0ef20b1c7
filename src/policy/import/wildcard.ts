/**
 * AWS tag-policy values → our value constraint. A value with `*` is a wildcard (`300*` matches
 * every value starting with 300); it becomes a regular expression, never a literal with the
 * star cut off. Our evaluator checks `allowed_values` AND `validation_regex` when both are set
 * (a value must pass both), so a list mixing literals and wildcards becomes ONE anchored regex
 * (literals escaped, alternatives joined with `|`) and no allowed_values.
 */

/** Escape every character that has a meaning in a JavaScript regular expression. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One AWS value (possibly with `*`) as a regex fragment: literals escaped, each run of `*` → `.*`. */
export function wildcardFragment(value: string): string {
  return value
    .split(/\*+/)
    .map(escapeRegex)
    .join('.*');
}

export interface ValueConstraint {
  /** Exact values (no wildcard in the list), else null. */
  allowed_values: string[] | null;
  /** Anchored pattern when the list holds a wildcard, else null. */
  validation_regex: string | null;
  /** The list holds a bare `*`: any value is compliant. */
  any_value: boolean;
}

/** Convert an AWS `tag_value` list (null: no constraint). */
export function valuesToConstraint(values: readonly string[] | null): ValueConstraint {
  if (values === null || values.length === 0) return { allowed_values: null, validation_regex: null, any_value: values === null };
  const list = [...new Set(values)];
  if (list.some((v) => /^\*+$/.test(v))) return { allowed_values: null, validation_regex: null, any_value: true };
  if (!list.some((v) => v.includes('*'))) return { allowed_values: list, validation_regex: null, any_value: false };
  return { allowed_values: null, validation_regex: `^(?:${list.map(wildcardFragment).join('|')})$`, any_value: false };
}
