/** Pure compliance aggregation used by every scanning tool. */
export { evaluateResources } from './evaluate.js';
export { summarize } from './summarize.js';
export { aggregateAccounts, accountMetadata } from './accounts.js';
export { filterBySeverity, passesSeverity, SEVERITY_FILTERS } from './severity.js';
export { compareViolations, sortViolations } from './sort.js';
export { complianceScore, roundMoney, roundTo } from './score.js';
export type * from './types.js';
