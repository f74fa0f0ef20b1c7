/**
 * The ResultCache every backend shares: JSON values with timestamps, and `getOrLoad` with
 * in-process single flight (identical concurrent loads share one loader call). Storage problems
 * never fail a load: the value is returned and the problem is logged (the cache degrades, the
 * answer does not).
 */
import type { BaseLogger } from 'pino';
import { loadShared, type SharedFlightOptions } from './shared-flight.js';
import type { CacheCounters, CacheEntry, CacheHealth, CacheStore, GetOrLoadOptions, LoadResult, ResultCache } from './types.js';

export type CacheLogger = Pick<BaseLogger, 'warn' | 'debug'>;

interface Flight {
  /** `peer`: another process loaded the value (shared backends with a load lock). */
  promise: Promise<{ value: unknown; stored_at: string; peer: boolean }>;
  controller: AbortController;
  waiters: number;
}

export interface ResultCacheOptions {
  logger?: CacheLogger;
  /** Clock for stored timestamps (tests move it). */
  now?: () => Date;
  /** Polling of the cross-process single flight (stores with a `lock`). */
  sharedFlight?: Omit<SharedFlightOptions, 'logger'>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('The operation was aborted');
}

export function createResultCache(store: CacheStore, options: ResultCacheOptions = {}): ResultCache {
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const inflight = new Map<string, Flight>();

  function entryFor<T>(value: T, ttlSeconds: number): CacheEntry<T> {
    const at = now();
    return { value, stored_at: at.toISOString(), expires_at: new Date(at.getTime() + ttlSeconds * 1000).toISOString() };
  }

  async function safeGet<T>(key: string): Promise<CacheEntry<T> | undefined> {
    try {
      return await store.get<T>(key);
    } catch (err) {
      logger?.warn({ err, key }, 'cache read failed; loading instead');
      return undefined;
    }
  }

  function startFlight(key: string, ttlSeconds: number, loader: (signal: AbortSignal) => Promise<unknown>, forceRefresh: boolean): Flight {
    const controller = new AbortController();
    const loadAndStore = async (): Promise<{ value: unknown; stored_at: string }> => {
      const value = await loader(controller.signal);
      const entry = entryFor(value, ttlSeconds);
      try {
        await store.set(key, entry, ttlSeconds);
      } catch (err) {
        logger?.warn({ err, key }, 'cache write failed; value returned uncached');
      }
      return { value, stored_at: entry.stored_at };
    };
    const lock = store.lock;
    const flight: Flight = {
      controller,
      waiters: 0,
      promise: (async () => {
        // No point in a cross-process lock for a value that is not going to be stored.
        if (lock === undefined || !(ttlSeconds > 0)) return { ...(await loadAndStore()), peer: false };
        return loadShared(store, lock, key, loadAndStore, { ...options.sharedFlight, forceRefresh, signal: controller.signal, ...(logger === undefined ? {} : { logger }) });
      })().finally(() => {
        if (inflight.get(key) === flight) inflight.delete(key);
      }),
    };
    // Waiters may all have left; the flight's own failure must not become an unhandled rejection.
    flight.promise.catch(() => undefined);
    inflight.set(key, flight);
    return flight;
  }

  /** Wait for a flight on behalf of one caller; leaving (abort) releases the caller's share. */
  function waitFor(flight: Flight, signal: AbortSignal | undefined): Promise<{ value: unknown; stored_at: string; peer: boolean }> {
    flight.waiters += 1;
    if (signal === undefined) {
      return flight.promise.finally(() => {
        flight.waiters -= 1;
      });
    }
    return new Promise((resolve, reject) => {
      let left = false;
      const leave = (): void => {
        if (left) return;
        left = true;
        flight.waiters -= 1;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        leave();
        if (flight.waiters <= 0) flight.controller.abort(abortReason(signal));
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (err: unknown) => {
          leave();
          reject(err);
        },
      );
    });
  }

  const counters: CacheCounters = { hits: 0, misses: 0, joined: 0 };

  return {
    get: (key) => store.get(key),
    async set(key, value, ttlSeconds) {
      await store.set(key, entryFor(value, ttlSeconds), ttlSeconds);
    },
    delete: (key) => store.delete(key),
    deleteByPrefix: (prefix) => store.deleteByPrefix(prefix),

    async getOrLoad<T>(key: string, ttlSeconds: number, loader: (signal: AbortSignal) => Promise<T>, opts: GetOrLoadOptions = {}): Promise<LoadResult<T>> {
      const { signal, forceRefresh = false } = opts;
      if (signal?.aborted) throw abortReason(signal);
      if (!forceRefresh) {
        const hit = await safeGet<T>(key);
        if (hit !== undefined) {
          counters.hits += 1;
          return { value: hit.value, stored_at: hit.stored_at, source: 'cache' };
        }
        if (signal?.aborted) throw abortReason(signal);
      }
      // A load already in flight for this key is at least as fresh as a new one would be, so a
      // forced refresh joins it too; otherwise this caller starts the load.
      const existing = inflight.get(key);
      const flight = existing ?? startFlight(key, ttlSeconds, loader, forceRefresh);
      const result = await waitFor(flight, signal);
      // A value another replica loaded while this one waited is served from the shared cache.
      const source = existing !== undefined ? 'joined' : result.peer ? 'cache' : 'loaded';
      counters[source === 'joined' ? 'joined' : source === 'cache' ? 'hits' : 'misses'] += 1;
      return { value: result.value as T, stored_at: result.stored_at, source };
    },

    counters: () => ({ ...counters }),

    health(): CacheHealth {
      return store.health();
    },
    async close() {
      for (const flight of inflight.values()) flight.controller.abort(new Error('cache closed'));
      inflight.clear();
      await store.close();
    },
  };
}
