/**
 * Security settings from the converted environment: the API_KEY_ACCOUNTS mapping and the
 * SecurityConfig defaults (allowed hosts follow HOST). Pure functions; only load.ts calls them.
 */
import { ConfigError } from '../core/errors.js';
import type { SecurityConfig } from './types.js';

const ACCOUNT_ID = /^[0-9]{12}$/;

function accountsOf(keyId: string, value: unknown): string[] | null {
  if (value === '*') return null;
  const list = typeof value === 'string' ? value.split('|').map((s) => s.trim()).filter((s) => s !== '') : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== 'string' || !ACCOUNT_ID.test(a))) {
    throw new ConfigError(
      `API_KEY_ACCOUNTS must give each key "*" or one or more 12-digit account ids (key id ${JSON.stringify(keyId)} has ${JSON.stringify(value)})`,
      'API_KEY_ACCOUNTS',
    );
  }
  return [...new Set(list as string[])].sort();
}

/**
 * Parse `keyid=111111111111|222222222222;keyid2=*` or the JSON object form. Every key id must
 * exist, and every configured key must be listed (no key silently gets every account).
 */
export function parseKeyAccounts(text: string, keyIds: readonly string[]): Record<string, string[] | null> {
  let entries: [string, unknown][];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigError('API_KEY_ACCOUNTS must be valid JSON when it starts with "{" (e.g. {"ci": ["111111111111"], "admin": "*"})', 'API_KEY_ACCOUNTS');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('API_KEY_ACCOUNTS must be a JSON object of key id → account list or "*"', 'API_KEY_ACCOUNTS');
    }
    entries = Object.entries(parsed);
  } else {
    entries = trimmed
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        if (eq <= 0) throw new ConfigError(`API_KEY_ACCOUNTS entries must look like keyid=111111111111|222222222222 or keyid=* (got ${JSON.stringify(part)})`, 'API_KEY_ACCOUNTS');
        return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
      });
  }
  const out: Record<string, string[] | null> = {};
  for (const [id, value] of entries) {
    if (!keyIds.includes(id)) {
      throw new ConfigError(`API_KEY_ACCOUNTS names key id ${JSON.stringify(id)}, which is not in API_KEYS or API_KEYS_FILE (key ids: ${keyIds.join(', ') || 'none'})`, 'API_KEY_ACCOUNTS');
    }
    if (id in out) throw new ConfigError(`API_KEY_ACCOUNTS lists key id ${JSON.stringify(id)} twice`, 'API_KEY_ACCOUNTS');
    out[id] = accountsOf(id, value);
  }
  const missing = keyIds.filter((id) => !(id in out));
  if (missing.length > 0) {
    throw new ConfigError(`API_KEY_ACCOUNTS must list every API key (missing: ${missing.join(', ')}); use keyid=* for a key that may scan every account`, 'API_KEY_ACCOUNTS');
  }
  return out;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Loopback names always accepted when the server is bound to loopback. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface SecurityValues {
  host: string;
  allowed_hosts: string[];
  allowed_origins: string[];
  rate_limit_per_minute: number;
  rate_limit_scans_per_minute: number;
  session_tool_call_budget: number;
  repeat_call_limit: number;
  repeat_window_seconds: number;
  audit_log_path: string | null;
  max_event_loop_delay_ms: number;
}

/**
 * ALLOWED_HOSTS default: loopback names plus the bound host when HOST is loopback; off loopback
 * without ALLOWED_HOSTS the Host header is not checked (only Origin is).
 */
export function securityConfig(v: SecurityValues): SecurityConfig {
  const { host, allowed_hosts, ...rest } = v;
  let hosts: string[] | null;
  if (allowed_hosts.length > 0) hosts = allowed_hosts.map((h) => h.toLowerCase());
  else if (isLoopbackHost(host)) hosts = [...new Set([...LOOPBACK_HOSTS, host.toLowerCase()])];
  else hosts = null;
  return { ...rest, allowed_hosts: hosts, allowed_origins: v.allowed_origins.map((o) => o.toLowerCase()) };
}

/** The settings of an empty environment with this HOST (for configs built without loadConfig). */
export function defaultSecurity(host: string): SecurityConfig {
  return securityConfig({
    host,
    allowed_hosts: [],
    allowed_origins: [],
    rate_limit_per_minute: 120,
    rate_limit_scans_per_minute: 30,
    session_tool_call_budget: 500,
    repeat_call_limit: 5,
    repeat_window_seconds: 600,
    audit_log_path: null,
    max_event_loop_delay_ms: 1000,
  });
}

/** AUTH_MODE=oauth settings: issuer and audience required, JWKS defaulting under the issuer. */
export function oauthSettings(values: Record<string, unknown>): { issuer: string; audience: string; jwks_url: string } {
  const issuer = values.OAUTH_ISSUER;
  const audience = values.OAUTH_AUDIENCE;
  if (typeof issuer !== 'string' || typeof audience !== 'string') {
    throw new ConfigError('AUTH_MODE=oauth requires OAUTH_ISSUER (the authorization server URL) and OAUTH_AUDIENCE (this server\'s resource URL)', 'AUTH_MODE');
  }
  const jwks = typeof values.OAUTH_JWKS_URL === 'string' ? values.OAUTH_JWKS_URL : `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  return { issuer, audience, jwks_url: jwks };
}
