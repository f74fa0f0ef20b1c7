/**
 * Effective AWS tag rules → our tagging-policy document (src/policy/types.ts), with every
 * difference the target format cannot express reported in `warnings`.
 *
 * - `tag_key` (or, when absent, the lower-case policy key, as AWS does) becomes the tag `name`;
 *   AWS requires that exact capitalisation, which our format expresses with
 *   `tag_naming_rules.case_sensitivity: true` (a key or value that differs only by case is an
 *   error, not a warning).
 * - `tag_value` becomes `allowed_values`; wildcard values become one anchored `validation_regex`
 *   (see wildcard.ts); a bare `*` means any value.
 * - `report_required_tag_for` (the tag must be present on those types) and, failing that,
 *   `enforced_for` become a required tag whose `applies_to` lists the matching registry types.
 *   Keys with neither are optional tags (AWS only checks their value when present), unless
 *   `required_tags_from: 'all_keys'` makes every key required.
 */
import { ALL_TYPE_NAMES } from '../../aws/registry.js';
import { AWS_MAX_KEY_LENGTH } from '../schema.js';
import type { OptionalTagSpec, RequiredTagSpec, TaggingPolicyDocument } from '../types.js';
import { mergeTagPolicies, type EffectiveTagRule, type MergeOptions, type TagPolicySource } from './aws-syntax.js';
import { mapAwsResourceTypes } from './resource-types.js';
import { valuesToConstraint } from './wildcard.js';

export type RequiredTagsFrom = 'policy' | 'all_keys';

export interface ConvertOptions {
  /** `policy` (default): required where AWS reports or enforces the key; `all_keys`: every key. */
  required_tags_from?: RequiredTagsFrom;
  /** Written to `last_updated` when given (e.g. the effective policy's LastUpdatedTimestamp); absent
   * otherwise, so converting the same AWS content twice gives the same document and hash. */
  last_updated?: string | null;
}

export interface ConvertedTag {
  policy_key: string;
  /** The tag name in our policy (null when the key was skipped). */
  name: string | null;
  status: 'required' | 'optional' | 'skipped';
  /** Registry types (required tags; empty = every supported type). */
  applies_to: string[];
  allowed_values: string[] | null;
  validation_regex: string | null;
  /** The AWS values as written (wildcards included); null: any value. */
  aws_values: string[] | null;
  /** Where `applies_to` came from. */
  types_from: 'report_required_tag_for' | 'enforced_for' | 'all_types' | null;
  /** Why the key is optional or skipped, or how it was read. */
  reason: string;
}

export interface ConversionResult {
  document: TaggingPolicyDocument;
  tags: ConvertedTag[];
  warnings: string[];
}

/** Characters AWS accepts in tag keys (same rule as compile.ts). */
const AWS_KEY_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

function describeValues(values: readonly string[] | null): string {
  if (values === null) return 'any value';
  const shown = values.slice(0, 12).join(', ');
  return values.length > 12 ? `${shown}, … (${values.length} values)` : shown;
}

