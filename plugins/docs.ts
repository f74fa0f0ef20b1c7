/**
 * 'docs': the OpenAPI description (GET /docs/json, /docs/yaml) and a browsable page (GET /docs)
 * of the REST routes, from @fastify/swagger and @fastify/swagger-ui. Each tool gets its own
 * documented operation `POST /tools/<name>` whose request body is the tool's inputSchema, whose
 * 200 answer is its outputSchema and whose examples are the tool's `examples` — the same TypeBox
 * schemas the runner validates with (read from `app.toolRunner.list()`), never a copy.
 * The generic `/tools/:name` route and the MCP transports are left out of the page.
 * Register it early (before any route it should see); the tools are read when /docs/json is asked for.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { VERSION } from '../src/config/version.js';
import { toolPaths, routeDocs, OPENAPI_INFO } from '../src/metrics/openapi.js';

/** Routes that are not part of the REST description (MCP transports, the generic tool route, compat routes). */
const HIDDEN = new Set(['/tools/:name', '/mcp', '/sse', '/messages', '/mcp/tools', '/mcp/tools/call']);

const docsPlugin: FastifyPluginAsync = async (app) => {
  const secured = app.config.auth.mode !== 'none';
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { ...OPENAPI_INFO, version: VERSION },
      ...(secured
        ? { components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: app.config.auth.mode === 'oauth' ? 'An OAuth access token' : 'An API key from API_KEYS' } } }, security: [{ bearerAuth: [] }] }
        : {}),
    },
    transform: ({ schema, url, route }) => {
      const hide = HIDDEN.has(url) || route.method === 'HEAD' || url.startsWith('/docs');
      const documented = routeDocs(url);
      return { schema: { ...(schema ?? {}), ...(documented ?? {}), ...(hide ? { hide: true } : {}) }, url };
    },
    transformObject: (documentObject) => {
      const document = 'openapiObject' in documentObject ? documentObject.openapiObject : {};
      return { ...document, paths: { ...(document.paths ?? {}), ...toolPaths(app.toolRunner.list(), secured) } } as typeof document;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true } });
};

export default fp(docsPlugin, { name: 'docs', fastify: '5.x', dependencies: ['config'] });
