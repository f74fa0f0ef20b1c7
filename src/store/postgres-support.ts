/**
 * Small pure helpers of the PostgreSQL history backend: a printable (password-free) form of the
 * connection URL, a readable reason for a driver error, canonical tag objects and chunking.
 */

/** `postgres://user@host:port/db` without password or query string; never echoes a bad value. */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable HISTORY_DATABASE_URL)';
  }
  const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
}

/**
 * A one-line reason for a failed connection or query. Node reports a refused connection to a
 * host with several addresses as an AggregateError with an empty message: its parts are named.
 */
export function describeDbError(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    const parts = err.errors.map((e: unknown) => describeDbError(e));
    return [...new Set(parts)].join('; ') || 'connection failed';
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const withCode = typeof code === 'string' && code !== '' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
    return withCode === '' ? err.name : withCode;
  }
  return String(err);
}

/** A tag object with keys in the canonical order (the order tagSetKey hashes them in). */
export function canonicalTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Consecutive slices of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Node socket errors that mean "the database server cannot be reached". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * True when an error means the database is unreachable or overloaded right now (worth a retry
 * later), as opposed to a bug or bad data: network errors, node-postgres connect/read timeouts
 * and lost connections, and the SQLSTATE classes 08 (connection exception), 53 (insufficient
 * resources), 57P01–57P03 (server shutting down / starting) and 57014 (statement timeout).
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.length > 0 && err.errors.every((e: unknown) => isUnavailable(e));
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('53') || ['57P01', '57P02', '57P03', '57014'].includes(code)) return true;
  }
  return /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection terminated due to connection timeout)/.test(err.message);
}
