/**
 * All routes: MCP Streamable HTTP (/mcp), MCP HTTP+SSE (/sse, /messages), REST (/tools…) and
 * health. Owns the MCP session registry shared by both MCP transports and closes every
 * session (ending SSE streams, aborting their in-flight calls) when the app closes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { SessionRegistry } from '../src/mcp/sessions.js';
import healthRoutes, { type HealthRoutesOptions } from './health.js';
import exportRoutes from './export.js';
import mcpRoutes from './mcp.js';
import sseRoutes from './sse.js';
import toolRoutes from './tools.js';

export interface RoutesOptions {
  health?: HealthRoutesOptions;
}

const routes: FastifyPluginAsync<RoutesOptions> = async (app, opts) => {
  const { mcp } = app.config;
  const sessions = new SessionRegistry({ maxSessions: mcp.max_sessions, idleSeconds: mcp.session_idle_seconds, logger: app.log });
  app.addHook('preClose', async () => {
    await sessions.closeAll();
  });
  if (app.hasDecorator('metrics')) app.metrics.setSources({ sessions: () => sessions.countByKind() });
  await app.register(mcpRoutes, { sessions });
  await app.register(sseRoutes, { sessions });
  await app.register(toolRoutes);
  await app.register(exportRoutes);
  await app.register(healthRoutes, opts.health ?? {});
};

export default routes;
