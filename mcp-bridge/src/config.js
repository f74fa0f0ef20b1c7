// @ts-check
/**
 * Bridge configuration: environment variables and command-line flags (flags win).
 * Pure: takes argv and env, returns a config or throws ConfigError; never reads process.* itself.
 */

/** @typedef {'error' | 'warn' | 'info' | 'debug'} LogLevel */

/**
 * @typedef {object} BridgeConfig
 * @property {URL} url            endpoint used for the first attempt (Streamable HTTP, or SSE when it ends in /sse)
 * @property {'streamable-http' | 'sse'} transport  transport tried first
 * @property {URL | undefined} sseFallbackUrl  HTTP+SSE endpoint to try when the first POST gets 404/405
 * @property {Record<string, string>} headers  extra headers sent with every HTTP request (Authorization included)
 * @property {number} timeoutMs   per-request timeout
 * @property {boolean} verifyTls
 * @property {LogLevel} logLevel
 */

/**
 * @typedef {{ kind: 'run', config: BridgeConfig } | { kind: 'help' } | { kind: 'version' }} CliAction
 */

export class ConfigError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_TIMEOUT_SECONDS = 120;
/** @type {readonly LogLevel[]} */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];

export const HELP_TEXT = `finops-mcp-bridge: connect a stdio-only MCP client (Claude Desktop, ...) to a remote MCP server.

Usage: finops-mcp-bridge [options]

Options (each overrides the environment variable in brackets):
  --url <url>            MCP server URL [MCP_SERVER_URL]. A base URL such as
                         http://mcp.acme.com:8080 gets /mcp appended; a URL ending
                         in /mcp or /sse is used as is (/sse = HTTP+SSE transport).
  --api-key <token>      sent as "Authorization: Bearer <token>" [MCP_API_KEY]
  --timeout <seconds>    per-request timeout, default ${DEFAULT_TIMEOUT_SECONDS} [MCP_TIMEOUT]
  --header "Name: value" extra HTTP header, repeatable [MCP_HEADERS: "Name: value"
                         pairs separated by newlines or ";", or a JSON object]
  --insecure             do not verify TLS certificates (self-signed) [MCP_VERIFY_TLS=false]
  --log-level <level>    error | warn | info | debug, default warn [MCP_BRIDGE_LOG_LEVEL]
  --help                 show this help
  --version              show the version

stdout carries only JSON-RPC; logs go to stderr.
`;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the bridge (or the MCP transport) manages itself. */
const RESERVED_HEADERS = new Set(['content-type', 'accept', 'content-length', 'mcp-session-id', 'mcp-protocol-version', 'host']);

/**
 * Parses "Name: value" pairs (newline or ';' separated) or a JSON object of strings.
 * @param {string} text
 * @param {string} source  where the text came from, for error messages
 * @returns {Record<string, string>}
 */
export function parseHeaders(text, source) {
  /** @type {Record<string, string>} */
  const out = {};
  const trimmed = text.trim();
  if (trimmed === '') return out;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigError(`${source} looks like JSON but does not parse: write a JSON object such as {"X-Team": "finops"}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`${source} must be a JSON object of header names to string values`);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') {
        throw new ConfigError(`${source}: the value of header "${name}" must be a string`);
      }
      addHeader(out, name, value, source);
    }
    return out;
  }
  for (const pair of trimmed.split(/\r?\n|;/)) {
    if (pair.trim() === '') continue;
    const colon = pair.indexOf(':');
    if (colon <= 0) {
      throw new ConfigError(`${source}: "${pair.trim()}" is not a header; write "Name: value"`);
    }
    addHeader(out, pair.slice(0, colon), pair.slice(colon + 1), source);
  }
  return out;
}

/**
 * @param {Record<string, string>} out
 * @param {string} rawName
 * @param {string} rawValue
 * @param {string} source
 */
function addHeader(out, rawName, rawValue, source) {
  const name = rawName.trim();
  const value = rawValue.trim();
  if (!HEADER_NAME.test(name)) {
    throw new ConfigError(`${source}: "${name}" is not a valid HTTP header name`);
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new ConfigError(`${source}: header "${name}" is managed by the bridge and cannot be set`);
  }
  if (/[\r\n\0]/.test(value)) {
    throw new ConfigError(`${source}: the value of header "${name}" contains a line break`);
  }
  out[name] = value;
}

/**
 * Normalises the server URL: base URL → /mcp appended; /mcp or /sse → as is.
 * @param {string} raw
 * @param {string} source
 * @returns {{ url: URL, transport: 'streamable-http' | 'sse', sseFallbackUrl: URL | undefined }}
 */
export function resolveServerUrl(raw, source) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${source} is not a valid URL: "${raw}"; expected something like http://mcp.acme.com:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${source} must start with http:// or https:// (got "${url.protocol}")`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/sse$/.test(path)) {
    url.pathname = path;
    return { url, transport: 'sse', sseFallbackUrl: undefined };
  }
  if (!/\/mcp$/.test(path)) {
    url.pathname = `${path}/mcp`;
  } else {
    url.pathname = path;
  }
  const sse = new URL(url.href);
  sse.pathname = url.pathname.replace(/\/mcp$/, '/sse');
  return { url, transport: 'streamable-http', sseFallbackUrl: sse };
}

