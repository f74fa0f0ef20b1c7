/**
 * In-memory history store (tests; nothing survives a restart). Same semantics as the SQLite
 * backend: snapshots listed by taken_at ascending, then in insertion order.
 */
import { NotFoundError } from '../core/errors.js';
import { createMemoryAuditStore } from './memory-audits.js';
import { matchesQuery, normaliseTime, summarise, uniqueResources } from './snapshot.js';
import type { HistoryQuery, HistoryStore, SnapshotInput, SnapshotResourceState, SnapshotSummary } from './types.js';

export function createMemoryHistoryStore(): HistoryStore {
  const snapshots: { seq: number; summary: SnapshotSummary; resources: SnapshotResourceState[] }[] = [];
  let seq = 0;
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('history store is closed');
  };
  const clone = (s: SnapshotSummary): SnapshotSummary => structuredClone(s);
  const audits = createMemoryAuditStore(open);

  return {
    backend: 'memory',
    audits,
    async saveSnapshot(input: SnapshotInput) {
      open();
      seq += 1;
      const summary: SnapshotSummary = { id: String(seq), ...summarise(input) };
      snapshots.push({ seq, summary, resources: uniqueResources(input.resources).map((r) => ({ ...r, tags: { ...r.tags } })) });
      return clone(summary);
    },
    async listSnapshots(query: HistoryQuery) {
      open();
      return snapshots
        .filter((s) => matchesQuery(s.summary, query))
        .sort((a, b) => (a.summary.taken_at < b.summary.taken_at ? -1 : a.summary.taken_at > b.summary.taken_at ? 1 : a.seq - b.seq))
        .map((s) => clone(s.summary));
    },
    async snapshotResources(id: string) {
      open();
      const s = snapshots.find((x) => x.summary.id === id);
      if (!s) throw new NotFoundError(`No history snapshot with id ${JSON.stringify(id)}`, 'id');
      return s.resources.map((r) => ({ ...r, tags: { ...r.tags } }));
    },
    async prune(olderThan: string) {
      open();
      const cutoff = normaliseTime(olderThan, 'olderThan');
      const before = snapshots.length;
      for (let i = snapshots.length - 1; i >= 0; i--) {
        const s = snapshots[i];
        if (s && s.summary.taken_at < cutoff) snapshots.splice(i, 1);
      }
      audits.pruneRuns(cutoff);
      return before - snapshots.length;
    },
    async health() {
      return closed ? { ok: false, detail: 'closed' } : { ok: true };
    },
    async close() {
      closed = true;
    },
  };
}
