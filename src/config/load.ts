/**
 * `loadConfig(env)`: the only code that reads environment variables. Converts every variable of
 * ENV_VARS, validates the result against the one EnvSchema and builds the AppConfig. A bad value
 * throws ConfigError naming the variable, what is allowed and what was given.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Compile } from 'typebox/compile';
import { ConfigError } from '../core/errors.js';
import { ENV_VARS, EnvSchema, type EnvVar } from './env-schema.js';
import { oauthSettings, parseKeyAccounts, securityConfig } from './security.js';
import type { AppConfig, AuthConfig, LogLevel } from './types.js';

export type Env = Record<string, string | undefined>;

const validator = Compile(EnvSchema);
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

interface RawValue {
  /** The variable the value came from (canonical name or alias). */
  source: string;
  text: string;
}

function label(v: EnvVar, raw: RawValue): string {
  return raw.source === v.name ? v.name : `${raw.source} (alias of ${v.name})`;
}

function fail(v: EnvVar, raw: RawValue, got: string = raw.text): never {
  throw new ConfigError(`${label(v, raw)} must be ${v.expect} (got ${JSON.stringify(got)})`, raw.source);
}

function readRaw(env: Env, v: EnvVar): RawValue | undefined {
  for (const name of [v.name, ...v.aliases]) {
    const text = env[name];
    if (text !== undefined && text.trim() !== '') return { source: name, text: text.trim() };
  }
  return undefined;
}

function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

function convert(v: EnvVar, raw: RawValue): unknown {
  switch (v.kind) {
    case 'int':
      if (!/^-?\d+$/.test(raw.text)) fail(v, raw);
      return Number(raw.text);
    case 'bool': {
      const t = raw.text.toLowerCase();
      if (TRUE.has(t)) return true;
      if (FALSE.has(t)) return false;
      return fail(v, raw);
    }
    case 'enum':
      return raw.text.toLowerCase();
    case 'list':
      return splitList(raw.text);
    default:
      return raw.text;
  }
}

/** Converted values by canonical name, validated against EnvSchema. */
function readEnv(env: Env): { values: Record<string, unknown>; raws: Map<string, RawValue> } {
  const values: Record<string, unknown> = {};
  const raws = new Map<string, RawValue>();
  for (const v of ENV_VARS) {
    const raw = readRaw(env, v) ?? (v.default === '' ? undefined : { source: v.name, text: v.default });
    if (raw === undefined) continue;
    raws.set(v.name, raw);
    values[v.name] = convert(v, raw);
  }
  for (const error of validator.Errors(values)) {
    const [, name, index] = error.instancePath.split('/');
    const v = ENV_VARS.find((x) => x.name === name);
    const raw = name === undefined ? undefined : raws.get(name);
    if (v === undefined || raw === undefined) continue;
    const value = values[v.name];
    const item = index !== undefined && Array.isArray(value) ? value[Number(index)] : undefined;
    fail(v, raw, typeof item === 'string' ? item : raw.text);
  }
  return { values, raws };
}

/** `key-` + first 6 hex chars of sha256(key): a stable id that never reveals the key. */
export function deriveKeyId(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;
}

/** Parse API key entries (`id:key` or bare `key`). `source` names the variable for errors. */
export function parseApiKeys(entries: string[], source: string): { id: string; key: string }[] {
  const keys: { id: string; key: string }[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? null : entry.slice(0, colon).trim();
    const key = colon === -1 ? entry : entry.slice(colon + 1).trim();
    if (id === '' || key.length < 16) {
      throw new ConfigError(`${source} entries must be id:key or key, with keys of at least 16 characters (an entry of ${source} is invalid; the key itself is not shown)`, source);
    }
    const finalId = id ?? deriveKeyId(key);
    if (keys.some((k) => k.id === finalId)) {
      throw new ConfigError(`${source} must not repeat a key id (duplicate id ${JSON.stringify(finalId)})`, source);
    }
    keys.push({ id: finalId, key });
  }
  return keys;
}

function readKeysFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new ConfigError(`API_KEYS_FILE must name a readable file (got ${JSON.stringify(path)}: ${code})`, 'API_KEYS_FILE');
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function auth(values: Record<string, unknown>, host: string): AuthConfig {
  const keys = [
    ...parseApiKeys(typeof values.API_KEYS === 'string' ? splitList(values.API_KEYS) : [], 'API_KEYS'),
    ...(typeof values.API_KEYS_FILE === 'string' ? parseApiKeys(readKeysFile(values.API_KEYS_FILE), 'API_KEYS_FILE') : []),
  ];
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new ConfigError(`API_KEYS and API_KEYS_FILE must not repeat a key id (duplicate id ${JSON.stringify(k.id)})`, 'API_KEYS');
    ids.add(k.id);
  }
  const explicit = values.AUTH_MODE;
  if (explicit === 'api_key' && keys.length === 0) {
    throw new ConfigError('AUTH_MODE=api_key requires API_KEYS or API_KEYS_FILE (got no keys)', 'AUTH_MODE');
  }
  if (explicit === 'oauth') return { mode: 'oauth', api_keys: keys, oauth: oauthSettings(values) };
  const mode = explicit === 'none' || explicit === 'api_key' ? explicit : keys.length > 0 || !isLoopback(host) ? 'api_key' : 'none';
  if (typeof values.API_KEY_ACCOUNTS === 'string') {
    return { mode, api_keys: keys, key_accounts: parseKeyAccounts(values.API_KEY_ACCOUNTS, keys.map((k) => k.id)) };
  }
  return { mode, api_keys: keys };
}

