/**
 * The evaluation hot path. Everything that can be decided once is decided in compile.ts: each
 * resource type maps to a precomputed plan (its rules, regexes compiled and anchored, allowed
 * values in Sets, lower-case maps for case-insensitive policies). Evaluating a resource allocates
 * nothing when it is compliant (a shared frozen result is returned) and only the violations it
 * reports otherwise.
 *
 * Rules (the shared vectors decide anything unclear):
 * - key absent → missing_required_tag (error); keys starting with `aws:` never count.
 * - value empty (or whitespace only) → invalid_value (error).
 * - value outside allowed_values → invalid_value (error); equal ignoring case while
 *   case_sensitivity is false → wrong_value_case (warning).
 * - value not matching validation_regex as a whole → invalid_format (error). The pattern is
 *   matched as written (case-sensitive) whatever case_sensitivity says.
 * - case_sensitivity false and the key only matches ignoring case → wrong_key_case (warning),
 *   and the value found under that key is checked as above. Several such keys: the first in
 *   code-unit order is used, so the result does not depend on tag order.
 * - a prohibited key present (ignoring case when case_sensitivity is false) → prohibited_tag (error).
 * - a type no required tag applies to is out of scope: no violations, counted nowhere.
 */
import type { ResourceEvaluation, Tags, TagViolation } from '../core/types.js';

export interface CompiledRule {
  readonly name: string;
  readonly lower: string;
  /** Frozen, as given (null: any non-empty value). Shared by every violation that reports it. */
  readonly allowedValues: readonly string[] | null;
  readonly allowedSet: ReadonlySet<string> | null;
  /** lower-case value → the allowed spelling (case-insensitive policies only). */
  readonly allowedLower: ReadonlyMap<string, string> | null;
  /** Anchored pattern (`^(?:…)$`), no global/sticky flag, so `test` is stateless. */
  readonly regex: RegExp | null;
  readonly regexSource: string | null;
}

export interface ProhibitedRule {
  readonly name: string;
  readonly lower: string;
}

export interface TypePlan {
  readonly rules: readonly CompiledRule[];
  readonly names: readonly string[];
}

const EMPTY: readonly TagViolation[] = Object.freeze([]);
const OUT_OF_SCOPE: ResourceEvaluation = Object.freeze({ in_scope: false, compliant: true, violations: EMPTY as TagViolation[] });
const COMPLIANT: ResourceEvaluation = Object.freeze({ in_scope: true, compliant: true, violations: EMPTY as TagViolation[] });

/** Shared result objects (frozen). Exposed for tests and callers that compare by identity. */
export const SHARED_RESULTS = { OUT_OF_SCOPE, COMPLIANT } as const;

/** The first key (in code-unit order) equal to `lower` ignoring case, holding a string value. */
function findKeyIgnoringCase(tags: Tags, lower: string): string | undefined {
  let found: string | undefined;
  for (const k in tags) {
    if (k.length !== lower.length || typeof tags[k] !== 'string') continue;
    if (k.toLowerCase() !== lower) continue;
    if (found === undefined || k < found) found = k;
  }
  return found;
}

function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  const c = value.charCodeAt(0);
  // Only values that start with whitespace can be blank: skip the trim otherwise.
  return (c === 32 || (c >= 9 && c <= 13) || c === 160 || c > 127) && value.trim().length === 0;
}

function quote(value: string): string {
  return value.length > 80 ? `'${value.slice(0, 77)}...'` : `'${value}'`;
}

function listValues(values: readonly string[]): string {
  const shown = values.slice(0, 10).join(', ');
  return values.length > 10 ? `${shown}, … (${values.length} in all)` : shown;
}

function violation(rule: CompiledRule, type: TagViolation['violation_type'], severity: TagViolation['severity'], value: string | null, message: string): TagViolation {
  return {
    tag_name: rule.name,
    violation_type: type,
    severity,
    current_value: value,
    allowed_values: rule.allowedValues as string[] | null,
    message,
  };
}

export function createEvaluator(
  plans: ReadonlyMap<string, TypePlan>,
  prohibited: readonly ProhibitedRule[],
  caseSensitive: boolean,
): (resourceType: string, tags: Tags) => ResourceEvaluation {
  return function evaluate(resourceType: string, tags: Tags): ResourceEvaluation {
    const plan = plans.get(resourceType);
    if (plan === undefined) return OUT_OF_SCOPE;
    let out: TagViolation[] | null = null;
    let error = false;
    const rules = plan.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      let value = tags[rule.name];
      if (typeof value !== 'string') {
        const key = caseSensitive ? undefined : findKeyIgnoringCase(tags, rule.lower);
        if (key === undefined) {
          (out ??= []).push(violation(rule, 'missing_required_tag', 'error', null, `Required tag '${rule.name}' is missing`));
          error = true;
          continue;
        }
        value = tags[key] as string;
        (out ??= []).push(
          violation(rule, 'wrong_key_case', 'warning', value, `Tag key '${key}' should be spelled '${rule.name}' (only the case differs)`),
        );
      }
      if (isBlank(value)) {
        (out ??= []).push(violation(rule, 'invalid_value', 'error', value, `Required tag '${rule.name}' is present but its value is empty`));
        error = true;
        continue;
      }
      let caseOnly: string | undefined;
      if (rule.allowedSet !== null && !rule.allowedSet.has(value)) {
        caseOnly = rule.allowedLower?.get(value.toLowerCase());
        if (caseOnly === undefined) {
          (out ??= []).push(
            violation(rule, 'invalid_value', 'error', value, `Tag '${rule.name}' has value ${quote(value)}, which is not an allowed value (${listValues(rule.allowedValues ?? [])})`),
          );
          error = true;
          continue;
        }
      }
      if (rule.regex !== null && !rule.regex.test(value)) {
        (out ??= []).push(
          violation(rule, 'invalid_format', 'error', value, `Tag '${rule.name}' has value ${quote(value)}, which does not match the required format ${rule.regexSource ?? ''}`),
        );
        error = true;
        continue;
      }
      if (caseOnly !== undefined) {
        (out ??= []).push(violation(rule, 'wrong_value_case', 'warning', value, `Tag '${rule.name}' value ${quote(value)} should be written '${caseOnly}' (only the case differs)`));
      }
    }
    for (let i = 0; i < prohibited.length; i++) {
      const p = prohibited[i] as ProhibitedRule;
      let key: string | undefined = typeof tags[p.name] === 'string' ? p.name : undefined;
      if (key === undefined && !caseSensitive) key = findKeyIgnoringCase(tags, p.lower);
      if (key === undefined) continue;
      (out ??= []).push({
        tag_name: p.name,
        violation_type: 'prohibited_tag',
        severity: 'error',
        current_value: tags[key] ?? null,
        allowed_values: null,
        message: `Tag '${key}' is prohibited by the tagging policy and must be removed`,
      });
      error = true;
    }
    if (out === null) return COMPLIANT;
    return { in_scope: true, compliant: !error, violations: out };
  };
}
