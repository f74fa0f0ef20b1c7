/**
 * Schema fragments shared by the tools (inputs and outputs). One definition per field so every
 * tool describes it the same way to a language model.
 */
import Type, { type Static } from 'typebox';

export const MAX_RESOURCE_TYPES = 50;
export const MAX_ACCOUNT_IDS = 200;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const ResourceTypesInput = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: MAX_RESOURCE_TYPES,
  description:
    'Resource types to check, as registry names like "ec2:instance", "rds:db", "s3:bucket", "lambda:function". ' +
    'Pass ["all"] for every supported type. Omit to use every type the tagging policy applies to.',
});

export const AccountIdsInput = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  minItems: 1,
  maxItems: MAX_ACCOUNT_IDS,
  description:
    'AWS accounts to scan: 12-digit ids, account names or aliases (case-insensitive; see list_accounts), or ["all"]. ' +
    'Omit for the server\'s own account only (single-account answer shape).',
});

export const RegionsInput = Type.Array(Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', maxLength: 32 }), {
  minItems: 1,
  maxItems: 40,
  description: 'AWS regions to scan, e.g. ["us-east-1","eu-west-1"]. Omit for every enabled region. Global types (S3, CloudFront, Route 53) are always included.',
});

export const LimitInput = Type.Integer({
  minimum: 1,
  maximum: MAX_LIMIT,
  default: DEFAULT_LIMIT,
  description: `Maximum items in this page (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}).`,
});

export const CursorInput = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'The next_cursor of a previous answer to the SAME query, to get the next page. Omit for the first page.',
});

export const ForceRefreshInput = Type.Boolean({
  default: false,
  description: 'Read AWS again instead of using cached inventory (slower; use only when tags just changed).',
});

export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const TagsSchema = Type.Record(Type.String(), Type.String(), { description: 'Tag key → value.' });

export const SeveritySchema = Type.Union([Type.Literal('error'), Type.Literal('warning')]);

export const ViolationTypeSchema = Type.Union([
  Type.Literal('missing_required_tag'),
  Type.Literal('invalid_value'),
  Type.Literal('invalid_format'),
  Type.Literal('wrong_key_case'),
  Type.Literal('wrong_value_case'),
  Type.Literal('prohibited_tag'),
]);

export const TagViolationSchema = Type.Object(
  {
    tag_name: Type.String(),
    violation_type: ViolationTypeSchema,
    severity: SeveritySchema,
    current_value: NullableString,
    allowed_values: Type.Union([Type.Array(Type.String()), Type.Null()]),
    message: Type.String(),
  },
  { additionalProperties: false },
);

export const ViolationSchema = Type.Object(
  {
    resource_id: Type.String(),
    resource_arn: Type.String(),
    resource_type: Type.String(),
    account_id: Type.String(),
    region: Type.String(),
    violation_type: ViolationTypeSchema,
    tag_name: Type.String(),
    severity: SeveritySchema,
    current_value: NullableString,
    allowed_values: Type.Union([Type.Array(Type.String()), Type.Null()]),
    message: Type.String(),
    cost_impact_monthly: Type.Number({ description: 'Monthly USD of the resource left unattributed by this error (0 for warnings or when unknown).' }),
  },
  { additionalProperties: false },
);

export const CellFailureSchema = Type.Object(
  {
    account_id: Type.String(),
    region: Type.String(),
    resource_type: Type.String(),
    error_code: Type.String(),
    message: Type.String(),
    cells: Type.Optional(Type.Integer({ minimum: 1, description: 'How many cells this entry stands for (absent = 1).' })),
  },
  { additionalProperties: false },
);

export const DataQualitySchema = Type.Object(
  {
    status: Type.Union([Type.Literal('complete'), Type.Literal('partial')]),
    cells_requested: Type.Integer({ minimum: 0 }),
    cells_complete: Type.Integer({ minimum: 0 }),
    failed: Type.Array(CellFailureSchema),
    coverage_notes: Type.Array(Type.String()),
  },
  {
    additionalProperties: false,
    description: 'complete only when every account × region × resource type asked for was read to the end; otherwise partial, with what failed and why.',
  },
);

export const CountsByKey = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

export const AccountMetadataSchema = Type.Object(
  {
    total_accounts: Type.Integer({ minimum: 0 }),
    successful_accounts: Type.Array(Type.String()),
    failed_accounts: Type.Array(Type.String()),
    skipped_accounts: Type.Array(Type.String()),
    partial_accounts: Type.Array(Type.String(), { description: 'Accounts (also in successful_accounts) where some region × type cells failed.' }),
  },
  { additionalProperties: false },
);

export const AccountSummarySchema = Type.Object(
  {
    account_id: Type.String(),
    account_alias: NullableString,
    account_name: NullableString,
    total_resources: Type.Integer({ minimum: 0 }),
    compliant_resources: Type.Integer({ minimum: 0 }),
    compliance_score: Type.Number({ minimum: 0, maximum: 1 }),
    violation_count: Type.Integer({ minimum: 0 }),
    cost_attribution_gap: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const AccountErrorSchema = Type.Object(
  {
    account_id: Type.String(),
    status: Type.Union([Type.Literal('failed'), Type.Literal('skipped'), Type.Literal('partial')]),
    code: Type.String(),
    message: Type.String(),
    role_arn: NullableString,
    duration_ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const RegionSummarySchema = Type.Object(
  {
    total_resources: Type.Integer({ minimum: 0 }),
    compliant_resources: Type.Integer({ minimum: 0 }),
    compliance_score: Type.Number({ minimum: 0, maximum: 1 }),
    violation_count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const NextCursorSchema = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` (with the same other arguments) for the next page; null when this is the last page.',
});

export type ViolationOut = Static<typeof ViolationSchema>;
export type DataQualityOut = Static<typeof DataQualitySchema>;
