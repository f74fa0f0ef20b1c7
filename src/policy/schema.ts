/**
 * TypeBox schema of the tagging-policy file: the format existing deployments use, plus the
 * optional `prohibited_tags` extension. Structural checks only (types, required fields, bounds);
 * the rules that need more than a schema (regexes compile, `applies_to` names a registry type,
 * no duplicate names) live in load.ts.
 *
 * Unknown properties are accepted and ignored (the original service ignored them too, so existing
 * files keep loading); load.ts reports them as warnings so a typo such as `allowed_value` is seen.
 */
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';

/** AWS limits: tag keys are at most 128 characters, values at most 256. */
export const AWS_MAX_KEY_LENGTH = 128;
export const AWS_MAX_VALUE_LENGTH = 256;
/** Longer patterns are refused (catastrophic-backtracking risk, unreadable policies). */
export const MAX_REGEX_LENGTH = 1000;

const TagName = Type.String({ minLength: 1, maxLength: AWS_MAX_KEY_LENGTH, description: 'Tag key, e.g. CostCenter' });
const Description = Type.String({ description: 'What the tag is for (shown to users and language models)' });
const AllowedValues = Type.Union([Type.Array(Type.String({ maxLength: AWS_MAX_VALUE_LENGTH })), Type.Null()], {
  description: 'Accepted values; null or absent: any non-empty value',
});

export const RequiredTagSchema = Type.Object({
  name: TagName,
  description: Type.Optional(Description),
  allowed_values: Type.Optional(AllowedValues),
  validation_regex: Type.Optional(
    Type.Union([Type.String({ maxLength: MAX_REGEX_LENGTH }), Type.Null()], {
      description: 'JavaScript regular expression matched against the WHOLE value',
    }),
  ),
  applies_to: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      description: 'Resource types (e.g. ec2:instance); empty or absent: every supported type',
    }),
  ),
});

export const OptionalTagSchema = Type.Object({
  name: TagName,
  description: Type.Optional(Description),
  allowed_values: Type.Optional(AllowedValues),
});

export const TagNamingRulesSchema = Type.Object({
  case_sensitivity: Type.Optional(Type.Boolean({ description: 'false: keys and values that differ only by case are warnings' })),
  allow_special_characters: Type.Optional(Type.Boolean()),
  max_key_length: Type.Optional(Type.Integer({ minimum: 1, maximum: AWS_MAX_KEY_LENGTH })),
  max_value_length: Type.Optional(Type.Integer({ minimum: 1, maximum: AWS_MAX_VALUE_LENGTH })),
});

export const TaggingPolicySchema = Type.Object(
  {
    version: Type.String({ minLength: 1 }),
    last_updated: Type.Optional(Type.String()),
    required_tags: Type.Array(RequiredTagSchema),
    optional_tags: Type.Optional(Type.Array(OptionalTagSchema)),
    tag_naming_rules: Type.Optional(TagNamingRulesSchema),
    prohibited_tags: Type.Optional(Type.Array(TagName, { description: 'Keys that must not exist on any in-scope resource (e.g. temp)' })),
  },
  { title: 'Tagging policy', description: 'FinOps tag compliance policy (version 1.0 format)' },
);

export type TaggingPolicyInput = Static<typeof TaggingPolicySchema>;

export const TaggingPolicyValidator = Compile(TaggingPolicySchema);

/** Known property names per object kind (for the unknown-field warnings). */
export const KNOWN_FIELDS = {
  root: new Set(['$schema', ...Object.keys(TaggingPolicySchema.properties)]),
  required_tags: new Set(Object.keys(RequiredTagSchema.properties)),
  optional_tags: new Set(Object.keys(OptionalTagSchema.properties)),
  tag_naming_rules: new Set(Object.keys(TagNamingRulesSchema.properties)),
} as const;

/** The schema as a standalone JSON Schema document (policies/tagging_policy.schema.json is this, verbatim). */
export function policyJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(TaggingPolicySchema)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...plain,
  };
}
