/**
 * DNS-rebinding protection, as pure functions: is this Host header one of the names the server
 * answers to, and is this Origin allowed (listed, or the server's own origin once the Host has
 * been checked)?
 */

/** Host header → lower-case host name without port ("[::1]:8080" → "[::1]"). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** Entries may carry a port ("api.example.com:8443"): then the whole Host must match. */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined || header === '') return false;
  const full = header.trim().toLowerCase();
  const name = hostName(full);
  return allowed.some((a) => a === full || a === name);
}

/** Quote an untrusted header value for a message (bounded, JSON-escaped). */
export function quoteHeader(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * Origin allowed when listed, or when it is the server's own origin (scheme://Host) and the
 * Host header itself was checked against the allow-list.
 */
export function originAllowed(origin: string, allowedOrigins: readonly string[], host: string | undefined, hostChecked: boolean): boolean {
  const o = origin.trim().toLowerCase();
  if (allowedOrigins.includes(o)) return true;
  if (!hostChecked || host === undefined) return false;
  const h = host.trim().toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}
