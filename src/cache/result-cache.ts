/**
 * The ResultCache every backend shares: JSON values with timestamps, and `getOrLoad` with
 * in-process single flight (identical concurrent loads share one loader call). Storage problems
 * never fail a load: the value is returned and the problem is logged (the cache degrades, the
 * answer does not).
 */
import { randomBytes } from 'node:crypto';
import type { BaseLogger } from 'pino';
import { noteAbsent, noteRead, noteUncacheable } from './read-log.js';
import { loadShared, type SharedFlightOptions } from './shared-flight.js';
import type { CacheCounters, CacheEntry, CacheHealth, CacheStore, GetOrLoadOptions, LoadResult, ResultCache } from './types.js';

export type CacheLogger = Pick<BaseLogger, 'warn' | 'debug'>;

interface Loaded {
  value: unknown;
  stored_at: string;
  /** `peer`: another process loaded the value (shared backends with a load lock). */
  peer: boolean;
  stamp?: string;
  expires_at?: string;
  /** False when the value was not stored (TTL 0): an answer built on it cannot be cached. */
  stored?: boolean;
}

interface Flight {
  promise: Promise<Loaded>;
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

/** Stamps are unique across processes: a random prefix per cache instance and a counter. */
function stampSource(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let seq = 0;
  return () => `${prefix}.${(seq += 1).toString(36)}`;
}

function expiresMs(expiresAt: string | undefined): number {
  const ms = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt);
  return Number.isNaN(ms) ? 0 : ms;
}

export function createResultCache(store: CacheStore, options: ResultCacheOptions = {}): ResultCache {
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const inflight = new Map<string, Flight>();
  const nextStamp = stampSource();

  function entryFor<T>(value: T, ttlSeconds: number): CacheEntry<T> {
    const at = now();
    return { value, stored_at: at.toISOString(), expires_at: new Date(at.getTime() + ttlSeconds * 1000).toISOString(), stamp: nextStamp() };
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
    const loadAndStore = async (): Promise<{ value: unknown; stored_at: string; stamp?: string; expires_at: string; stored: boolean }> => {
      const value = await loader(controller.signal);
      const entry = entryFor(value, ttlSeconds);
      let stored = ttlSeconds > 0;
      try {
        await store.set(key, entry, ttlSeconds);
      } catch (err) {
        stored = false;
        logger?.warn({ err, key }, 'cache write failed; value returned uncached');
      }
      return { value, stored_at: entry.stored_at, expires_at: entry.expires_at, stored, ...(entry.stamp === undefined ? {} : { stamp: entry.stamp }) };
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
  function waitFor(flight: Flight, signal: AbortSignal | undefined): Promise<Loaded> {
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
    async get<T>(key: string): Promise<CacheEntry<T> | undefined> {
      const hit = await store.get<T>(key);
      if (hit === undefined) {
        noteAbsent(key);
        return undefined;
      }
      noteRead(key, hit.stamp, expiresMs(hit.expires_at));
      // The stamp is the cache's own bookkeeping (read logs); callers get the entry as stored.
      return { value: hit.value, stored_at: hit.stored_at, expires_at: hit.expires_at };
    },
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
          noteRead(key, hit.stamp, expiresMs(hit.expires_at));
          return { value: hit.value, stored_at: hit.stored_at, source: 'cache' };
        }
        if (signal?.aborted) throw abortReason(signal);
      }
      // A load already in flight for this key is at least as fresh as a new one would be, so a
      // forced refresh joins it too; otherwise this caller starts the load.
      const existing = inflight.get(key);
      const flight = existing ?? startFlight(key, ttlSeconds, loader, forceRefresh);
      let result: Loaded;
      try {
        result = await waitFor(flight, signal);
      } catch (err) {
        noteUncacheable(`load failed: ${key}`);
        throw err;
      }
      // A value another replica loaded while this one waited is served from the shared cache.
      const source = existing !== undefined ? 'joined' : result.peer ? 'cache' : 'loaded';
      counters[source === 'joined' ? 'joined' : source === 'cache' ? 'hits' : 'misses'] += 1;
      if (result.stored === false) noteUncacheable(`value not stored: ${key}`);
      else noteRead(key, result.stamp, expiresMs(result.expires_at));
      return { value: result.value as T, stored_at: result.stored_at, source };
    },

    counters: () => ({ ...counters }),
    ...(store.stamps === undefined ? {} : { stamps: store.stamps.bind(store) }),

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
