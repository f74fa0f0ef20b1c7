/**
 * The core tools, in a stable order (tools/list, OpenAPI, README). The report and history tools
 * are appended by the integrator.
 */
import { checkTagCompliance } from './check-tag-compliance.js';
import { compareAccounts } from './compare-accounts.js';
import { findUntaggedResources } from './find-untagged-resources.js';
import { getCostAttributionGap } from './get-cost-attribution-gap.js';
import { getTaggingPolicy } from './get-tagging-policy.js';
import { listAccounts } from './list-accounts.js';
import { suggestTags } from './suggest-tags.js';
import type { AnyTool } from './types.js';
import { validateResourceTags } from './validate-resource-tags.js';

export const coreTools: AnyTool[] = [
  checkTagCompliance,
  findUntaggedResources,
  validateResourceTags,
  getCostAttributionGap,
  suggestTags,
  getTaggingPolicy,
  listAccounts,
  compareAccounts,
];

export { checkTagCompliance, compareAccounts, findUntaggedResources, getCostAttributionGap, getTaggingPolicy, listAccounts, suggestTags, validateResourceTags };
export { runCompliance } from './common/run-compliance.js';
export type { RunComplianceOptions, RunComplianceResult, TagFilter } from './common/run-compliance.js';
export { resolveScope } from './common/scope.js';
export type { ResolvedScope, ScopeInput } from './common/scope.js';
