/**
 * 'security': DNS-rebinding protection and CORS. Every request but the public probes must carry
 * a Host in ALLOWED_HOSTS (when a list applies) and, if it has an Origin, an origin in
 * ALLOWED_ORIGINS (or the server's own); otherwise 403 with a message naming the setting.
 * CORS headers are only ever sent for ALLOWED_ORIGINS. Registered before 'auth', so browser
 * preflights and refused origins never reach authentication.
 */
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { defaultSecurity } from '../src/config/security.js';
import { hostAllowed, originAllowed, quoteHeader } from '../src/auth/origin.js';
import { PUBLIC_PATHS } from './auth.js';

const securityPlugin: FastifyPluginAsync = async (app) => {
  const sec = app.config.security ?? defaultSecurity(app.config.host);
  const hosts = sec.allowed_hosts;
  const origins = sec.allowed_origins;

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // Probes, and a public /metrics (METRICS_PUBLIC), are scraped by pod address: no Host check.
    if (PUBLIC_PATHS.has(path) || (path === '/metrics' && app.config.metrics?.public === true)) return;
    const host = request.headers.host;
    if (hosts !== null && !hostAllowed(host, hosts)) {
      return reply.code(403).send({
        error: 'forbidden_host',
        message: `Host ${quoteHeader(host ?? '')} is not allowed (DNS-rebinding protection): this server answers to ${hosts.join(', ')}. Use one of these names, or add yours to ALLOWED_HOSTS.`,
        request_id: request.id,
      });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(origin, origins, host, hosts !== null)) {
      return reply.code(403).send({
        error: 'forbidden_origin',
        message: `Origin ${quoteHeader(origin)} is not allowed: browser requests are only accepted from ${origins.length > 0 ? origins.join(', ') : "the server's own origin"} (ALLOWED_ORIGINS).`,
        request_id: request.id,
      });
    }
  });

  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['mcp-session-id', 'retry-after', 'x-request-id'],
      maxAge: 600,
    });
  }
};

export default fp(securityPlugin, { name: 'security', fastify: '5.x', dependencies: ['config'] });
