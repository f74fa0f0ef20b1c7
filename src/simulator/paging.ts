/**
 * Opaque offset-based paging tokens shared by every protocol. A token carries the offset of the
 * next item and a tag naming the operation it belongs to, so a token from one call cannot be
 * replayed against another.
 */

export interface Page<T> {
  items: T[];
  /** Token for the next page; undefined on the last page. */
  next?: string;
}

export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset }), 'utf8').toString('base64url');
}

/** The offset a token stands for, or null when the token is malformed or from another call. */
export function decodeToken(scope: string, token: string): number | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const rec = parsed as Record<string, unknown>;
    if (rec['s'] !== scope) return null;
    const o = rec['o'];
    return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : null;
  } catch {
    return null;
  }
}

export function paginate<T>(items: readonly T[], scope: string, offset: number, size: number): Page<T> {
  const slice = items.slice(offset, offset + size);
  const nextOffset = offset + slice.length;
  return nextOffset < items.length ? { items: slice, next: encodeToken(scope, nextOffset) } : { items: slice };
}