/**
 * @param {string} raw
 * @param {string} source
 * @returns {number} milliseconds
 */
function parseTimeout(raw, source) {
  const trimmed = raw.trim();
  const seconds = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(`${source} must be a positive number of seconds (got "${raw}")`);
  }
  return Math.round(seconds * 1000);
}

/**
 * @param {string} raw
 * @param {string} source
 * @returns {boolean}
 */
function parseBool(raw, source) {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${source} must be true or false (got "${raw}")`);
}

/**
 * @param {string} raw
 * @param {string} source
 * @returns {LogLevel}
 */
function parseLogLevel(raw, source) {
  const v = raw.trim().toLowerCase();
  const found = LOG_LEVELS.find((level) => level === v);
  if (found === undefined) {
    throw new ConfigError(`${source} must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  }
  return found;
}

/**
 * @typedef {object} Flags
 * @property {string} [url]
 * @property {string} [apiKey]
 * @property {string} [timeout]
 * @property {string[]} headers
 * @property {boolean} insecure
 * @property {string} [logLevel]
 * @property {boolean} help
 * @property {boolean} version
 */

/** @type {Record<string, 'url' | 'apiKey' | 'timeout' | 'logLevel' | 'header'>} */
const VALUE_FLAGS = {
  '--url': 'url',
  '--api-key': 'apiKey',
  '--timeout': 'timeout',
  '--log-level': 'logLevel',
  '--header': 'header',
};

/**
 * @param {readonly string[]} argv  arguments after the script name
 * @returns {Flags}
 */
export function parseFlags(argv) {
  /** @type {Flags} */
  const flags = { headers: [], insecure: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      flags.version = true;
      continue;
    }
    if (arg === '--insecure') {
      flags.insecure = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[name];
    if (key === undefined) {
      throw new ConfigError(`unknown option "${arg}"; run with --help to see the options`);
    }
    /** @type {string | undefined} */
    let value;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) {
      throw new ConfigError(`option ${name} needs a value`);
    }
    if (key === 'header') flags.headers.push(value);
    else flags[key] = value;
  }
  return flags;
}

/**
 * Builds the configuration from argv and env. Flags win over env.
 * @param {readonly string[]} argv
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {CliAction}
 */
export function loadConfig(argv, env) {
  const flags = parseFlags(argv);
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };

  const rawUrl = flags.url ?? env['MCP_SERVER_URL'];
  const urlSource = flags.url !== undefined ? '--url' : 'MCP_SERVER_URL';
  if (rawUrl === undefined || rawUrl.trim() === '') {
    throw new ConfigError('MCP_SERVER_URL is not set: set it (or pass --url) to the MCP server, e.g. http://mcp.acme.com:8080');
  }
  const { url, transport, sseFallbackUrl } = resolveServerUrl(rawUrl, urlSource);

  /** @type {Record<string, string>} */
  const headers = {};
  const envHeaders = env['MCP_HEADERS'];
  if (envHeaders !== undefined) Object.assign(headers, parseHeaders(envHeaders, 'MCP_HEADERS'));
  for (const h of flags.headers) {
    const parsed = parseHeaders(h, '--header');
    for (const [name, value] of Object.entries(parsed)) {
      for (const existing of Object.keys(headers)) {
        if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      }
      headers[name] = value;
    }
  }

  const apiKey = flags.apiKey ?? env['MCP_API_KEY'];
  if (apiKey !== undefined && apiKey.trim() !== '') {
    if (/[\r\n\0]/.test(apiKey)) {
      throw new ConfigError(`${flags.apiKey !== undefined ? '--api-key' : 'MCP_API_KEY'} contains a line break`);
    }
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === 'authorization') delete headers[existing];
    }
    headers['Authorization'] = `Bearer ${apiKey.trim()}`;
  }

  /** @type {number} */
  let timeoutMs = DEFAULT_TIMEOUT_SECONDS * 1000;
  if (flags.timeout !== undefined) timeoutMs = parseTimeout(flags.timeout, '--timeout');
  else if (env['MCP_TIMEOUT'] !== undefined && env['MCP_TIMEOUT'] !== '') timeoutMs = parseTimeout(env['MCP_TIMEOUT'], 'MCP_TIMEOUT');

  let verifyTls = true;
  if (flags.insecure) verifyTls = false;
  else if (env['MCP_VERIFY_TLS'] !== undefined && env['MCP_VERIFY_TLS'] !== '') verifyTls = parseBool(env['MCP_VERIFY_TLS'], 'MCP_VERIFY_TLS');

  /** @type {LogLevel} */
  let logLevel = 'warn';
  if (flags.logLevel !== undefined) logLevel = parseLogLevel(flags.logLevel, '--log-level');
  else if (env['MCP_BRIDGE_LOG_LEVEL'] !== undefined && env['MCP_BRIDGE_LOG_LEVEL'] !== '') logLevel = parseLogLevel(env['MCP_BRIDGE_LOG_LEVEL'], 'MCP_BRIDGE_LOG_LEVEL');

  return { kind: 'run', config: { url, transport, sseFallbackUrl, headers, timeoutMs, verifyTls, logLevel } };
}
