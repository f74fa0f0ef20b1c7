/**
 * 'result-cache': the inventory / regions / accounts / Cost Explorer cache (in-process LRU bounded
 * by CACHE_MAX_MB). Decorates `app.resultCache`; closes it on shutdown.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { createConfiguredCache } from '../src/cache/index.js';
import type { ResultCache } from '../src/cache/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    resultCache: ResultCache;
  }
}

export interface CachePluginOptions {
  /** Clock for stored timestamps and expiry (tests). */
  now?: () => Date;
}

const cachePlugin: FastifyPluginAsync<CachePluginOptions> = async (app, opts) => {
  const cache = createConfiguredCache({ config: app.config, logger: app.log.child({ component: 'cache' }), ...(opts.now === undefined ? {} : { now: opts.now }) });
  app.decorate('resultCache', cache);
  app.addHook('onClose', async () => {
    await cache.close();
  });
};

export default fp(cachePlugin, { name: 'result-cache', fastify: '5.x', dependencies: ['config'] });