type Values = Record<string, unknown>;
/** Typed reads of converted values; variables with a default are always present. */
function getter(e: Values) {
  const present = (k: string): unknown => {
    if (e[k] === undefined) throw new Error(`configuration variable ${k} has no value and no default`);
    return e[k];
  };
  return {
    str: (k: string): string => String(present(k)),
    num: (k: string): number => Number(present(k)),
    bool: (k: string): boolean => e[k] === true,
    strs: (k: string): string[] => (Array.isArray(e[k]) ? e[k].filter((x): x is string => typeof x === 'string') : []),
    opt: (k: string): string | null => (typeof e[k] === 'string' ? e[k] : null),
  };
}

export function loadConfig(env: Env): AppConfig {
  const { values: e } = readEnv(env);
  const { str, num, bool, strs, opt } = getter(e);
  const host = str('HOST');
  const allowed = strs('ALLOWED_REGIONS');
  return {
    port: num('PORT'),
    host,
    log_level: str('LOG_LEVEL') as LogLevel,
    policy_path: str('POLICY_PATH'),
    policy_import_writes: bool('POLICY_IMPORT_WRITES'),
    aws: {
      region: str('AWS_REGION'),
      endpoint_url: opt('AWS_ENDPOINT_URL'),
      allowed_regions: allowed.length > 0 ? allowed : null,
      request_timeout_ms: num('AWS_REQUEST_TIMEOUT_MS'),
      max_attempts: num('AWS_MAX_ATTEMPTS'),
      max_sockets: num('AWS_MAX_SOCKETS'),
      credentials: null,
    },
    multi_account: {
      enabled: bool('MULTI_ACCOUNT_ENABLED'),
      account_ids: strs('AWS_ACCOUNT_IDS'),
      exclude: strs('AWS_ACCOUNTS_EXCLUDE'),
      role_name: str('AWS_ASSUME_ROLE_NAME'),
      role_arn_template: str('AWS_ASSUME_ROLE_ARN_TEMPLATE'),
      external_id: opt('AWS_ASSUME_ROLE_EXTERNAL_ID'),
      session_duration_seconds: num('AWS_ASSUME_ROLE_SESSION_DURATION'),
      max_concurrent_accounts: num('MAX_CONCURRENT_ACCOUNTS'),
      account_scan_timeout_seconds: num('ACCOUNT_SCAN_TIMEOUT_SECONDS'),
      discovery: str('AWS_ACCOUNT_DISCOVERY') === 'organizations' ? 'organizations' : 'static',
      organization_unit_ids: strs('AWS_ORGANIZATION_UNIT_IDS'),
      discovery_ttl_seconds: num('ACCOUNT_DISCOVERY_TTL_SECONDS'),
    },
    scan: { max_concurrent_cells_per_account: num('MAX_CONCURRENT_CELLS_PER_ACCOUNT') },
    cache: {
      redis_url: opt('REDIS_URL'),
      ttl_seconds: num('COMPLIANCE_CACHE_TTL_SECONDS'),
      cost_ttl_seconds: num('COST_CACHE_TTL_SECONDS'),
      max_bytes: num('CACHE_MAX_MB') * 1024 * 1024,
      redis_connect_timeout_ms: num('REDIS_CONNECT_TIMEOUT_MS'),
      redis_command_timeout_ms: num('REDIS_COMMAND_TIMEOUT_MS'),
      redis_key_prefix: str('REDIS_KEY_PREFIX'),
    },
    history: {
      db_path: str('HISTORY_DB_PATH'),
      database_url: opt('HISTORY_DATABASE_URL'),
      retention_days: num('HISTORY_RETENTION_DAYS'),
    },
    mcp: {
      session_idle_seconds: num('MCP_SESSION_IDLE_SECONDS'),
      max_sessions: num('MCP_MAX_SESSIONS'),
      stateless: bool('MCP_STATELESS'),
    },
    auth: auth(e, host),
    metrics: { public: bool('METRICS_PUBLIC'), account_label_limit: num('METRICS_ACCOUNT_LABEL_LIMIT') },
    scheduler: {
      enabled: bool('SCHEDULER_ENABLED'),
      tick_seconds: num('SCHEDULER_TICK_SECONDS'),
      grace_minutes: num('SCHEDULER_GRACE_MINUTES'),
      max_audits_per_principal: num('SCHEDULER_MAX_AUDITS_PER_PRINCIPAL'),
      webhook_timeout_ms: num('WEBHOOK_TIMEOUT_MS'),
      webhook_allowed_hosts: strs('AUDIT_WEBHOOK_ALLOWED_HOSTS').length > 0 ? strs('AUDIT_WEBHOOK_ALLOWED_HOSTS').map((h) => h.toLowerCase()) : null,
      webhook_allow_loopback: bool('AUDIT_WEBHOOK_ALLOW_LOOPBACK'),
      smtp_url: opt('AUDIT_SMTP_URL'),
      email_from: str('AUDIT_EMAIL_FROM'),
    },
    security: securityConfig({
      host,
      allowed_hosts: strs('ALLOWED_HOSTS'),
      allowed_origins: strs('ALLOWED_ORIGINS'),
      rate_limit_per_minute: num('RATE_LIMIT_PER_MINUTE'),
      rate_limit_scans_per_minute: num('RATE_LIMIT_SCANS_PER_MINUTE'),
      session_tool_call_budget: num('MCP_SESSION_TOOL_CALL_BUDGET'),
      repeat_call_limit: num('MCP_REPEAT_CALL_LIMIT'),
      repeat_window_seconds: num('MCP_REPEAT_WINDOW_SECONDS'),
      audit_log_path: opt('AUDIT_LOG_PATH'),
      max_event_loop_delay_ms: num('MAX_EVENT_LOOP_DELAY_MS'),
    }),
  };
}
