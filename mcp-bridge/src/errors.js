// @ts-check
/**
 * Turns transport failures into JSON-RPC errors whose message says what to do. Pure.
 */

/** JSON-RPC code for "could not reach / talk to the server" (SDK ErrorCode.ConnectionClosed). */
export const CONNECTION_ERROR = -32000;
/** JSON-RPC code for a request that ran past MCP_TIMEOUT (SDK ErrorCode.RequestTimeout). */
export const TIMEOUT_ERROR = -32001;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/**
 * Collects error codes along the cause chain (fetch wraps the socket error in `cause`,
 * sometimes inside an AggregateError).
 * @param {unknown} err
 * @returns {string[]}
 */
export function errorCodes(err) {
  /** @type {string[]} */
  const codes = [];
  /** @type {unknown[]} */
  const queue = [err];
  const seen = new Set();
  while (queue.length > 0 && seen.size < 20) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if ('code' in e && typeof e.code === 'string') codes.push(e.code);
    // The SSE transport keeps only the text of the socket error ("... connect ECONNREFUSED ...").
    if (e instanceof Error) {
      for (const m of e.message.matchAll(/\b(E[A-Z]{3,}|ERR_[A-Z_]+|UND_ERR_[A-Z_]+|[A-Z_]*_CERT[A-Z_]*|CERT_[A-Z_]+)\b/g)) {
        if (m[1] !== undefined && !codes.includes(m[1])) codes.push(m[1]);
      }
    }
    if ('cause' in e) queue.push(e.cause);
    if ('errors' in e && Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return codes;
}

/**
 * HTTP status carried by the SDK's StreamableHTTPError / SseError (`code` is a number there).
 * @param {unknown} err
 * @returns {number | undefined}
 */
export function httpStatus(err) {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'number' && err.code >= 100 && err.code < 600) {
    return err.code;
  }
  // SSEClientTransport's POST failures carry the status only in the text: "... (HTTP 404): ...".
  const m = err instanceof Error ? /\(HTTP (\d{3})\)/.exec(err.message) : null;
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/**
 * @param {unknown} err
 * @returns {string}
 */
export function errorText(err) {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error && err.cause.message !== '' ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

/**
 * @typedef {object} FailureContext
 * @property {string} url          the server URL (no credentials in it)
 * @property {boolean} hasApiKey   whether an Authorization header is configured
 */

/**
 * Explains a failure to reach or talk to the server, as a message for the MCP client.
 * @param {unknown} err
 * @param {FailureContext} ctx
 * @returns {{ code: number, message: string }}
 */
export function describeFailure(err, ctx) {
  const status = httpStatus(err);
  if (status === 401) {
    return {
      code: CONNECTION_ERROR,
      message: ctx.hasApiKey
        ? `The MCP server at ${ctx.url} rejected the API key (HTTP 401): check the token in MCP_API_KEY.`
        : `The MCP server at ${ctx.url} requires authentication (HTTP 401): set MCP_API_KEY to your API token.`,
    };
  }
  if (status === 403) {
    return {
      code: CONNECTION_ERROR,
      message: `The MCP server at ${ctx.url} refused access (HTTP 403): check that the token in MCP_API_KEY is valid and allowed to use this server.`,
    };
  }
  if (status === 404 || status === 405) {
    return {
      code: CONNECTION_ERROR,
      message: `The MCP server at ${ctx.url} answered HTTP ${status}: check MCP_SERVER_URL (it should point at the server's base URL, /mcp or /sse endpoint). Detail: ${errorText(err)}`,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      code: CONNECTION_ERROR,
      message: `The MCP server at ${ctx.url} could not handle the request (HTTP ${status}); retry later, and tell its operator if it persists. Detail: ${errorText(err)}`,
    };
  }
  if (status !== undefined) {
    return { code: CONNECTION_ERROR, message: `The MCP server at ${ctx.url} refused the request (HTTP ${status}). Detail: ${errorText(err)}` };
  }
  const codes = errorCodes(err);
  if (codes.includes('ECONNREFUSED')) {
    return { code: CONNECTION_ERROR, message: `Cannot reach the MCP server at ${ctx.url}: connection refused. Check that the server is running and that MCP_SERVER_URL (host and port) is right.` };
  }
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return { code: CONNECTION_ERROR, message: `Cannot reach the MCP server at ${ctx.url}: the host name does not resolve (DNS). Check the host in MCP_SERVER_URL and your network/VPN.` };
  }
  if (codes.includes('ETIMEDOUT') || codes.includes('UND_ERR_CONNECT_TIMEOUT') || codes.includes('EHOSTUNREACH') || codes.includes('ENETUNREACH')) {
    return { code: CONNECTION_ERROR, message: `Cannot reach the MCP server at ${ctx.url}: the network connection failed (${codes.join(', ')}). Check MCP_SERVER_URL, firewalls and your network/VPN.` };
  }
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET')) {
    return { code: CONNECTION_ERROR, message: `The connection to the MCP server at ${ctx.url} was reset. Retry; if it keeps happening, check the server and any proxy in between.` };
  }
  const tls = codes.find((c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL'));
  if (tls !== undefined) {
    return { code: CONNECTION_ERROR, message: `TLS error talking to ${ctx.url} (${tls}). If the server uses a self-signed certificate, set MCP_VERIFY_TLS=false (or pass --insecure); otherwise check the certificate and the host name in MCP_SERVER_URL.` };
  }
  return { code: CONNECTION_ERROR, message: `Failed to talk to the MCP server at ${ctx.url}: ${errorText(err)}` };
}

/**
 * @param {number} timeoutMs
 * @returns {{ code: number, message: string }}
 */
export function describeTimeout(timeoutMs) {
  return {
    code: TIMEOUT_ERROR,
    message: `The MCP server did not answer within ${timeoutMs / 1000} s; the request was cancelled. Raise MCP_TIMEOUT (seconds) for long scans, or narrow the request.`,
  };
}

/** @returns {{ code: number, message: string }} */
export function describeLostConnection() {
  return {
    code: CONNECTION_ERROR,
    message: 'The connection to the MCP server was lost before it answered (server restart or network failure). The request may not have completed: retry it.',
  };
}

/**
 * The server URL without user info, safe for messages and logs.
 * @param {URL} url
 * @returns {string}
 */
export function safeUrl(url) {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.href;
}
