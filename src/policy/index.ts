/** Tagging policy engine: load/validate (parsePolicy, loadPolicyFile), compile, evaluate, hash, store. */
export { parsePolicy, parsePolicyText, loadPolicyFile } from './load.js';
export { compilePolicy, DEFAULT_NAMING_RULES } from './compile.js';
export { createPolicyStore, type ManagedPolicyStore, type PolicyStoreLogger, type PolicyStoreOptions } from './store.js';
export { canonicalJson, policyHash } from './hash.js';
export { TaggingPolicySchema, policyJsonSchema, MAX_REGEX_LENGTH, AWS_MAX_KEY_LENGTH, AWS_MAX_VALUE_LENGTH } from './schema.js';
export type * from './types.js';
