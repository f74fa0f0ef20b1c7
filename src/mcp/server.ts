/**
 * MCP glue: one low-level SDK `Server` answering tools/list and tools/call from the tool runner.
 * The TypeBox JSON Schemas are the inputSchema/outputSchema (no zod). Results carry
 * structuredContent plus a JSON text copy; failures are `isError` results with a safe message.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, RequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { INTERNAL_MESSAGE, mapError } from '../../plugins/errors.js';
import type { ToolRunner } from '../../plugins/tools.js';
import type { GuardedCallOptions } from '../auth/guard.js';
import { answerJson } from '../cache/answer-cache.js';
import { requestIdFromHeaders } from '../logging.js';
import type { ProgressReporter } from '../core/types.js';
import type { Principal } from '../tools/types.js';

export interface McpServerOptions {
  runner: ToolRunner;
  logger: Logger;
  principal: Principal;
  version: string;
}

export const SERVER_NAME = 'finops-tag-compliance';

const INSTRUCTIONS =
  'FinOps tag compliance for an AWS Organization: which resources break the tagging policy, in which ' +
  'account and region, and what that costs. Every scanning answer carries data_quality; treat numbers ' +
  'as partial when data_quality.status is "partial".';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turn a tool's outcome into a CallToolResult. */
export function toolResult(result: unknown): CallToolResult {
  // Compact JSON (the same text REST sends): fewer bytes on the wire and fewer tokens for the
  // model than indented JSON. A cached answer reuses the text it was stored with.
  const text = answerJson(result) ?? JSON.stringify(result) ?? 'null';
  return isRecord(result) ? { content: [{ type: 'text', text }], structuredContent: result } : { content: [{ type: 'text', text }] };
}

/** A failure as an isError result: clear message for caller mistakes, generic text otherwise. */
export function errorResult(err: unknown, logger: Logger, tool: string): CallToolResult {
  const mapped = mapError(err);
  if (mapped.expose) {
    logger.info({ err, tool }, 'tool call failed');
    return { content: [{ type: 'text', text: mapped.body.message }], isError: true };
  }
  logger.error({ err, tool }, 'tool call failed unexpectedly');
  return { content: [{ type: 'text', text: `${INTERNAL_MESSAGE}; the server log has the details.` }], isError: true };
}

/** Maps ctx.progress to notifications/progress; progress values only ever increase. */
function progressReporter(token: string | number | undefined, send: (params: { progressToken: string | number; progress: number; total?: number; message?: string }) => Promise<void>, logger: Logger): ProgressReporter {
  if (token === undefined) return () => {};
  let last = -Infinity;
  return (update) => {
    if (!(update.progress > last)) return;
    last = update.progress;
    const params: { progressToken: string | number; progress: number; total?: number; message?: string } = { progressToken: token, progress: update.progress };
    if (update.total !== undefined) params.total = update.total;
    if (update.message !== undefined) params.message = update.message;
    send(params).catch((err: unknown) => logger.debug({ err }, 'progress notification not delivered'));
  };
}

/**
 * tools/call is registered with the SDK's loose request envelope, so the SDK Server's own check of
 * the call answers malformed params (e.g. arguments that are not an object) with -32602 Invalid
 * params. With the strict schema the generic parse threw first and a client got -32603 Internal
 * error for its own mistake (found by the fuzz suite).
 */
const ToolsCallEnvelope = RequestSchema.extend({ method: CallToolRequestSchema.shape.method });

export function createMcpServer(options: McpServerOptions): Server {
  const { runner, logger, principal } = options;
  const server = new Server({ name: SERVER_NAME, version: options.version }, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: runner.list().map(
      (t): Tool => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema as Tool['inputSchema'],
        outputSchema: t.outputSchema as Tool['outputSchema'],
        annotations: t.annotations,
      }),
    ),
  }));

  server.setRequestHandler(ToolsCallEnvelope, async (envelope, extra) => {
    // The SDK validated the call against CallToolRequestSchema before calling this handler.
    const request = CallToolRequestSchema.parse(envelope);
    const { name } = request.params;
    // The HTTP request that carried this call (not the one that opened the session) names the call.
    const requestId = requestIdFromHeaders(extra.requestInfo?.headers);
    const log = requestId === undefined ? logger : logger.child({ reqId: requestId });
    const meta = requestId === undefined ? {} : { _meta: { request_id: requestId } };
    const progress = progressReporter(
      request.params._meta?.progressToken,
      (params) => extra.sendNotification({ method: 'notifications/progress', params }),
      log,
    );
    try {
      // via/session_id let the tool-call guard apply the session budget and MCP rate limit.
      const callOptions: GuardedCallOptions = { signal: extra.signal, progress, logger: log, principal, via: 'mcp', session_id: extra.sessionId };
      const result = await runner.call(name, request.params.arguments ?? {}, callOptions);
      return { ...toolResult(result), ...meta };
    } catch (err) {
      return { ...errorResult(err, log, name), ...meta };
    }
  });

  return server;
}
