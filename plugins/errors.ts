/**
 * 'errors': the one error handler and the not-found handler. 4xx messages reach the caller
 * (validation errors rewritten to say what to fix); anything else becomes a generic 500 body
 * while the full detail goes to the log. `mapError` is shared with the MCP layer.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { AwsAccessError } from '../src/aws/gateway.js';
import { CancelledError, PolicyError, UserError } from '../src/core/errors.js';

export interface MappedError {
  statusCode: number;
  /** True when the message is safe and useful for the caller. */
  expose: boolean;
  body: { error: string; message: string; field?: string };
}

export const INTERNAL_MESSAGE = 'An internal error occurred';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

const AWS_FORBIDDEN = new Set(['AccessDenied', 'AssumeRoleFailed', 'AccountSuspended', 'ExpiredToken']);
const AWS_UNAVAILABLE = new Set(['Throttling', 'Timeout', 'EndpointUnreachable']);

/** HTTP status for an AWS error code: 403 for refusals, 503 for transient failures, 502 otherwise. */
export function awsStatus(code: string): number {
  if (AWS_FORBIDDEN.has(code)) return 403;
  if (AWS_UNAVAILABLE.has(code)) return 503;
  return 502;
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

function clientStatus(err: unknown): number | null {
  const status = err instanceof Error ? (err as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** Fastify's own schema validation errors, rewritten as `field: what is wrong`. */
function validationMessage(err: FastifyError): string {
  const items = (err.validation ?? []) as ValidationItem[];
  const context = err.validationContext ?? 'body';
  const parts = items.slice(0, 5).map((v) => `${context}${v.instancePath ?? ''}: ${v.message ?? 'is invalid'}`);
  return parts.length > 0 ? `Invalid request: ${parts.join('; ')}` : err.message;
}

export function mapError(err: unknown): MappedError {
  if (err instanceof UserError) {
    const body: MappedError['body'] = { error: err.code, message: err.message };
    if (err.field !== undefined) body.field = err.field;
    return { statusCode: err.statusCode, expose: true, body };
  }
  if (err instanceof PolicyError) {
    return { statusCode: 422, expose: true, body: { error: 'invalid_policy', message: err.message, field: err.field } };
  }
  if (err instanceof AwsAccessError) {
    return { statusCode: awsStatus(err.code), expose: true, body: { error: `aws_${err.code}`, message: err.message } };
  }
  if (err instanceof CancelledError) {
    return { statusCode: 503, expose: true, body: { error: 'cancelled', message: err.message } };
  }
  const status = clientStatus(err);
  if (status !== null) {
    const fe = err as FastifyError;
    const message = fe.validation !== undefined ? validationMessage(fe) : fe.message;
    return { statusCode: status, expose: true, body: { error: CODE_BY_STATUS[status] ?? 'bad_request', message } };
  }
  return { statusCode: 500, expose: false, body: { error: 'internal_error', message: INTERNAL_MESSAGE } };
}

const errorsPlugin: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((err, request, reply) => {
    const mapped = mapError(err);
    if (mapped.expose) request.log.info({ err, status: mapped.statusCode }, 'request failed');
    else request.log.error({ err }, 'unexpected error');
    if (mapped.statusCode === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(mapped.statusCode).send({ ...mapped.body, request_id: request.id });
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send({
      error: 'not_found',
      message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}. See GET /tools for the tool list, /mcp for MCP.`,
      request_id: request.id,
    });
  });
};

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x', dependencies: ['config'] });
