/**
 * Opaque cursors: base64url JSON carrying the offset and a fingerprint of the query, so a cursor
 * is refused (with a message saying what to do) when replayed against different arguments.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../../core/errors.js';
import { DEFAULT_LIMIT } from './schemas.js';

interface CursorPayload {
  v: 1;
  o: number;
  f: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** Fingerprint of a query: every argument except `cursor` and `limit` (page size may change). */
export function queryFingerprint(toolName: string, input: Record<string, unknown>): string {
  const { cursor: _cursor, limit: _limit, ...rest } = input;
  return createHash('sha256').update(JSON.stringify([toolName, canonical(rest)])).digest('base64url').slice(0, 16);
}

export function encodeCursor(offset: number, fingerprint: string): string {
  const payload: CursorPayload = { v: 1, o: offset, f: fingerprint };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Offset encoded in `cursor` (0 when absent). Throws UserError for a malformed or foreign cursor. */
export function decodeCursor(cursor: string | undefined, fingerprint: string): number {
  if (cursor === undefined) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new UserError('cursor is not valid: pass the next_cursor value exactly as returned, or omit cursor to start from the first page.', { field: '/cursor', code: 'invalid_cursor' });
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new UserError('cursor is not valid: pass the next_cursor value exactly as returned, or omit cursor to start from the first page.', { field: '/cursor', code: 'invalid_cursor' });
  }
  const p = parsed as Partial<CursorPayload>;
  if (p.v !== 1 || typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || typeof p.f !== 'string') {
    throw new UserError('cursor is not valid: pass the next_cursor value exactly as returned, or omit cursor to start from the first page.', { field: '/cursor', code: 'invalid_cursor' });
  }
  if (p.f !== fingerprint) {
    throw new UserError(
      'cursor belongs to a different query: repeat the same arguments as the call that returned it (only limit may change), or omit cursor to start over.',
      { field: '/cursor', code: 'cursor_mismatch' },
    );
  }
  return p.o;
}

export interface Page<T> {
  items: T[];
  offset: number;
  total: number;
  next_cursor: string | null;
}

export function paginate<T>(all: readonly T[], opts: { cursor: string | undefined; limit: number | undefined; fingerprint: string }): Page<T> {
  const offset = decodeCursor(opts.cursor, opts.fingerprint);
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  return { items, offset, total: all.length, next_cursor: end < all.length ? encodeCursor(end, opts.fingerprint) : null };
}

/** Plain-language note on what a page leaves out. */
export function pageNote(page: Page<unknown>, noun: string): string {
  if (page.total === 0) return `No ${noun}.`;
  if (page.items.length === 0) return `No ${noun} at this offset (${page.total} in total); omit cursor to start over.`;
  const first = page.offset + 1;
  const last = page.offset + page.items.length;
  const left = page.total - last;
  const before = page.offset > 0 ? ` ${page.offset} earlier ${noun} were on previous pages.` : '';
  if (left === 0) return `Showing ${noun} ${first}–${last} of ${page.total}; this is the last page.${before}`;
  return `Showing ${noun} ${first}–${last} of ${page.total}; ${left} more not shown: call again with cursor=next_cursor and the same arguments.${before}`;
}
