/**
 * Logging and request ids: pino JSON logs with secrets redacted, and a request id taken from
 * `X-Request-Id` (when it is a sane token) or generated, returned in the response header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerOptions } from 'pino';
import type { AppConfig } from './config/types.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  '*.authorization',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.SessionToken',
  '*.SecretAccessKey',
  '*.credentials',
  '*.api_keys',
  '*.key',
];

/** Query parameters whose values are credentials when a client (wrongly) puts one in a URL. */
const SECRET_QUERY_PARAM = /^(api[_-]?key|apikey|key|token|access[_-]?token|id[_-]?token|auth|authorization|password|secret|x-api-key)$/i;

/**
 * The URL with the values of credential-like query parameters replaced by [redacted]
 * (found by the secret scan: `?api_key=…` reached the request log line verbatim).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // a malformed escape: judge the raw name
    }
    return SECRET_QUERY_PARAM.test(name.trim()) ? `${pair.slice(0, eq)}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

export function loggerOptions(config: Pick<AppConfig, 'log_level'>): LoggerOptions {
  return {
    level: config.log_level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'finops-tag-compliance-mcp' },
    serializers: {
      // Fastify's request fields, with credentials in the query string redacted; other `req` objects as they are.
      req: (req: LoggedRequest) =>
        typeof req?.url === 'string' && typeof req.method === 'string'
          ? { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }
          : req,
    },
  };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token of at most 128 characters, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Fastify options for logging, request ids and HTTP timeouts (one place for all of them). */
export function fastifyOptions(config: Pick<AppConfig, 'log_level'>, logger: boolean | LoggerOptions | undefined) {
  return {
    logger: logger === undefined || logger === true ? loggerOptions(config) : logger,
    genReqId: requestIdFor,
    requestIdHeader: false as const,
    // Longer than a load balancer's idle timeout (ALB default 60 s) so the LB closes first.
    keepAliveTimeout: 72_000,
    // Time to receive a whole request (not to answer it): long scans stream their answer.
    requestTimeout: 120_000,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  };
}

/**
 * onRequest hook: echo the request id, on the raw response so hijacked replies carry it too, and
 * put the effective id (sent or generated) on the raw request, where the MCP transports read
 * headers from (the id reaches the tool result's `_meta.request_id` and the call's log lines).
 */
export async function echoRequestId(
  request: { id: string; raw: { headers: IncomingMessage['headers'] } },
  reply: { raw: { setHeader(name: string, value: string): unknown } },
): Promise<void> {
  request.raw.headers[REQUEST_ID_HEADER] = request.id;
  reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
}

/** The request id the MCP transport saw for this message (set by echoRequestId), if any. */
export function requestIdFromHeaders(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const value = headers?.[REQUEST_ID_HEADER];
  const id = Array.isArray(value) ? value[0] : value;
  return id !== undefined && SAFE_REQUEST_ID.test(id) ? id : undefined;
}
