/**
 * The evaluation hot path. Everything that can be decided once is decided in compile.ts: each
 * resource type maps to a precomputed plan (its rules, regexes compiled and anchored, allowed
 * values in Sets, lower-case maps for case-insensitive policies). Evaluating a resource allocates
 * nothing when it is compliant (a shared frozen result is returned), and otherwise only its
 * result and the array of its violations: a violation depends only on the rule, the key and the
 * value found, so each distinct one is built once and shared (frozen) by every resource that has
 * it (a bounded memo per rule; past the bound, violations are built per resource).
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
  return Object.freeze({
    tag_name: rule.name,
    violation_type: type,
    severity,
    current_value: value,
    allowed_values: rule.allowedValues as string[] | null,
    message,
  });
}

/** Distinct violations kept per rule; beyond this, new ones are built per resource and not kept. */
const MEMO_LIMIT = 4096;

/** Shared violations of one rule (or prohibited key), by kind and the key/value that caused them. */
class ViolationMemo {
  private readonly byKey = new Map<string, TagViolation>();

  get(memoKey: string, build: () => TagViolation): TagViolation {
    let v = this.byKey.get(memoKey);
    if (v === undefined) {
      v = build();
      if (this.byKey.size < MEMO_LIMIT) this.byKey.set(memoKey, v);
    }
    return v;
  }
}

export function createEvaluator(
  plans: ReadonlyMap<string, TypePlan>,
  prohibited: readonly ProhibitedRule[],
  caseSensitive: boolean,
): (resourceType: string, tags: Tags) => ResourceEvaluation {
  // One memo per rule object (a rule is shared by the plans of every type it applies to), and
  // the violation of a missing key, which never varies, built up front.
  const memos = new Map<CompiledRule | ProhibitedRule, ViolationMemo>();
  const missing = new Map<CompiledRule, TagViolation>();
  for (const plan of plans.values()) {
    for (const rule of plan.rules) {
      if (memos.has(rule)) continue;
      memos.set(rule, new ViolationMemo());
      missing.set(rule, violation(rule, 'missing_required_tag', 'error', null, `Required tag '${rule.name}' is missing`));
    }
  }
  for (const p of prohibited) memos.set(p, new ViolationMemo());
  const memo = (rule: CompiledRule | ProhibitedRule): ViolationMemo => memos.get(rule) as ViolationMemo;

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
          (out ??= []).push(missing.get(rule) as TagViolation);
          error = true;
          continue;
        }
        const found = tags[key] as string;
        value = found;
        (out ??= []).push(
          memo(rule).get(`k\u0000${key}\u0000${found}`, () => violation(rule, 'wrong_key_case', 'warning', found, `Tag key '${key}' should be spelled '${rule.name}' (only the case differs)`)),
        );
      }
      const v = value;
      if (isBlank(v)) {
        (out ??= []).push(memo(rule).get(`e\u0000${v}`, () => violation(rule, 'invalid_value', 'error', v, `Required tag '${rule.name}' is present but its value is empty`)));
        error = true;
        continue;
      }
      let caseOnly: string | undefined;
      if (rule.allowedSet !== null && !rule.allowedSet.has(v)) {
        caseOnly = rule.allowedLower?.get(v.toLowerCase());
        if (caseOnly === undefined) {
          (out ??= []).push(
            memo(rule).get(`v\u0000${v}`, () =>
              violation(rule, 'invalid_value', 'error', v, `Tag '${rule.name}' has value ${quote(v)}, which is not an allowed value (${listValues(rule.allowedValues ?? [])})`),
            ),
          );
          error = true;
          continue;
        }
      }
      if (rule.regex !== null && !rule.regex.test(v)) {
        (out ??= []).push(
          memo(rule).get(`f\u0000${v}`, () => violation(rule, 'invalid_format', 'error', v, `Tag '${rule.name}' has value ${quote(v)}, which does not match the required format ${rule.regexSource ?? ''}`)),
        );
        error = true;
        continue;
      }
      if (caseOnly !== undefined) {
        const spelled = caseOnly;
        (out ??= []).push(memo(rule).get(`c\u0000${v}`, () => violation(rule, 'wrong_value_case', 'warning', v, `Tag '${rule.name}' value ${quote(v)} should be written '${spelled}' (only the case differs)`)));
      }
    }
    for (let i = 0; i < prohibited.length; i++) {
      const p = prohibited[i] as ProhibitedRule;
      let key: string | undefined = typeof tags[p.name] === 'string' ? p.name : undefined;
      if (key === undefined && !caseSensitive) key = findKeyIgnoringCase(tags, p.lower);
      if (key === undefined) continue;
      const found = key;
      const current = tags[found] ?? null;
      (out ??= []).push(
        memo(p).get(`p\u0000${found}\u0000${current ?? ''}`, () =>
          Object.freeze({
            tag_name: p.name,
            violation_type: 'prohibited_tag' as const,
            severity: 'error' as const,
            current_value: current,
            allowed_values: null,
            message: `Tag '${found}' is prohibited by the tagging policy and must be removed`,
          }),
        ),
      );
      error = true;
    }
    if (out === null) return COMPLIANT;
    return { in_scope: true, compliant: !error, violations: out };
  };
}
