/**
 * Security test helpers: a secret scan over response bodies and captured log lines, a logger
 * that captures every line (nothing reaches stdout), and apps built with buildApp (every
 * security plugin) around the transport test tools or the simulator. Every captured log line
 * and every response of a securedApp also goes through the file's secret guard
 * (test/helpers/secret-guard.ts), which fails the test file if a secret ever left the server.
 */
import type { FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { loggerOptions } from '../../src/logging.js';
import { MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY } from '../../src/simulator/state.js';
import type { AnyTool } from '../../src/tools/types.js';
import { fakeContext, testTools } from '../mcp/fixtures.js';
import { fileSecretGuard, SECRET_PATTERNS } from '../helpers/secret-guard.js';

export const KEYS = {
  alice: 'alice-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
};
export const API_KEYS = [
  { id: 'alice', key: KEYS.alice },
  { id: 'admin', key: KEYS.admin },
];

export interface SecretScan {
  /** Assert that `text` holds no secret; `label` says where it came from. */
  check(t: Test, label: string, text: string): void;
  /** How many texts were scanned (so a test can prove the scan ran). */
  scanned(): number;
}

/** Scans for the known literal secrets (API keys, simulator secret) and the credential patterns. */
export function secretScan(extra: readonly string[] = []): SecretScan {
  const literals = [...Object.values(KEYS), MANAGEMENT_SECRET_ACCESS_KEY, MANAGEMENT_ACCESS_KEY_ID, ...extra];
  let count = 0;
  return {
    check(t, label, text) {
      count += 1;
      const found = [...literals.filter((s) => text.includes(s)).map(() => 'a literal secret'), ...SECRET_PATTERNS.filter((p) => p.test(text)).map((p) => String(p))];
      t.same(found, [], `no secret in ${label}`);
    },
    scanned: () => count,
  };
}

/** pino options that capture every line into `lines` and write nothing (each line is secret-scanned). */
export function capturingLogger(lines: string[], level: AppConfig['log_level'] = 'debug'): LoggerOptions {
  const guard = fileSecretGuard();
  guard.addLiterals(...Object.values(KEYS));
  return guard.loggerOptions(loggerOptions({ log_level: level }), lines);
}

export interface SecuredApp {
  app: FastifyInstance;
  lines: string[];
}

/** buildApp with the transport test tools (echo_scope scans; the others do not) and a fake context. */
export async function securedApp(overrides: DeepPartial<AppConfig> = {}, tools: AnyTool[] = testTools): Promise<SecuredApp> {
  const lines: string[] = [];
  const config = testConfig(overrides);
  const app = await buildApp({ config, logger: capturingLogger(lines), tools, contextFactory: fakeContext, policy: { watch: false } });
  const guard = fileSecretGuard();
  guard.addLiterals(...config.auth.api_keys.map((k) => k.key));
  guard.watch(app);
  await app.ready();
  return { app, lines };
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Parsed JSON log lines that are audit events. */
export function auditLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === true);
}
