/** Configuration: loading from the environment, the test helper and the variable table. */
import { ENV_VARS } from './env-schema.js';
import { isLoopback, loadConfig } from './load.js';
import type { AppConfig } from './types.js';

export { loadConfig, isLoopback, deriveKeyId, parseApiKeys, type Env } from './load.js';
export type { AppConfig } from './types.js';

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * A valid configuration for tests: the defaults of an empty environment, quiet logs and an
 * in-memory history database, deep-merged with `overrides` (arrays and nulls replace).
 */
export function testConfig(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  const base = loadConfig({});
  base.log_level = 'silent';
  base.history.db_path = ':memory:';
  // Suites other than test/security hammer one app: no rate limits or load shedding unless asked.
  if (base.security !== undefined) {
    base.security.rate_limit_per_minute = 0;
    base.security.rate_limit_scans_per_minute = 0;
    base.security.max_event_loop_delay_ms = 0;
  }
  return deepMerge(base, overrides) as AppConfig;
}

export interface ConfigVariable {
  name: string;
  aliases: string[];
  default: string | null;
  description: string;
  allowed: string;
}

/** Every environment variable with its default and description (the README table). */
export function describeConfig(): ConfigVariable[] {
  return ENV_VARS.map((v) => ({
    name: v.name,
    aliases: [...v.aliases],
    default: v.default === '' ? null : v.default,
    description: v.description,
    allowed: v.expect,
  }));
}

/** Markdown table of describeConfig(). */
export function envTableMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = describeConfig().map((v) => {
    const name = v.aliases.length > 0 ? `\`${v.name}\` (alias ${v.aliases.map((a) => `\`${a}\``).join(', ')})` : `\`${v.name}\``;
    return `| ${name} | ${v.default === null ? '—' : `\`${esc(v.default)}\``} | ${esc(v.description)} Allowed: ${esc(v.allowed)}. |`;
  });
  return ['| Variable | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Why the server must not start with this configuration (reachable without keys), or null. */
export function startupRefusal(config: AppConfig): string | null {
  if (!isLoopback(config.host) && config.auth.mode === 'api_key' && config.auth.api_keys.length === 0) {
    return `HOST=${config.host} is reachable from other machines but no API keys are configured: set API_KEYS or API_KEYS_FILE, or AUTH_MODE=none to run without authentication (not recommended).`;
  }
  return null;
}
