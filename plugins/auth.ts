/**
 * 'auth': Bearer API keys. Required whenever AUTH_MODE is api_key (the default as soon as keys
 * are configured or HOST is not loopback). Keys are compared in constant time on their sha256
 * digests; the principal id (the key id, never the key) is what reaches the logs and the tools.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { oauthChallenge, RESOURCE_METADATA_PATH, SCOPES_SUPPORTED, tokenVerifier, type OAuthSettings } from '../src/auth/oauth.js';
import type { AppConfig } from '../src/config/types.js';
import type { Principal } from '../src/tools/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Paths anyone may call (load balancer probes). */
export const PUBLIC_PATHS = new Set(['/health', '/ready']);

/** Public too: the API description (/docs, its assets and /docs/json: no data, and "Try it out"
 * still needs a key) and /metrics when METRICS_PUBLIC=true. */
export function isPublicPath(path: string, config: Pick<AppConfig, 'metrics'>): boolean {
  if (PUBLIC_PATHS.has(path) || path === '/docs' || path.startsWith('/docs/')) return true;
  return path === '/metrics' && config.metrics?.public === true;
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', allowed_accounts: null });

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Returns a function that maps a presented key to its key id (or null), in constant time per key. */
export function keyMatcher(keys: AppConfig['auth']['api_keys']): (presented: string) => string | null {
  const table = keys.map((k) => ({ id: k.id, hash: digest(k.key) }));
  return (presented) => {
    const hash = digest(presented);
    let found: string | null = null;
    for (const k of table) {
      // Compare against every key: timing does not reveal which key (or whether any) matched.
      if (timingSafeEqual(hash, k.hash) && found === null) found = k.id;
    }
    return found;
  };
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function deny(reply: FastifyReply, request: FastifyRequest, message: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send({ error: 'unauthorized', message, request_id: request.id });
}

/** The resource-metadata URL of this server as the client addressed it. */
function metadataUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${RESOURCE_METADATA_PATH}`;
}

/** AUTH_MODE=oauth: JWT Bearer tokens, 401 pointing at the resource metadata, the metadata route. */
function oauthMode(app: FastifyInstance, settings: OAuthSettings): void {
  const verify = tokenVerifier(settings);
  const challenge = (request: FastifyRequest, reply: FastifyReply, message: string, error?: string): FastifyReply =>
    reply.code(401).header('www-authenticate', oauthChallenge(metadataUrl(request), error)).send({ error: 'unauthorized', message, request_id: request.id });

  app.get(RESOURCE_METADATA_PATH, async (request) => ({
    resource: settings.audience,
    authorization_servers: [settings.issuer],
    scopes_supported: SCOPES_SUPPORTED,
    bearer_methods_supported: ['header'],
    resource_documentation: `${request.protocol}://${request.host}/tools`,
  }));

  app.addHook('onRequest', async (request, reply) => {
    request.principal = ANONYMOUS;
    const path = request.url.split('?')[0] ?? '';
    if (isPublicPath(path, app.config) || path === RESOURCE_METADATA_PATH) return;
    const token = bearerToken(request);
    if (token === null) return challenge(request, reply, 'Authentication required: send "Authorization: Bearer <access token>" (see the resource metadata in WWW-Authenticate).');
    const result = await verify(token);
    if (!result.ok) return challenge(request, reply, result.message, 'invalid_token');
    request.principal = result.principal;
  });
}

const authPlugin: FastifyPluginAsync = async (app) => {
  const { auth } = app.config;
  app.decorateRequest('principal', null as unknown as Principal);
  if (auth.mode === 'oauth' && auth.oauth !== undefined) return oauthMode(app, auth.oauth);
  const required = auth.mode === 'api_key' || auth.mode === 'oauth';
  const match = keyMatcher(auth.api_keys);

  app.addHook('onRequest', async (request, reply) => {
    request.principal = ANONYMOUS;
    const path = request.url.split('?')[0] ?? '';
    if (!required || isPublicPath(path, app.config)) return;
    const token = bearerToken(request);
    if (token === null) return deny(reply, request, 'Authentication required: send "Authorization: Bearer <API key>".');
    const id = match(token);
    if (id === null) return deny(reply, request, 'The API key is not valid.');
    // API_KEY_ACCOUNTS: the tools refuse other accounts (403) before any AssumeRole.
    const accounts = auth.key_accounts?.[id];
    request.principal = { id, allowed_accounts: accounts === undefined || accounts === null ? null : [...accounts] };
    request.log.debug({ principal: id }, 'authenticated');
  });
};

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['config'] });
