/**
 * History writes counted at the store's door: every `saveSnapshot` that succeeded or failed,
 * whatever the backend. Everything else passes through untouched (a Proxy, so methods a backend
 * adds later keep working).
 */
import type { HistoryStore, HistoryWriteCounters } from '../store/types.js';

export function countingHistoryStore(store: HistoryStore): HistoryStore {
  const counters: HistoryWriteCounters = { ok: 0, failed: 0 };
  const saveSnapshot: HistoryStore['saveSnapshot'] = async (snapshot) => {
    try {
      const saved = await store.saveSnapshot(snapshot);
      counters.ok += 1;
      return saved;
    } catch (err) {
      counters.failed += 1;
      throw err;
    }
  };
  const writeCounters = (): HistoryWriteCounters => ({ ...counters });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'saveSnapshot') return saveSnapshot;
      if (prop === 'writeCounters') return writeCounters;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
