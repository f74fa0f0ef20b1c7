/**
 * Builds the configured result cache. No REDIS_URL: the in-process LRU bounded by CACHE_MAX_MB.
 */
import type { AppConfig } from '../config/types.js';
import { createMemoryStore } from './memory.js';
import { createResultCache, type CacheLogger } from './result-cache.js';
import type { ResultCache } from './types.js';

export type { CacheEntry, CacheHealth, CacheStore, GetOrLoadOptions, LoadResult, LoadSource, ResultCache } from './types.js';
export { createMemoryStore, type MemoryStore } from './memory.js';
export { createResultCache, type CacheLogger } from './result-cache.js';
export * from './keys.js';

export interface CreateCacheOptions {
  config: AppConfig;
  logger: CacheLogger & { info: CacheLogger['warn'] };
  now?: () => Date;
}

export function createConfiguredCache({ config, logger, now }: CreateCacheOptions): ResultCache {
  if (config.cache.redis_url !== null) {
    // The Redis backend is a separate piece of work; until it lands the process keeps serving
    // from its own memory and says so, instead of refusing to start.
    logger.warn('REDIS_URL is set but this build has no Redis cache backend yet: using the in-process cache (not shared between replicas)');
  }
  const store = createMemoryStore({ maxBytes: config.cache.max_bytes, ...(now === undefined ? {} : { now: () => now().getTime() }) });
  logger.info({ backend: store.backend, max_bytes: config.cache.max_bytes }, 'result cache ready');
  return createResultCache(store, { logger, ...(now === undefined ? {} : { now }) });
}
