/**
 * 'rate-limit': per-principal limits on tool calls, tighter on tools that scan AWS.
 * REST calls (POST /tools/:name, POST /mcp/tools/call) go through @fastify/rate-limit: 429 with
 * Retry-After. MCP tools/call is limited in the tool-call guard ('tool-guard') with an isError
 * result saying when to retry, because the HTTP request of a session must not fail. Both draw on
 * one counter: Redis when the app has a `redis` decoration (shared by replicas), else memory.
 */
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { defaultSecurity } from '../src/config/security.js';
import { principalKey, RATE_WINDOW_MS, rateKey, rateLimitMessage } from '../src/auth/guard.js';
import { FallbackWindowCounter, isRedisEval, MemoryWindowCounter, RedisWindowCounter, storeFor, type WindowCounter } from '../src/auth/window-counter.js';

export interface RateLimitPluginOptions {
  /** Names of the tools that read AWS (tool.scans). */
  scanning: readonly string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The counters behind every rate limit (shared by REST and MCP). */
    rateCounter: WindowCounter;
  }
}

/** The tool a REST request calls, or null when the route is not a tool call. */
function toolOf(request: FastifyRequest): string | null {
  if (request.method !== 'POST') return null;
  const route = request.routeOptions.url;
  if (route === '/tools/:name') {
    const params = request.params as { name?: unknown };
    return typeof params.name === 'string' ? params.name : '';
  }
  if (route === '/mcp/tools/call') {
    const body = request.body as { name?: unknown } | null | undefined;
    return typeof body?.name === 'string' ? body.name : '';
  }
  return null;
}

const rateLimitPlugin: FastifyPluginAsync<RateLimitPluginOptions> = async (app, opts) => {
  const sec = app.config.security ?? defaultSecurity(app.config.host);
  const scanning = new Set(opts.scanning);
  const redis = app.hasDecorator('redis') ? app.getDecorator<unknown>('redis') : null;
  const prefix = `${app.config.cache.redis_key_prefix}rate:`;
  const counter: WindowCounter = isRedisEval(redis)
    ? new FallbackWindowCounter(new RedisWindowCounter(redis, prefix), new MemoryWindowCounter(), (err) =>
        app.log.warn({ err }, 'rate limits: Redis unavailable, counting in this process until it answers again'),
      )
    : new MemoryWindowCounter();
  app.decorate('rateCounter', counter);

  const maxFor = (scans: boolean): number => (scans ? sec.rate_limit_scans_per_minute : sec.rate_limit_per_minute);
  const isScan = (request: FastifyRequest): boolean => scanning.has(toolOf(request) ?? '');

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: RATE_WINDOW_MS,
    store: storeFor(counter),
    keyGenerator: (request) => rateKey(principalKey(request.principal, request.ip), isScan(request)),
    allowList: (request) => toolOf(request) === null || maxFor(isScan(request)) === 0,
    max: (request) => maxFor(isScan(request)),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    errorResponseBuilder: (request, context) => {
      const retry = Math.max(1, Math.ceil(context.ttl / 1000));
      return Object.assign(new Error(rateLimitMessage(isScan(request), context.max, retry)), { statusCode: 429 });
    },
  });
};

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x', dependencies: ['config', 'auth', 'result-cache'] });
