/**
 * Builds the configured result cache. No REDIS_URL: the in-process LRU bounded by CACHE_MAX_MB.
 * REDIS_URL: the shared Redis backend with cross-replica single flight.
 */
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/types.js';
import { createMemoryStore } from './memory.js';
import { createRedisClient } from './redis-client.js';
import { createRedisStore } from './redis-store.js';
import { createResultCache, type CacheLogger } from './result-cache.js';
import type { ResultCache } from './types.js';

export type { CacheEntry, CacheHealth, CacheStore, GetOrLoadOptions, LoadLock, LoadResult, LoadSource, LockAttempt, ResultCache } from './types.js';
export { createMemoryStore, type MemoryStore } from './memory.js';
export { createRedisStore, CacheUnavailableError, type RedisStore } from './redis-store.js';
export { createRedisClient } from './redis-client.js';
export { createResultCache, type CacheLogger } from './result-cache.js';
export * from './keys.js';

export interface CreateCacheOptions {
  config: AppConfig;
  logger: CacheLogger & { info: CacheLogger['warn'] };
  now?: () => Date;
}

export interface ConfiguredCache {
  cache: ResultCache;
  /** The Redis client when REDIS_URL is set (shared with rate limiting), else null. */
  redis: Redis | null;
  /** Resolves once the backend can serve (immediately for memory); false after `timeoutMs`. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
}

export function createCacheBackend({ config, logger, now }: CreateCacheOptions): ConfiguredCache {
  const clock = now === undefined ? {} : { now };
  if (config.cache.redis_url !== null) {
    const client = createRedisClient({ url: config.cache.redis_url, connectTimeoutMs: config.cache.redis_connect_timeout_ms, commandTimeoutMs: config.cache.redis_command_timeout_ms });
    const store = createRedisStore({ client, prefix: config.cache.redis_key_prefix, logger });
    logger.info({ backend: store.backend, key_prefix: config.cache.redis_key_prefix, tls: config.cache.redis_url.startsWith('rediss://') }, 'result cache ready');
    return { cache: createResultCache(store, { logger, ...clock }), redis: client, waitUntilReady: (ms) => store.waitUntilReady(ms) };
  }
  const store = createMemoryStore({ maxBytes: config.cache.max_bytes, ...(now === undefined ? {} : { now: () => now().getTime() }) });
  logger.info({ backend: store.backend, max_bytes: config.cache.max_bytes }, 'result cache ready');
  return { cache: createResultCache(store, { logger, ...clock }), redis: null, waitUntilReady: async () => true };
}

export function createConfiguredCache(options: CreateCacheOptions): ResultCache {
  return createCacheBackend(options).cache;
}
