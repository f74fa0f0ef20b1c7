/** Shared test wiring: config, capturing logger, services over a FakeGateway. */
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import type { ResultCache } from '../../src/cache/types.js';
import { createAccountDirectory, type ManagedAccountDirectory } from '../../src/accounts/directory.js';
import { createInventoryService } from '../../src/scan/orchestrator.js';
import type { InventoryService } from '../../src/scan/types.js';
import { FakeGateway, type FakeOptions } from './fake-gateway.js';

export interface LogLine {
  level: 'info' | 'debug' | 'warn' | 'error';
  obj: unknown;
  msg: string | undefined;
}

export function captureLogger(): { logger: { info: (...a: unknown[]) => void; debug: (...a: unknown[]) => void; warn: (...a: unknown[]) => void; error: (...a: unknown[]) => void }; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (...args: unknown[]): void => {
      const [first, second] = args;
      lines.push(typeof first === 'string' ? { level, obj: {}, msg: first } : { level, obj: first, msg: typeof second === 'string' ? second : undefined });
    };
  return { logger: { info: at('info'), debug: at('debug'), warn: at('warn'), error: at('error') }, lines };
}

function merge(base: unknown, patch: unknown): unknown {
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(base) || !plain(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base[k], v);
  return out;
}

/** testConfig with multi-account on and short limits, deep-merged with `overrides`. */
export function scanConfig(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  const base = testConfig({
    multi_account: { enabled: true, max_concurrent_accounts: 5, account_scan_timeout_seconds: 30 },
    scan: { max_concurrent_cells_per_account: 4 },
    cache: { ttl_seconds: 3600, cost_ttl_seconds: 86400, max_bytes: 16 * 1024 * 1024 },
  });
  return merge(base, overrides) as AppConfig;
}

export interface Harness {
  gateway: FakeGateway;
  cache: ResultCache;
  accounts: ManagedAccountDirectory;
  inventory: InventoryService;
  config: AppConfig;
  lines: LogLine[];
}

export function harness(fake: FakeOptions, overrides: DeepPartial<AppConfig> = {}, opts: { cache?: ResultCache; credentialTimeoutMs?: number } = {}): Harness {
  const gateway = new FakeGateway(fake);
  const ids = Object.keys(fake.accounts).filter((id) => id !== fake.local);
  const config = scanConfig(merge({ multi_account: { account_ids: ids } }, overrides) as DeepPartial<AppConfig>);
  const cache = opts.cache ?? createResultCache(createMemoryStore({ maxBytes: config.cache.max_bytes }));
  const { logger, lines } = captureLogger();
  const accounts = createAccountDirectory({ gateway, cache, config, logger });
  const inventory = createInventoryService({ gateway, cache, accounts, config, logger, ...(opts.credentialTimeoutMs === undefined ? {} : { credentialTimeoutMs: opts.credentialTimeoutMs }) });
  return { gateway, cache, accounts, inventory, config, lines };
}
