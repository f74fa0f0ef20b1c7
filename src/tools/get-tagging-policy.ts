/**
 * get_tagging_policy: the active policy document and what it means per resource type.
 */
import Type from 'typebox';
import { ALL_TYPE_NAMES, getResourceType } from '../aws/registry.js';
import { defineTool } from './types.js';

const Input = Type.Object({}, { additionalProperties: false });

const RequiredTag = Type.Object(
  {
    name: Type.String(),
    description: Type.Optional(Type.String()),
    allowed_values: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    validation_regex: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    applies_to: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const OptionalTag = Type.Object(
  { name: Type.String(), description: Type.Optional(Type.String()), allowed_values: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])) },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    version: Type.String(),
    policy_hash: Type.String({ description: 'sha256 of the canonical policy (changes whenever the policy does).' }),
    policy: Type.Object(
      {
        version: Type.String(),
        required_tags: Type.Array(RequiredTag),
        optional_tags: Type.Array(OptionalTag),
        prohibited_tags: Type.Array(Type.String()),
        tag_naming_rules: Type.Object(
          {
            case_sensitivity: Type.Optional(Type.Boolean()),
            allow_special_characters: Type.Optional(Type.Boolean()),
            max_key_length: Type.Optional(Type.Integer()),
            max_value_length: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    required_tag_count: Type.Integer({ minimum: 0 }),
    optional_tag_count: Type.Integer({ minimum: 0 }),
    prohibited_tag_count: Type.Integer({ minimum: 0 }),
    all_applicable_resource_types: Type.Array(Type.String(), { description: 'Types at least one required tag applies to (the default scan scope).' }),
    required_tags_by_type: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Resource type → required tag names.' }),
    supported_resource_types: Type.Array(Type.Object({ name: Type.String(), label: Type.String(), global: Type.Boolean() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const getTaggingPolicy = defineTool({
  name: 'get_tagging_policy',
  title: 'Get tagging policy',
  description: [
    'Returns the tagging policy the server checks against: required tags (with allowed_values, validation_regex and the resource types they apply to), optional tags, prohibited tags and naming rules (case_sensitivity).',
    'Also: all_applicable_resource_types (the default scope of every scan), required_tags_by_type (which tags each type must carry), supported_resource_types, and policy_hash/version to tell policies apart.',
    'Call it to explain a violation, to know which values are allowed, or before suggesting tags. It does not read AWS.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Get tagging policy', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  scans: false,
  examples: [{}],
  async handler(ctx) {
    const p = ctx.policy.current();
    const doc = p.document;
    const required = doc.required_tags.map((r) => ({
      name: r.name,
      ...(r.description === undefined ? {} : { description: r.description }),
      allowed_values: r.allowed_values === undefined || r.allowed_values === null ? null : [...r.allowed_values],
      validation_regex: r.validation_regex ?? null,
      applies_to: [...(r.applies_to ?? [])],
    }));
    const optional = (doc.optional_tags ?? []).map((o) => ({
      name: o.name,
      ...(o.description === undefined ? {} : { description: o.description }),
      allowed_values: o.allowed_values === undefined || o.allowed_values === null ? null : [...o.allowed_values],
    }));
    const applicable = [...p.applicableTypes].sort();
    const byType: Record<string, string[]> = {};
    for (const type of applicable) byType[type] = [...p.requiredTagsFor(type)];
    return {
      version: p.version,
      policy_hash: p.hash,
      policy: {
        version: doc.version,
        required_tags: required,
        optional_tags: optional,
        prohibited_tags: [...(doc.prohibited_tags ?? [])],
        tag_naming_rules: { ...(doc.tag_naming_rules ?? {}) },
      },
      required_tag_count: required.length,
      optional_tag_count: optional.length,
      prohibited_tag_count: (doc.prohibited_tags ?? []).length,
      all_applicable_resource_types: applicable,
      required_tags_by_type: byType,
      supported_resource_types: ALL_TYPE_NAMES.map((name) => {
        const info = getResourceType(name);
        return { name, label: info?.label ?? name, global: info?.global ?? false };
      }),
    };
  },
});
