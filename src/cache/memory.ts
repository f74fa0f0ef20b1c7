/**
 * In-process backend: an LRU bounded in BYTES (CACHE_MAX_MB). Values are kept as JSON text, the
 * same form Redis stores, so callers can never mutate a cached value through a reference and
 * the byte bound is measured on what is actually held.
 */
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheHealth, CacheStore } from './types.js';

interface Held {
  json: string;
  stored_at: string;
  expires_at: string;
  expires_ms: number;
  stamp: string | undefined;
}

export interface MemoryStoreOptions {
  maxBytes: number;
  /** Clock in ms since the epoch (tests move it). */
  now?: () => number;
}

export interface MemoryStore extends CacheStore {
  /** Entries and bytes currently held (tests, metrics). */
  usage(): { entries: number; bytes: number };
}

export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const now = options.now ?? Date.now;
  if (!Number.isFinite(options.maxBytes) || options.maxBytes < 1) throw new Error(`Cache size bound must be a positive number of bytes, got ${options.maxBytes}`);
  const lru = new LRUCache<string, Held>({
    maxSize: Math.floor(options.maxBytes),
    // JSON text length in UTF-8 bytes plus a small fixed overhead for the timestamps and key.
    sizeCalculation: (held, key) => Buffer.byteLength(held.json, 'utf8') + key.length + 64,
  });

  return {
    backend: 'memory',
    async get<T>(key: string): Promise<CacheEntry<T> | undefined> {
      const held = lru.get(key);
      if (held === undefined) return undefined;
      if (held.expires_ms <= now()) {
        lru.delete(key);
        return undefined;
      }
      const entry: CacheEntry<T> = { value: JSON.parse(held.json) as T, stored_at: held.stored_at, expires_at: held.expires_at };
      if (held.stamp !== undefined) entry.stamp = held.stamp;
      return entry;
    },
    async set(key: string, entry: CacheEntry<unknown>, ttlSeconds: number): Promise<void> {
      if (!(ttlSeconds > 0)) {
        lru.delete(key);
        return;
      }
      const json = JSON.stringify(entry.value);
      // An entry larger than the whole bound is not kept (lru-cache refuses it); the caller still
      // gets its value, it just is not cached.
      lru.set(key, { json, stored_at: entry.stored_at, expires_at: entry.expires_at, expires_ms: now() + ttlSeconds * 1000, stamp: entry.stamp });
    },
    async delete(key: string): Promise<void> {
      lru.delete(key);
    },
    async stamps(keys: readonly string[]): Promise<(string | null)[]> {
      const at = now();
      // peek: checking that an answer is still valid must not count as using the entries.
      return keys.map((key) => {
        const held = lru.peek(key);
        return held === undefined || held.expires_ms <= at ? null : held.stamp ?? null;
      });
    },
    async deleteByPrefix(prefix: string): Promise<number> {
      const doomed: string[] = [];
      for (const key of lru.keys()) if (key.startsWith(prefix)) doomed.push(key);
      for (const key of doomed) lru.delete(key);
      return doomed.length;
    },
    health(): CacheHealth {
      return { backend: 'memory', status: 'ok' };
    },
    async close(): Promise<void> {
      lru.clear();
    },
    usage() {
      return { entries: lru.size, bytes: lru.calculatedSize };
    },
  };
}
