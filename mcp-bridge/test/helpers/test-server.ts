/**
 * A small real MCP server for the bridge tests: the SDK's low-level Server with a few tools,
 * served over Streamable HTTP (with sessions) and HTTP+SSE on node:http, 127.0.0.1.
 *   echo             returns its text
 *   count_progress   sends `steps` progress notifications, then answers
 *   wait_for_cancel  waits until the request is cancelled (records it)
 *   ask_roots        asks the client for roots/list (server-to-client request)
 *   ask_client       sends sampling/createMessage and elicitation/create to the client
 *   notify           sends a log message (on the request's stream) and tools/list_changed
 *                    (on the session's standalone stream)
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  isInitializeRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

export interface TestServerOptions {
  /** 'both' serves /mcp and /sse; 'sse-only' answers 404 on /mcp. */
  mode?: 'both' | 'sse-only';
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Listen on this port (for a "restart" on the same port). */
  port?: number;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
}

export interface TestServer {
  url: string;
  port: number;
  /** Everything the server saw, in order: 'initialize', 'tool:echo', 'cancelled:wait_for_cancel', ... */
  events: string[];
  /** Headers of the last HTTP request. */
  lastHeaders: IncomingMessage['headers'];
  /** Resolves when wait_for_cancel sees its abort signal. */
  cancelled: Promise<string>;
  /** Resolves when wait_for_cancel starts waiting. */
  waiting: Promise<void>;
  close(): Promise<void>;
}

function buildMcpServer(events: string[], onWaiting: () => void, onCancelled: (reason: string) => void): Server {
  const server = new Server({ name: 'bridge-test-server', version: '1.0.0' }, { capabilities: { tools: { listChanged: true }, logging: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    events.push('tools/list');
    return {
      tools: [
        { name: 'echo', description: 'Echo text', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
        { name: 'count_progress', description: 'Count with progress', inputSchema: { type: 'object', properties: { steps: { type: 'number' }, delay_ms: { type: 'number' } } } },
        { name: 'wait_for_cancel', description: 'Wait until cancelled', inputSchema: { type: 'object', properties: {} } },
        { name: 'ask_roots', description: 'Ask the client for its roots', inputSchema: { type: 'object', properties: {} } },
        { name: 'notify', description: 'Send notifications', inputSchema: { type: 'object', properties: {} } },
        { name: 'ask_client', description: 'Sampling and elicitation requests to the client', inputSchema: { type: 'object', properties: {} } },
      ],
    };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const args = request.params.arguments ?? {};
    events.push(`tool:${name}`);
    if (name === 'echo') {
      return { content: [{ type: 'text', text: `echo: ${String(args['text'])}` }] };
    }
    if (name === 'count_progress') {
      const steps = typeof args['steps'] === 'number' ? args['steps'] : 3;
      const delay = typeof args['delay_ms'] === 'number' ? args['delay_ms'] : 20;
      const token = request.params._meta?.progressToken;
      for (let i = 1; i <= steps; i++) {
        // A little work between steps, as a real scan has (the SDK client drops progress that
        // arrives in the same read as the final answer).
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (token !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps, message: `step ${i}` } });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { content: [{ type: 'text', text: `counted to ${steps}` }] };
    }
    if (name === 'wait_for_cancel') {
      onWaiting();
      await new Promise<void>((resolve) => {
        if (extra.signal.aborted) resolve();
        else extra.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const reason = String(extra.signal.reason);
      events.push('cancelled:wait_for_cancel');
      onCancelled(reason);
      return { content: [{ type: 'text', text: 'cancelled' }] };
    }
    if (name === 'ask_roots') {
      const roots = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
      return { content: [{ type: 'text', text: roots.roots.map((r) => r.uri).join(',') }] };
    }
    if (name === 'ask_client') {
      const sampled = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'summarize' } }], maxTokens: 10 } },
        CreateMessageResultSchema,
      );
      const elicited = await extra.sendRequest(
        { method: 'elicitation/create', params: { message: 'Which account?', requestedSchema: { type: 'object', properties: { account: { type: 'string' } } } } },
        ElicitResultSchema,
      );
      const sampledText = sampled.content.type === 'text' ? sampled.content.text : sampled.content.type;
      return { content: [{ type: 'text', text: `${sampledText} / ${elicited.action} ${String(elicited.content?.['account'])}` }] };
    }
    if (name === 'notify') {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: 'test', data: 'scan started' } });
      await server.sendToolListChanged();
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { content: [{ type: 'text', text: 'notified' }] };
    }
    return { content: [{ type: 'text', text: `unknown tool ${name}` }], isError: true };
  });
  server.oninitialized = () => {
    events.push('initialized');
  };
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const mode = opts.mode ?? 'both';
  const events: string[] = [];
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const servers: Server[] = [];
  let onWaiting: () => void = () => undefined;
  let onCancelled: (reason: string) => void = () => undefined;
  const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
  const cancelled = new Promise<string>((resolve) => (onCancelled = resolve));
  const state: TestServer = {
    url: '',
    port: 0,
    events,
    lastHeaders: {},
    cancelled,
    waiting,
    close: async () => undefined,
  };

  const newServer = (): Server => {
    const s = buildMcpServer(events, onWaiting, onCancelled);
    servers.push(s);
    return s;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    state.lastHeaders = req.headers;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (opts.token !== undefined && req.headers['authorization'] !== `Bearer ${opts.token}`) {
      sendJson(res, 401, { error: 'unauthorized' });
      return;
    }
    if (url.pathname === '/mcp') {
      if (mode === 'sse-only') {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      const sessionId = req.headers['mcp-session-id'];
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (typeof sessionId === 'string') {
        const transport = streamable.get(sessionId);
        if (transport === undefined) {
          sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
          return;
        }
        if (req.method === 'GET') events.push('GET /mcp');
        await transport.handleRequest(req, res, body);
        return;
      }
      if (req.method === 'POST' && isInitializeRequest(body)) {
        events.push('initialize');
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            streamable.set(id, transport);
          },
        });
        transport.onclose = () => {
          if (transport.sessionId !== undefined) streamable.delete(transport.sessionId);
        };
        await newServer().connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: no session' }, id: null });
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      sse.set(transport.sessionId, transport);
      res.on('close', () => sse.delete(transport.sessionId));
      await newServer().connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = sse.get(url.searchParams.get('sessionId') ?? '');
      if (transport === undefined) {
        sendJson(res, 404, { error: 'Session not found' });
        return;
      }
      const body = await readJson(req);
      if (isInitializeRequest(body)) events.push('initialize');
      await transport.handlePostMessage(req, res, body);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    });
  };
  const http: HttpServer = opts.tls !== undefined ? createHttpsServer(opts.tls, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  state.port = port;
  state.url = `${opts.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}`;
  state.close = async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return state;
}
