/**
 * 'result-cache': the inventory / regions / accounts / Cost Explorer cache (in-process LRU bounded
 * by CACHE_MAX_MB, or Redis when REDIS_URL is set). Decorates `app.resultCache` and `app.redis`
 * (the ioredis client, or null without REDIS_URL, for other plugins that want the same Redis such
 * as rate limiting); closes both on shutdown. Start-up waits for Redis at most
 * REDIS_CONNECT_TIMEOUT_MS and then serves without cache (degraded) until it connects.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import { createCacheBackend } from '../src/cache/index.js';
import type { ResultCache } from '../src/cache/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    resultCache: ResultCache;
    /** The Redis client of the result cache (REDIS_URL), or null. Closed by this plugin. */
    redis: Redis | null;
  }
}

export interface CachePluginOptions {
  /** Clock for stored timestamps and expiry (tests). */
  now?: () => Date;
}

const cachePlugin: FastifyPluginAsync<CachePluginOptions> = async (app, opts) => {
  const { cache, redis, waitUntilReady } = createCacheBackend({ config: app.config, logger: app.log.child({ component: 'cache' }), ...(opts.now === undefined ? {} : { now: opts.now }) });
  app.decorate('resultCache', cache);
  app.decorate('redis', redis);
  if (redis !== null) await waitUntilReady(app.config.cache.redis_connect_timeout_ms);
  app.addHook('onClose', async () => {
    await cache.close();
  });
};

export default fp(cachePlugin, { name: 'result-cache', fastify: '5.x', dependencies: ['config'] });
