/** Policies whose patterns and values exercise the JavaScript → Python translation. */
const rules = (caseSensitive: boolean): Record<string, unknown> => ({ case_sensitivity: caseSensitive, allow_special_characters: true, max_key_length: 128, max_value_length: 256 });

const required = [
  { name: 'Owner', allowed_values: null, validation_regex: '^\\w+[.-]?\\w*@example\\.(com|org)$', applies_to: [] },
  { name: 'cost-center', allowed_values: null, validation_regex: 'CC-\\d{2,4}|X{2}|[^\\s@]{3}', applies_to: ['ec2:instance', 's3:bucket'] },
  { name: 'Tier', allowed_values: ['Gold', 'silver', 'BRONZE+', 'a.b', 'yes', 'off', '0123', 'null'], validation_regex: null, applies_to: ['ec2:instance', 'rds:db', 'elasticloadbalancing:loadbalancer'] },
  { name: 'App', allowed_values: null, validation_regex: '(?<p>[a-z])[a-z0-9-]*\\k<p>|(a)\\1|[\\d.]+|\\bK\\b|x{1}\\{', applies_to: ['ec2:instance', 'cloudfront:distribution'] },
  { name: 'Key.With:Punct/=+-@', allowed_values: ['v 1', 'v/2'], validation_regex: '.{1,3}|v/\\d', applies_to: ['ec2:instance'] },
];

export const TRICKY_POLICIES: Record<string, Record<string, unknown>> = {
  insensitive: { version: '1.0', required_tags: required, optional_tags: [], tag_naming_rules: rules(false) },
  sensitive: { version: '1.0', required_tags: required, optional_tags: [], tag_naming_rules: rules(true) },
};
