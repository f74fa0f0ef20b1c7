/**
 * The result cache contract. Backend-neutral: values are JSON-serialisable and travel with the
 * time they were stored, so an in-process LRU and a shared Redis behave the same way.
 * The cache holds inventory (resource records), enabled regions, discovered accounts and
 * Cost Explorer answers — never compliance verdicts.
 */

/** A value as stored, with its timestamps (ISO-8601). */
export interface CacheEntry<T> {
  value: T;
  stored_at: string;
  expires_at: string;
  /** Identity of this write (unique per stored value): finished answers built from the entry
   * are valid while the key still holds this stamp (src/cache/answer-cache.ts). Absent in
   * entries written before stamps existed. */
  stamp?: string;
}

export interface CacheHealth {
  backend: 'memory' | 'redis';
  status: 'ok' | 'degraded';
}

/** How `getOrLoad` produced its answer. `joined`: shared an identical load already in flight. */
export type LoadSource = 'cache' | 'loaded' | 'joined';

export interface LoadResult<T> {
  value: T;
  stored_at: string;
  source: LoadSource;
}

export interface GetOrLoadOptions {
  /** Skip the cached value, load again and replace the entry. */
  forceRefresh?: boolean;
  /** The caller's signal. The shared load is aborted only when every waiting caller has gone. */
  signal?: AbortSignal;
}

/** Low-level storage one backend implements (memory, Redis). */
export interface CacheStore {
  readonly backend: CacheHealth['backend'];
  get<T>(key: string): Promise<CacheEntry<T> | undefined>;
  set(key: string, entry: CacheEntry<unknown>, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Returns how many entries were removed. */
  deleteByPrefix(prefix: string): Promise<number>;
  health(): CacheHealth;
  close(): Promise<void>;
  /** Cross-process single flight (shared backends only): a short lock per key. */
  readonly lock?: LoadLock;
  /** The stamp each key holds now (null: absent, expired or stampless), without reading values. */
  stamps?(keys: readonly string[]): Promise<(string | null)[]>;
}

/** Outcome of trying to take the load lock of one key. */
export type LockAttempt = { status: 'acquired'; release(): Promise<void> } | { status: 'held' } | { status: 'unavailable' };

/**
 * A short, self-expiring lock per cache key shared by every replica: the holder loads, the
 * others wait for its result. A holder that dies stops renewing it, so it expires after `ttlMs`.
 */
export interface LoadLock {
  readonly ttlMs: number;
  acquire(key: string): Promise<LockAttempt>;
  /** Whether some process holds the lock of `key`; undefined when the backend cannot answer. */
  isHeld(key: string): Promise<boolean | undefined>;
}

/** getOrLoad answers since start: served from the cache, loaded (miss), or joined to a load in flight. */
export interface CacheCounters {
  hits: number;
  misses: number;
  joined: number;
}

export interface ResultCache {
  get<T>(key: string): Promise<CacheEntry<T> | undefined>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  deleteByPrefix(prefix: string): Promise<number>;
  /**
   * Cached value, or the loader's result stored for `ttlSeconds`. Identical concurrent loads in
   * this process share one loader call. A failed load is never stored.
   */
  getOrLoad<T>(key: string, ttlSeconds: number, loader: (signal: AbortSignal) => Promise<T>, options?: GetOrLoadOptions): Promise<LoadResult<T>>;
  health(): CacheHealth;
  close(): Promise<void>;
  /** getOrLoad counters (metrics). */
  counters?(): CacheCounters;
  /** The stamp each key holds now (null: absent or expired); undefined when the backend cannot tell. */
  stamps?(keys: readonly string[]): Promise<(string | null)[]>;
}
