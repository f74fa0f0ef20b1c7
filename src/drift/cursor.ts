/**
 * Drift cursors pin the two snapshots the first page compared, so later pages list the same
 * changes (no new scan, no new snapshot) even when newer snapshots were stored meanwhile.
 * Opaque base64url JSON: offset, query fingerprint, baseline id, current id.
 */
import { UserError } from '../core/errors.js';

export interface DriftCursor {
  offset: number;
  baseline_id: string;
  current_id: string;
}

interface Payload {
  v: 1;
  o: number;
  f: string;
  b: string;
  c: string;
}

const invalid = (): UserError =>
  new UserError('cursor is not valid: pass the next_cursor value exactly as returned, or omit cursor to start from the first page.', { field: '/cursor', code: 'invalid_cursor' });

export function encodeDriftCursor(c: DriftCursor, fingerprint: string): string {
  const p: Payload = { v: 1, o: c.offset, f: fingerprint, b: c.baseline_id, c: c.current_id };
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

/** null when `cursor` is absent; UserError for a malformed cursor or one of another query. */
export function decodeDriftCursor(cursor: string | undefined, fingerprint: string): DriftCursor | null {
  if (cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object') throw invalid();
  const p = parsed as Partial<Payload>;
  if (p.v !== 1 || typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || typeof p.f !== 'string' || typeof p.b !== 'string' || typeof p.c !== 'string' || p.b === '' || p.c === '') throw invalid();
  if (p.f !== fingerprint) {
    throw new UserError('cursor belongs to a different query: repeat the same arguments as the call that returned it (only limit may change), or omit cursor to start over.', {
      field: '/cursor',
      code: 'cursor_mismatch',
    });
  }
  return { offset: p.o, baseline_id: p.b, current_id: p.c };
}
