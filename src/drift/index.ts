/** Pure tag-drift logic: tag and resource diffs, severity, snapshot selection, summary, cursors. */
export { ALL_KEYS, applyTagDiff, diffSize, diffTags, isEmptyDiff, keyFilter, pickTags, sameWatchedTags } from './tag-diff.js';
export { diffResources, type DiffResourcesOptions } from './resource-diff.js';
export { assessDrift } from './assess.js';
export { chooseBaseline, chooseCurrent, comparedScope, coverage, readAccounts, type BaselineChoice, type ComparedScope, type Coverage, type DriftScopeRequest, type SnapshotMeta } from './select.js';
export { assessAll, compareEntries, inComparedScope, scoreOf, summarizeDrift, type DriftEntry, type DriftSummary } from './report.js';
export { decodeDriftCursor, encodeDriftCursor, type DriftCursor } from './cursor.js';
export type * from './types.js';
export { SEVERITY_ORDER } from './types.js';
export { driftNote, noBaselineNote, span, when, type DriftNoteFacts, type SnapshotFacts } from './notes.js';
