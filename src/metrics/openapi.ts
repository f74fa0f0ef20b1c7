/**
 * OpenAPI pieces built from what the tool runner lists (the TypeBox schemas serialised once):
 * one `POST /tools/<name>` operation per tool, and descriptions of the fixed routes.
 */
import type { ToolListing } from '../../plugins/tools.js';

export const OPENAPI_INFO = {
  title: 'FinOps tag compliance (REST)',
  description:
    'Every MCP tool is also a REST operation: POST /tools/<name> with the tool arguments as a JSON object; the answer is the tool\'s structured result. ' +
    'GET /tools lists the tools with their JSON Schemas. MCP clients use /mcp (Streamable HTTP) or /sse instead.',
};

const ERROR_BODY = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, request_id: { type: 'string' } },
  required: ['error', 'message'],
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_BODY } } });

/** One documented operation per tool (request = inputSchema, 200 = outputSchema, examples = the tool's). */
export function toolPaths(tools: readonly ToolListing[], secured: boolean): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const t of tools) {
    const examples = Object.fromEntries(t.examples.map((value, i) => [`example_${i + 1}`, { summary: `Example ${i + 1}`, value }]));
    paths[`/tools/${t.name}`] = {
      post: {
        operationId: t.name,
        tags: ['tools'],
        summary: t.title,
        description: t.description,
        requestBody: {
          required: false,
          description: `Arguments of ${t.name} (an empty body means no arguments).`,
          content: { 'application/json': { schema: t.inputSchema, ...(t.examples.length > 0 ? { examples } : {}) } },
        },
        responses: {
          200: { description: `The ${t.name} result`, content: { 'application/json': { schema: t.outputSchema } } },
          400: errorResponse('Invalid arguments: the message names the field to fix'),
          ...(secured ? { 401: errorResponse('Missing or invalid API key') } : {}),
          403: errorResponse('Forbidden (account not allowed for this key, or AWS access denied)'),
          429: errorResponse('Rate limited'),
          503: errorResponse('Cancelled, shutting down, or AWS unavailable'),
        },
      },
    };
  }
  return paths;
}

/** Summaries and response descriptions for the fixed routes (their handlers carry no schema). */
export function routeDocs(url: string): Record<string, unknown> | null {
  switch (url) {
    case '/tools':
      return { summary: 'List the tools with their input and output JSON Schemas and examples', tags: ['tools'] };
    case '/health':
      return { summary: 'Health: policy, cache, history and AWS identity checks (public)', tags: ['operations'], security: [] };
    case '/ready':
      return { summary: 'Readiness: 200 once a policy is loaded, 503 while shutting down (public)', tags: ['operations'], security: [] };
    case '/metrics':
      return {
        summary: 'Prometheus metrics (text exposition format); public only with METRICS_PUBLIC=true',
        tags: ['operations'],
      };
    default:
      return null;
  }
}