/** Convert already-merged (effective) rules. */
export function convertEffectiveRules(rules: readonly EffectiveTagRule[], options: ConvertOptions = {}, inherited: string[] = []): ConversionResult {
  const mode = options.required_tags_from ?? 'policy';
  const warnings = [...inherited];
  const tags: ConvertedTag[] = [];
  const required: RequiredTagSpec[] = [];
  const optional: OptionalTagSpec[] = [];
  const names = new Map<string, string>();
  let enforcedUsed = false;
  let emptyValueNote = false;

  for (const rule of rules) {
    const base = { policy_key: rule.policy_key, aws_values: rule.tag_value };
    const skip = (reason: string): void => {
      warnings.push(`tags.${rule.policy_key}: ${reason}; the key is not imported.`);
      tags.push({ ...base, name: null, status: 'skipped', applies_to: [], allowed_values: null, validation_regex: null, types_from: null, reason });
    };

    let name = rule.tag_key;
    if (name === null) {
      name = rule.policy_key;
      warnings.push(`tags.${rule.policy_key}: no policy sets tag_key, so AWS requires the lower-case spelling '${name}' (its default case treatment); imported as '${name}'.`);
    } else if (name.toLowerCase() !== rule.policy_key) {
      warnings.push(`tags.${rule.policy_key}: tag_key '${name}' does not match the policy key ignoring case (AWS requires it to); imported under the tag_key '${name}'.`);
    }
    if (name.trim() !== name || name.length === 0) { skip(`the tag key '${name}' is empty or starts/ends with spaces`); continue; }
    if (name.toLowerCase().startsWith('aws:')) { skip(`'${name}' uses the AWS-reserved prefix aws:, which never counts as a user tag`); continue; }
    if (name.length > AWS_MAX_KEY_LENGTH) { skip(`'${name.slice(0, 40)}…' is longer than ${AWS_MAX_KEY_LENGTH} characters`); continue; }
    if (!AWS_KEY_CHARS.test(name)) { skip(`'${name}' contains characters AWS does not allow in tag keys`); continue; }
    const prior = names.get(name);
    if (prior !== undefined) { skip(`its tag key '${name}' is already imported from tags.${prior}`); continue; }
    names.set(name, rule.policy_key);

    const values = rule.tag_value === null ? null : rule.tag_value.filter((v) => {
      if (v.trim().length > 0) return true;
      warnings.push(`tags.${rule.policy_key}: the empty value in tag_value cannot be expressed (an empty value is always invalid here); left out.`);
      return false;
    });
    const constraint = valuesToConstraint(values);
    if (rule.tag_value !== null && values !== null && values.length === 0) {
      warnings.push(`tags.${rule.policy_key}: tag_value is an empty list after inheritance; imported as "any value".`);
    }

    const report = rule.report_required_tag_for !== null && rule.report_required_tag_for.length > 0 ? rule.report_required_tag_for : null;
    const enforced = rule.enforced_for !== null && rule.enforced_for.length > 0 ? rule.enforced_for : null;
    const typesFrom: ConvertedTag['types_from'] = report !== null ? 'report_required_tag_for' : enforced !== null ? 'enforced_for' : null;
    const awsTypes = report ?? enforced;
    let appliesTo: string[] = [];
    let typeProblem: string | null = null;
    if (awsTypes !== null) {
      const mapped = mapAwsResourceTypes(awsTypes);
      if (mapped.unknown.length > 0) {
        warnings.push(
          `tags.${rule.policy_key}: ${typesFrom} names ${mapped.unknown.map((x) => `'${x}'`).join(', ')}, which this server does not scan (supported: ${ALL_TYPE_NAMES.join(', ')}); left out of applies_to.`,
        );
      }
      appliesTo = mapped.types;
      if (appliesTo.length === 0) typeProblem = `none of the types in ${typesFrom} (${awsTypes.join(', ')}) is scanned by this server`;
    }
    if (report === null && enforced !== null) enforcedUsed = true;

    const isRequired = typeProblem === null && (awsTypes !== null || mode === 'all_keys');
    const description = `Imported from the AWS tag policy key '${rule.policy_key}'; AWS values: ${describeValues(rule.tag_value)}.`;
    if (isRequired) {
      const spec: RequiredTagSpec = {
        name,
        description,
        allowed_values: constraint.allowed_values,
        validation_regex: constraint.validation_regex,
        applies_to: appliesTo,
      };
      required.push(spec);
      if (constraint.allowed_values === null && constraint.validation_regex === null) emptyValueNote = true;
      tags.push({
        ...base,
        name,
        status: 'required',
        applies_to: appliesTo,
        allowed_values: constraint.allowed_values,
        validation_regex: constraint.validation_regex,
        types_from: typesFrom ?? 'all_types',
        reason: typesFrom === null ? 'required_tags_from is all_keys: required on every supported type' : `required on the types of ${typesFrom}`,
      });
      continue;
    }

    const reason =
      typeProblem !== null
        ? `${typeProblem}, so it is imported as an optional tag`
        : 'AWS only checks its value when the tag is present (no report_required_tag_for or enforced_for), so it is imported as an optional tag; pass required_tags_from: "all_keys" to require it everywhere';
    if (typeProblem !== null) warnings.push(`tags.${rule.policy_key}: ${reason}.`);
    if (constraint.validation_regex !== null) {
      warnings.push(
        `tags.${rule.policy_key}: optional tags cannot carry a pattern in this format, so the wildcard values (${describeValues(rule.tag_value)}) are not checked; make the key required to enforce them.`,
      );
    }
    optional.push({ name, description, allowed_values: constraint.allowed_values });
    tags.push({ ...base, name, status: 'optional', applies_to: [], allowed_values: constraint.allowed_values, validation_regex: constraint.validation_regex, types_from: null, reason });
  }

  if (optional.length > 0 && mode === 'policy') {
    warnings.push(
      `${optional.length} key(s) (${optional.map((o) => o.name).join(', ')}) became optional tags: AWS does not require them, and this server does not check optional tags' values. Use required_tags_from: "all_keys" to require them.`,
    );
  }
  if (enforcedUsed) {
    warnings.push(
      'enforced_for tells AWS to block non-compliant tagging operations on those types; this server cannot block anything, so it reads enforced_for as "required on these types" and reports resources without the tag as missing_required_tag.',
    );
  }
  if (emptyValueNote) {
    warnings.push('AWS treats a present tag with an empty value as compliant when tag_value is not restricted; this server always reports an empty value of a required tag as invalid_value.');
  }
  if (required.length === 0) {
    warnings.push('The converted policy has no required tag: every compliance score would be 1.0. It can be saved but not activated.');
  }

  const document: TaggingPolicyDocument = {
    version: '1.0',
    ...(options.last_updated == null ? {} : { last_updated: options.last_updated }),
    required_tags: required,
    optional_tags: optional,
    tag_naming_rules: { case_sensitivity: true, allow_special_characters: true, max_key_length: 128, max_value_length: 256 },
  };
  return { document, tags, warnings };
}

/** Merge a chain of AWS tag policies (parent first) and convert the result. */
export function convertTagPolicies(sources: readonly TagPolicySource[], options: ConvertOptions & MergeOptions = {}): ConversionResult {
  const merged = mergeTagPolicies(sources, options);
  return convertEffectiveRules(merged.rules, options, merged.warnings);
}
