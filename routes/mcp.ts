/**
 * MCP Streamable HTTP at /mcp: POST (JSON-RPC), GET (server → client stream), DELETE (end the
 * session). One SDK Server + transport per session, or per request when MCP_STATELESS is set.
 * Replies are hijacked and handed to the SDK transport on the raw Node objects.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../src/config/version.js';
import { createMcpServer } from '../src/mcp/server.js';
import type { SessionRegistry } from '../src/mcp/sessions.js';

export interface McpRoutesOptions {
  sessions: SessionRegistry;
}

function rpcError(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

function sessionHeader(request: FastifyRequest): string | undefined {
  const h = request.headers['mcp-session-id'];
  return Array.isArray(h) ? h[0] : h;
}

const mcpRoutes: FastifyPluginAsync<McpRoutesOptions> = async (app, { sessions }) => {
  const { stateless } = app.config.mcp;

  const serverFor = (request: FastifyRequest) =>
    createMcpServer({ runner: app.toolRunner, logger: app.log, principal: request.principal, version: VERSION });

  /** Hand the request to an SDK transport; failures after hijacking are logged and answered 500. */
  async function handOver(request: FastifyRequest, reply: FastifyReply, transport: StreamableHTTPServerTransport): Promise<void> {
    reply.hijack();
    try {
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (err) {
      request.log.error({ err }, 'MCP transport failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'An internal error occurred' }, id: null }));
      }
    }
  }

  async function statelessRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const server = serverFor(request);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: false });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await handOver(request, reply, transport);
  }

  /** The transport of an existing session, or a reply has been sent (404 / 400). */
  function existing(request: FastifyRequest, reply: FastifyReply): StreamableHTTPServerTransport | null {
    const id = sessionHeader(request);
    if (id === undefined) {
      rpcError(reply, 400, -32000, 'Bad Request: send an initialize request first, then the Mcp-Session-Id header it returns');
      return null;
    }
    const entry = sessions.touch(id);
    const transport = entry === undefined ? undefined : transports.get(id);
    if (entry === undefined || transport === undefined || entry.principal_id !== request.principal.id) {
      rpcError(reply, 404, -32001, 'Session not found: it expired or was closed. Start a new session with an initialize request.');
      return null;
    }
    return transport;
  }

  const transports = new Map<string, StreamableHTTPServerTransport>();

  app.post('/mcp', async (request, reply) => {
    if (stateless) return statelessRequest(request, reply);
    if (sessionHeader(request) === undefined && isInitializeRequest(request.body)) {
      if (!sessions.hasRoom()) return rpcError(reply, 503, -32000, sessions.capacityMessage);
      const server = serverFor(request);
      const principalId = request.principal.id;
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, transport);
          sessions.add({
            id,
            kind: 'streamable-http',
            principal_id: principalId,
            close: async () => {
              await transport.close();
              await server.close();
            },
          });
          request.log.info({ session: id, principal: principalId }, 'MCP session opened');
        },
      });
      transport.onclose = () => {
        const id = transport.sessionId;
        if (id !== undefined) {
          transports.delete(id);
          sessions.remove(id);
        }
      };
      await server.connect(transport);
      return handOver(request, reply, transport);
    }
    const transport = existing(request, reply);
    if (transport !== null) await handOver(request, reply, transport);
    return reply;
  });

  const streamOrDelete = async (request: FastifyRequest, reply: FastifyReply) => {
    if (stateless) return rpcError(reply, 405, -32000, 'Method not allowed: this server runs MCP without sessions (MCP_STATELESS)');
    const transport = existing(request, reply);
    if (transport !== null) await handOver(request, reply, transport);
    return reply;
  };
  app.get('/mcp', streamOrDelete);
  app.delete('/mcp', streamOrDelete);
};

export default mcpRoutes;
