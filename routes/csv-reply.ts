/**
 * Sending a tool's CSV download over HTTP: content negotiation (Accept) and the streamed
 * `text/csv` reply with the data quality in headers. Used by POST /tools/:name (Accept: text/csv)
 * and GET /tools/export_violations_csv (routes/export.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { CsvDownload } from '../src/export/download.js';

export type Representation = 'csv' | 'json';

interface Range {
  type: string;
  q: number;
  order: number;
}

function ranges(accept: string): Range[] {
  return accept
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { type, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0, order };
    })
    .filter((r) => r.type !== '');
}

/** Best explicit match (no bare wildcard) among `types`: highest q, then earliest. */
function best(list: Range[], types: readonly string[]): Range | null {
  let found: Range | null = null;
  for (const r of list) if (types.includes(r.type) && (found === null || r.q > found.q)) found = r;
  return found;
}

/**
 * Which representation the client asked for. Only explicit media ranges count (`text/csv`,
 * `text/*`, `application/json`, `application/*`); a bare wildcard or no Accept header gets
 * `fallback` (unless that one is refused with q=0). A tie in q goes to the one listed first.
 */
export function negotiate(accept: string | undefined, fallback: Representation): Representation {
  if (accept === undefined || accept.trim() === '') return fallback;
  const list = ranges(accept);
  const csv = best(list, ['text/csv', 'text/*']);
  const json = best(list, ['application/json', 'application/*']);
  const csvQ = csv?.q ?? 0;
  const jsonQ = json?.q ?? 0;
  if (csvQ === 0 && jsonQ === 0) {
    // Neither asked for: the fallback, unless the client refused it explicitly (q=0) and not the other.
    const refused = (r: Range | null): boolean => r !== null && r.q === 0;
    if (fallback === 'csv') return refused(csv) && !refused(json) ? 'json' : 'csv';
    return refused(json) && !refused(csv) ? 'csv' : 'json';
  }
  if (csvQ !== jsonQ) return csvQ > jsonQ ? 'csv' : 'json';
  return (csv?.order ?? Infinity) < (json?.order ?? Infinity) ? 'csv' : 'json';
}

/** Stream the whole file: `text/csv; charset=utf-8`, attachment, data quality in headers. */
export function sendCsvDownload(reply: FastifyReply, download: CsvDownload): FastifyReply {
  const dq = download.data_quality;
  reply
    .code(200)
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${download.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-total-rows', String(download.total_rows))
    .header('x-data-quality', dq.status)
    .header('x-data-quality-cells', `${dq.cells_complete}/${dq.cells_requested}`)
    .header('x-data-quality-failed-cells', String(Math.max(0, dq.cells_requested - dq.cells_complete)))
    .header('x-scan-timestamp', download.scan_timestamp);
  if (download.failed_accounts.length > 0) reply.header('x-failed-accounts', download.failed_accounts.join(','));
  return reply.send(Readable.from(download.chunks(), { objectMode: false }));
}
