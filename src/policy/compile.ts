/**
 * Semantic checks and compilation of a structurally valid policy document (see schema.ts).
 * A policy that cannot work is refused with a PolicyError whose message names the field:
 * invalid or over-long regex, unknown resource type, duplicate or AWS-reserved names, names or
 * values longer than the naming rules allow, allowed values the pattern itself rejects.
 */
import { ALL_TYPE_NAMES, isKnownType } from '../aws/registry.js';
import { PolicyError } from '../core/errors.js';
import type { CompiledPolicy, TaggingPolicyDocument, TagNamingRules } from './types.js';
import { createEvaluator, type CompiledRule, type ProhibitedRule, type TypePlan } from './evaluate.js';
import { policyHash } from './hash.js';
import { pointer, readablePath } from './paths.js';
import { AWS_MAX_KEY_LENGTH, AWS_MAX_VALUE_LENGTH, MAX_REGEX_LENGTH } from './schema.js';

export const DEFAULT_NAMING_RULES: Readonly<TagNamingRules> = Object.freeze({
  case_sensitivity: false,
  allow_special_characters: false,
  max_key_length: AWS_MAX_KEY_LENGTH,
  max_value_length: AWS_MAX_VALUE_LENGTH,
});

/** Characters AWS accepts in tag keys (letters, digits, spaces and `_ . : / = + - @`). */
const AWS_KEY_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

function fail(field: string, problem: string): never {
  throw new PolicyError(`Invalid tagging policy: ${readablePath(field)} ${problem}`, field);
}

function checkName(name: string, field: string, rules: TagNamingRules): void {
  if (name.trim() !== name || name.length === 0) fail(field, `('${name}') must not be empty or start/end with spaces`);
  if (name.toLowerCase().startsWith('aws:')) fail(field, `('${name}') uses the AWS-reserved prefix 'aws:'; such keys never count as tags`);
  if (name.length > rules.max_key_length) fail(field, `('${name}') is longer than tag_naming_rules.max_key_length (${rules.max_key_length})`);
  if (!AWS_KEY_CHARS.test(name)) fail(field, `('${name}') contains characters AWS does not allow in tag keys (letters, digits, spaces and _ . : / = + - @ only)`);
}

/**
 * A group whose body ends in `+`/`*` and is itself repeated — `(a+)+`, `([0-9]*)*`, `(x+){2,}` —
 * backtracks exponentially on a near-miss value. Deliberately narrow (no false positives on
 * common patterns such as `([a-z]+\.)+`); the length limit is the other guard.
 */
