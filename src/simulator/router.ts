/** Request classification (service, region, operation, caller key) and dispatch to protocol handlers. */
import type { IncomingHttpHeaders } from 'node:http';
import { parseSignedScope } from './auth.js';
import type { CallContext } from './context.js';
import { SimError, protocolOf, type WireProtocol, type WireResponse } from './errors.js';
import { handleCostExplorer } from './protocols/costexplorer.js';
import { handleEc2 } from './protocols/ec2.js';
import { handleIam } from './protocols/iam.js';
import { handleRds } from './protocols/rds.js';
import { handleOrganizations } from './protocols/organizations.js';
import { handleS3, s3Operation } from './protocols/s3.js';
import { handleSts } from './protocols/sts.js';
import { handleTagging } from './protocols/tagging.js';

export interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RoutedRequest {
  service: string;
  region: string;
  protocol: WireProtocol;
  operation: string;
  accessKeyId: string;
  sessionToken: string | undefined;
  /** Query-protocol parameters (form body merged over the URL query). */
  params: URLSearchParams;
  /** JSON-protocol body. */
  json: Record<string, unknown>;
}

/** x-amz-target prefixes of the JSON 1.1 services. */
const JSON_TARGETS: Record<string, string> = {
  tagging: 'ResourceGroupsTaggingAPI_20170126',
  ce: 'AWSInsightsIndexService',
  organizations: 'AWSOrganizationsV20161128',
};

const QUERY_SERVICES = new Set(['sts', 'iam', 'ec2', 'rds']);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class RouteError extends SimError {
  constructor(
    readonly protocol: WireProtocol,
    code: string,
    message: string,
    status = 400,
  ) {
    super(code, message, status);
  }
}

function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RouteError('json', 'SerializationException', 'Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RouteError('json', 'SerializationException', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Works out what a request is; throws RouteError (already knowing its protocol) when it cannot. */
export function classify(req: ParsedRequest): RoutedRequest {
  const scope = parseSignedScope(header(req.headers, 'authorization'), req.query);
  if (!scope) {
    const target = header(req.headers, 'x-amz-target');
    const protocol: WireProtocol = target !== undefined ? 'json' : req.method === 'POST' ? 'query' : 's3';
    throw new RouteError(protocol, protocol === 's3' ? 'AccessDenied' : 'MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  const { service, region, accessKeyId } = scope;
  const protocol = protocolOf(service);
  const sessionToken = header(req.headers, 'x-amz-security-token') ?? req.query.get('X-Amz-Security-Token') ?? undefined;
  const base = { service, region, protocol, accessKeyId, sessionToken };
  if (QUERY_SERVICES.has(service)) {
    const params = new URLSearchParams(req.query);
    if (req.body !== '') for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
    const operation = params.get('Action');
    if (operation === null || operation === '') throw new RouteError(protocol, 'MissingAction', 'The request must contain the parameter Action');
    return { ...base, operation, params, json: {} };
  }
  const prefix = JSON_TARGETS[service];
  if (prefix !== undefined) {
    const target = header(req.headers, 'x-amz-target') ?? '';
    const [p, operation] = target.split('.', 2);
    if (p !== prefix || operation === undefined || operation === '') {
      throw new RouteError('json', 'UnknownOperationException', `Unknown target ${target.slice(0, 100)}`);
    }
    return { ...base, operation, params: new URLSearchParams(), json: parseJsonBody(req.body) };
  }
  if (service === 's3') return { ...base, operation: s3Operation(req), params: new URLSearchParams(), json: {} };
  throw new RouteError('query', 'UnknownService', `The simulator does not implement service '${service.slice(0, 40)}'`);
}

export type Handler = (ctx: CallContext, routed: RoutedRequest, req: ParsedRequest) => WireResponse;

/** Handlers by signing service. */
export const HANDLERS: Record<string, Handler> = {
  sts: (ctx, r) => handleSts(ctx, r.operation, r.params),
  iam: (ctx, r) => handleIam(ctx, r.operation),
  ec2: (ctx, r) => handleEc2(ctx, r.operation, r.params),
  rds: (ctx, r) => handleRds(ctx, r.operation, r.params),
  s3: (ctx, r, req) => handleS3(ctx, r.operation, req),
  tagging: (ctx, r) => handleTagging(ctx, r.operation, r.json),
  ce: (ctx, r) => handleCostExplorer(ctx, r.operation, r.json),
  organizations: (ctx, r) => handleOrganizations(ctx, r.operation, r.json),
};
