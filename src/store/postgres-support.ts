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
