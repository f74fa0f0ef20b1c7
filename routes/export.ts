/**
 * GET /tools/export_violations_csv?account_ids=…&columns=…: the violations export as a download
 * link. The query holds the tool's arguments (lists comma-separated or repeated, see
 * src/export/query.ts); the call goes through the same tool runner as every other transport
 * (validation, account allow-list, scopes, audit, metrics), is rate limited like POST
 * /tools/:name (same counters, the scan limit), and answers the whole file streamed as
 * text/csv — or the JSON answer when the client asks for application/json only.
 * Errors before the first byte are the usual JSON error bodies.
 */
import type { FastifyPluginAsync } from 'fastify';
import { principalKey, rateKey, rateLimitMessage } from '../src/auth/guard.js';
import { defaultSecurity } from '../src/config/security.js';
import { csvDownloadOf } from '../src/export/download.js';
import { fromQuery } from '../src/export/query.js';
import { EXPORT_VIOLATIONS_CSV, exportViolationsCsv } from '../src/tools/export-violations-csv.js';
import { negotiate, sendCsvDownload } from './csv-reply.js';
import { callOptions } from './tools.js';

/** Names of the array-typed properties of a JSON Schema object. */
function listKeys(schema: Record<string, unknown> | undefined): Set<string> {
  const props = schema?.['properties'];
  const out = new Set<string>();
  if (typeof props !== 'object' || props === null) return out;
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'array') out.add(key);
  }
  return out;
}

const exportRoutes: FastifyPluginAsync = async (app) => {
  const sec = app.config.security ?? defaultSecurity(app.config.host);
  const scans = exportViolationsCsv.scans;
  const max = scans ? sec.rate_limit_scans_per_minute : sec.rate_limit_per_minute;

  app.get(
    `/tools/${EXPORT_VIOLATIONS_CSV}`,
    {
      // A HEAD would run a whole scan for nothing.
      exposeHeadRoute: false,
      config: {
        // The global limiter only knows POST tool routes: count this one as a call of the tool.
        rateLimit: {
          allowList: () => max === 0,
          max,
          keyGenerator: (request) => rateKey(principalKey(request.principal, request.ip), scans),
          errorResponseBuilder: (_request, context) => {
            const retry = Math.max(1, Math.ceil(context.ttl / 1000));
            return Object.assign(new Error(rateLimitMessage(scans, context.max, retry)), { statusCode: 429 });
          },
        },
      },
    },
    async (request, reply) => {
      const listing = app.toolRunner.list().find((t) => t.name === EXPORT_VIOLATIONS_CSV);
      const args = fromQuery(request.query as Record<string, unknown>, listKeys(listing?.inputSchema));
      const result = await app.toolRunner.call(EXPORT_VIOLATIONS_CSV, args, callOptions(request, reply));
      const download = negotiate(request.headers.accept, 'csv') === 'csv' ? csvDownloadOf(result) : undefined;
      return download === undefined ? result : sendCsvDownload(reply, download);
    },
  );
};

export default exportRoutes;