const NESTED_QUANTIFIER = /\((?:\?:)?[^()]*[^\\][+*]\)[+*{]/;

function compileRegex(source: string, field: string): RegExp {
  if (source.length > MAX_REGEX_LENGTH) fail(field, `is longer than ${MAX_REGEX_LENGTH} characters`);
  if (NESTED_QUANTIFIER.test(source)) {
    fail(field, `('${source}') repeats a group that already ends in + or * (like (a+)+): such patterns can take exponential time (catastrophic backtracking); drop the outer repetition`);
  }
  try {
    // Validate the pattern on its own first: `a)|(b` would otherwise turn the anchored wrapper into
    // an unanchored alternation.
    new RegExp(source);
    return new RegExp(`^(?:${source})$`);
  } catch (err) {
    return fail(field, `('${source}') is not a valid regular expression: ${(err as Error).message}`);
  }
}

interface Seen {
  where: string;
}

/** Validate the semantics of a schema-valid document and build the evaluator. */
export function compilePolicy(doc: TaggingPolicyDocument, warnings: string[] = []): CompiledPolicy {
  const naming: TagNamingRules = { ...DEFAULT_NAMING_RULES, ...(doc.tag_naming_rules ?? {}) };
  const caseSensitive = naming.case_sensitivity;
  const norm = (name: string): string => (caseSensitive ? name : name.toLowerCase());
  const seen = new Map<string, Seen>();
  const claim = (name: string, field: string): void => {
    const prior = seen.get(norm(name));
    if (prior !== undefined) {
      fail(field, `('${name}') is a duplicate tag name: '${name}' is already defined at ${prior.where}${caseSensitive ? '' : ' (names are compared ignoring case because case_sensitivity is false)'}`);
    }
    seen.set(norm(name), { where: readablePath(field) });
  };

  if (doc.required_tags.length === 0) warnings.push('required_tags is empty: no resource type is in scope, every score is 1.0');
  if (!/^1(\.|$)/.test(doc.version)) warnings.push(`version '${doc.version}' is not 1.x; the file is read with the 1.0 rules`);

  const rules: { rule: CompiledRule; types: readonly string[] }[] = [];
  doc.required_tags.forEach((spec, i) => {
    const nameField = pointer('required_tags', i, 'name');
    checkName(spec.name, nameField, naming);
    claim(spec.name, nameField);

    let allowed: readonly string[] | null = null;
    if (spec.allowed_values != null) {
      if (spec.allowed_values.length === 0) {
        warnings.push(`${readablePath(pointer('required_tags', i, 'allowed_values'))} is empty: treated as "any non-empty value"`);
      } else {
        spec.allowed_values.forEach((v, j) => {
          const f = pointer('required_tags', i, 'allowed_values', j);
          if (v.trim().length === 0) fail(f, 'is empty: an empty value is always invalid, so it cannot be allowed');
          if (v.length > naming.max_value_length) fail(f, `('${v.slice(0, 40)}…') is longer than tag_naming_rules.max_value_length (${naming.max_value_length})`);
        });
        allowed = Object.freeze([...spec.allowed_values]);
      }
    }

    let regex: RegExp | null = null;
    if (spec.validation_regex != null) {
      const f = pointer('required_tags', i, 'validation_regex');
      if (spec.validation_regex === '') warnings.push(`${readablePath(f)} is empty: no format is enforced`);
      else {
        regex = compileRegex(spec.validation_regex, f);
        if (allowed !== null) {
          const rx = regex;
          const rejected = allowed.find((v) => !rx.test(v));
          if (rejected !== undefined) fail(f, `rejects the allowed value '${rejected}' of the same tag: that value could never be compliant`);
        }
      }
    }

    const appliesTo = spec.applies_to ?? [];
    appliesTo.forEach((type, j) => {
      if (!isKnownType(type)) {
        fail(pointer('required_tags', i, 'applies_to', j), `names an unknown resource type '${type}'. Supported types: ${ALL_TYPE_NAMES.join(', ')}`);
      }
    });

    let allowedLower: Map<string, string> | null = null;
    if (allowed !== null && !caseSensitive) {
      allowedLower = new Map();
      for (const v of allowed) if (!allowedLower.has(v.toLowerCase())) allowedLower.set(v.toLowerCase(), v);
    }
    rules.push({
      rule: Object.freeze({
        name: spec.name,
        lower: spec.name.toLowerCase(),
        allowedValues: allowed,
        allowedSet: allowed === null ? null : new Set(allowed),
        allowedLower,
        regex,
        regexSource: regex === null ? null : (spec.validation_regex ?? null),
      }),
      types: appliesTo.length === 0 ? ALL_TYPE_NAMES : appliesTo,
    });
  });

  (doc.optional_tags ?? []).forEach((spec, i) => {
    const f = pointer('optional_tags', i, 'name');
    checkName(spec.name, f, naming);
    claim(spec.name, f);
  });

  const prohibited: ProhibitedRule[] = [];
  (doc.prohibited_tags ?? []).forEach((name, i) => {
    const f = pointer('prohibited_tags', i);
    checkName(name, f, naming);
    claim(name, f);
    prohibited.push(Object.freeze({ name, lower: name.toLowerCase() }));
  });

  // One plan per registry type, rules in policy order; types with no rule are out of scope.
  const plans = new Map<string, TypePlan>();
  for (const type of ALL_TYPE_NAMES) {
    const typeRules = rules.filter((r) => r.types.includes(type)).map((r) => r.rule);
    if (typeRules.length > 0) plans.set(type, Object.freeze({ rules: Object.freeze(typeRules), names: Object.freeze(typeRules.map((r) => r.name)) }));
  }
  const applicableTypes = Object.freeze([...plans.keys()]);
  const evaluate = createEvaluator(plans, Object.freeze(prohibited), caseSensitive);
  const document = deepFreeze(structuredClone(doc));
  const noNames: readonly string[] = Object.freeze([]);

  const compiled: CompiledPolicy = {
    document,
    hash: policyHash(document),
    version: document.version,
    applicableTypes,
    namingRules: Object.freeze(naming),
    warnings: Object.freeze([...warnings]),
    requiredTagsFor: (resourceType: string) => plans.get(resourceType)?.names ?? noNames,
    evaluate,
  };
  return Object.freeze(compiled);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
