/**
 * The older MCP HTTP+SSE transport for clients that predate Streamable HTTP:
 * `GET /sse` opens the event stream (its first event names the POST endpoint) and
 * `POST /messages?sessionId=…` carries client → server messages.
 */
import type { FastifyPluginAsync } from 'fastify';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { VERSION } from '../src/config/version.js';
import { createMcpServer } from '../src/mcp/server.js';
import type { SessionRegistry } from '../src/mcp/sessions.js';

export interface SseRoutesOptions {
  sessions: SessionRegistry;
}

const sseRoutes: FastifyPluginAsync<SseRoutesOptions> = async (app, { sessions }) => {
  const transports = new Map<string, SSEServerTransport>();

  app.get('/sse', async (request, reply) => {
    if (!sessions.hasRoom()) {
      return reply.code(503).send({ error: 'too_many_sessions', message: sessions.capacityMessage, request_id: request.id });
    }
    reply.hijack();
    const transport = new SSEServerTransport('/messages', reply.raw);
    const server = createMcpServer({ runner: app.toolRunner, logger: app.log, principal: request.principal, version: VERSION });
    const id = transport.sessionId;
    transports.set(id, transport);
    sessions.add({
      id,
      kind: 'sse',
      principal_id: request.principal.id,
      close: async () => {
        await transport.close();
        await server.close();
      },
    });
    transport.onclose = () => {
      transports.delete(id);
      sessions.remove(id);
    };
    reply.raw.on('close', () => {
      transports.delete(id);
      sessions.remove(id);
      void server.close();
    });
    try {
      await server.connect(transport);
      request.log.info({ session: id, principal: request.principal.id }, 'MCP SSE session opened');
    } catch (err) {
      request.log.error({ err }, 'MCP SSE session failed to start');
      transports.delete(id);
      sessions.remove(id);
      reply.raw.destroy();
    }
    return reply;
  });

  app.post('/messages', async (request, reply) => {
    const query = request.query as { sessionId?: unknown };
    const id = typeof query.sessionId === 'string' ? query.sessionId : '';
    const entry = sessions.touch(id);
    const transport = transports.get(id);
    if (entry === undefined || transport === undefined || entry.principal_id !== request.principal.id) {
      return reply.code(404).send({
        error: 'not_found',
        message: 'SSE session not found: it expired or was closed. Open a new stream with GET /sse.',
        request_id: request.id,
      });
    }
    reply.hijack();
    try {
      // The body goes to the SDK as JSON text: on an invalid message it answers `Invalid message: ${body}`,
      // which for a parsed array holding {"toString": {…}} threw after writeHead and left the request
      // hanging (found by the fuzz suite).
      await transport.handlePostMessage(request.raw, reply.raw, JSON.stringify(request.body ?? null));
    } catch (err) {
      request.log.error({ err }, 'MCP SSE message failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ error: 'internal_error', message: 'An internal error occurred', request_id: request.id }));
      } else if (!reply.raw.writableEnded) {
        reply.raw.end();
      }
    }
    return reply;
  });
};

export default sseRoutes;
