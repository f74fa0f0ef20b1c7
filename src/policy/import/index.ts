/** Import of AWS Organizations tag policies into our policy format. Pure apart from save.ts (the one file writer). */
export { mergeTagPolicies, parseTagPolicyContent, type EffectiveTagRule, type MergeResult, type TagPolicySource } from './aws-syntax.js';
export { convertEffectiveRules, convertTagPolicies, type ConversionResult, type ConvertedTag, type ConvertOptions, type RequiredTagsFrom } from './convert.js';
export { mapAwsResourceTypes } from './resource-types.js';
export { escapeRegex, valuesToConstraint, wildcardFragment } from './wildcard.js';
export { defaultPolicyName, policyFileName, SAFE_NAME } from './file-name.js';
export { savePolicyFile, type SavedFile, type SaveOptions } from './save.js';
