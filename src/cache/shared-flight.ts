/**
 * Single flight ACROSS processes: before loading a key, take its short lock in the shared
 * backend. The holder loads and stores; the others poll (with backoff) for the holder's stored
 * result instead of loading again. A holder that dies stops renewing its lock, the lock expires
 * and one waiter takes over. Backend trouble never blocks a load: without an answer from the
 * lock, the caller simply loads.
 */
import type { CacheEntry, CacheStore, LoadLock } from './types.js';

export interface SharedLoaded {
  value: unknown;
  stored_at: string;
  /** true: the value was stored by another process (no load here). */
  peer: boolean;
  /** The stored entry's write stamp (when the backend keeps one). */
  stamp?: string;
  /** Expiry of the stored entry (ISO). */
  expires_at?: string;
  /** False when this process loaded the value but could not store it. */
  stored?: boolean;
}

export interface SharedFlightOptions {
  /** First poll delay (default 25 ms); doubles up to `maxPollMs` (default 500 ms). */
  firstPollMs?: number;
  maxPollMs?: number;
  /** Give up waiting for a live holder after this long and load here (default 10 × lock TTL). */
  maxWaitMs?: number;
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new Error('The operation was aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('The operation was aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function peek(store: CacheStore, key: string): Promise<CacheEntry<unknown> | undefined> {
  try {
    return await store.get<unknown>(key);
  } catch {
    return undefined;
  }
}

/**
 * Load `key` once across every process sharing `lock`. `load` loads AND stores (the holder
 * releases its lock only after the value is stored, so waiters find it).
 * With `forceRefresh`, a value stored before this call started is not accepted as the answer.
 */
export async function loadShared(
  store: CacheStore,
  lock: LoadLock,
  key: string,
  load: () => Promise<{ value: unknown; stored_at: string; stamp?: string; expires_at?: string; stored?: boolean }>,
  opts: { forceRefresh: boolean; signal: AbortSignal } & SharedFlightOptions,
): Promise<SharedLoaded> {
  const { forceRefresh, signal, logger } = opts;
  const maxPoll = opts.maxPollMs ?? 500;
  const maxWait = opts.maxWaitMs ?? lock.ttlMs * 10;
  const started = Date.now();
  let delay = opts.firstPollMs ?? 25;
  // For a forced refresh: the entry that was there before, which a waiter must not take.
  let before: string | null | undefined;

  const acceptable = (hit: CacheEntry<unknown> | undefined): hit is CacheEntry<unknown> => hit !== undefined && (!forceRefresh || hit.stored_at !== before);
  const fromPeer = (hit: CacheEntry<unknown>): SharedLoaded => ({ value: hit.value, stored_at: hit.stored_at, peer: true, expires_at: hit.expires_at, ...(hit.stamp === undefined ? {} : { stamp: hit.stamp }) });
  const loadHere = async (): Promise<SharedLoaded> => ({ ...(await load()), peer: false });

  for (;;) {
    const attempt = await lock.acquire(key);
    if (attempt.status === 'unavailable') return loadHere();
    if (attempt.status === 'acquired') {
      try {
        // A holder may have finished between this caller's miss and its lock: take its value.
        if (!forceRefresh || before !== undefined) {
          const hit = await peek(store, key);
          if (acceptable(hit)) return fromPeer(hit);
        }
        return await loadHere();
      } finally {
        await attempt.release();
      }
    }
    // Held by another process: wait for its result.
    if (forceRefresh && before === undefined) before = (await peek(store, key))?.stored_at ?? null;
    for (;;) {
      await sleep(delay, signal);
      delay = Math.min(delay * 2, maxPoll);
      const hit = await peek(store, key);
      if (acceptable(hit)) return fromPeer(hit);
      const held = await lock.isHeld(key);
      if (held === undefined) return loadHere();
      if (!held) break; // the holder finished without a value (failed) or died: try to take over
      if (Date.now() - started > maxWait) {
        logger?.warn({ key, waited_ms: Date.now() - started }, 'another replica holds this load for too long; loading here');
        return loadHere();
      }
    }
    logger?.debug({ key }, 'load lock released without a stored value; taking over');
  }
}
