/**
 * REST access to the tools: `GET /tools`, `POST /tools/:name` (body = the arguments, answer =
 * the structured result) and the old bridge's `GET /mcp/tools` + `POST /mcp/tools/call`.
 * A JSON document sent as application/x-www-form-urlencoded (plain `curl -d '{…}'`) or text/plain is accepted.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CancelledError, UserError } from '../src/core/errors.js';
import { csvDownloadOf } from '../src/export/download.js';
import { answerBytes } from '../src/cache/answer-cache.js';
import { errorResult, toolResult } from '../src/mcp/server.js';
import { negotiate, sendCsvDownload } from './csv-reply.js';

/** Parse a request body that should be a JSON document; empty means no arguments. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError('The request body is not valid JSON: send the tool arguments as a JSON object, e.g. {"resource_types": ["ec2:instance"]}', { code: 'invalid_json' });
  }
}

/** Form bodies: a JSON document (curl -d '{…}') or ordinary key=value pairs. */
export function parseFormBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonBody(trimmed);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(trimmed)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export const callOptions = (request: FastifyRequest, reply: FastifyReply) => ({ logger: request.log, principal: request.principal, signal: abortSignalFor(reply) });

/** Aborted when the client goes away before the answer is sent. */
function abortSignalFor(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new CancelledError('The client closed the connection'));
  });
  return controller.signal;
}

const toolRoutes: FastifyPluginAsync = async (app) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(String(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseFormBody(String(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  const listing = () =>
    app.toolRunner.list().map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      input_schema: t.inputSchema,
      output_schema: t.outputSchema,
      annotations: t.annotations,
      examples: t.examples,
    }));

  app.get('/tools', async () => ({ tools: listing() }));

  app.post<{ Params: { name: string } }>('/tools/:name', async (request, reply) => {
    const result = await app.toolRunner.call(request.params.name, request.body ?? {}, callOptions(request, reply));
    // A tool answer with a file behind it (export_violations_csv) streams it for Accept: text/csv.
    const download = negotiate(request.headers.accept, 'json') === 'csv' ? csvDownloadOf(result) : undefined;
    if (download !== undefined) return sendCsvDownload(reply, download);
    // A finished (cached) answer is sent as the JSON text it was stored with: no second serialisation.
    const bytes = answerBytes(result);
    return bytes === undefined ? result : reply.type('application/json; charset=utf-8').send(bytes);
  });

  // Compatibility with the first server's REST bridge.
  app.get('/mcp/tools', async () => ({
    tools: app.toolRunner.list().map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
  }));

  app.post('/mcp/tools/call', async (request, reply) => {
    const body = request.body;
    const name = typeof body === 'object' && body !== null && 'name' in body ? body.name : undefined;
    if (typeof name !== 'string' || name === '') {
      throw new UserError('Send {"name": "<tool name>", "arguments": {…}}; see GET /mcp/tools for the names', { field: '/name' });
    }
    const args = typeof body === 'object' && body !== null && 'arguments' in body ? body.arguments : {};
    try {
      const result = toolResult(await app.toolRunner.call(name, args ?? {}, callOptions(request, reply)));
      return { content: result.content, is_error: false };
    } catch (err) {
      const result = errorResult(err, request.log, name);
      return { content: result.content, is_error: true };
    }
  });
};

export default toolRoutes;
