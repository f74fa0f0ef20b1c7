/**
 * The app the fuzz suites attack: the REAL app (buildApp, every plugin, the real tool runner and
 * AWS SDK gateway) over a trimmed copy of the simulator's demo organization (management,
 * production, staging and the untrusted "legacy" account; two regions; a few resources each), so
 * valid inputs run real handlers and scans quickly. API-key auth is on (the fuzzer sends a key);
 * rate limits, MCP session budgets and load shedding are off so every input reaches the tools.
 * Every response and log line goes through the file's secret guard.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { loggerOptions } from '../../src/logging.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimFixture, Simulator } from '../../src/simulator/types.js';
import { fileSecretGuard, type SecretGuard } from './secret-guard.js';

export const FUZZ_KEY = 'fuzz-key-5b0c1e7a9f3d2e4c';
export const FUZZ_REGIONS = ['us-east-1', 'eu-west-1'];
const KEEP = new Set<string>([DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging, DEMO_ACCOUNTS.legacy]);

/** The demo organization cut down to four accounts, two regions and at most 15 resources an account. */
export function fuzzFixture(): SimFixture {
  const demo = demoOrganization();
  return {
    ...demo,
    regions: FUZZ_REGIONS,
    accounts: demo.accounts
      .filter((a) => KEEP.has(a.id))
      .map((a) => {
        const { regions: _omit, ...rest } = a;
        return { ...rest, resources: a.resources.filter((r) => FUZZ_REGIONS.includes(r.region) || r.region === 'global').slice(0, 15) };
      }),
  };
}

export interface FuzzApp {
  app: FastifyInstance;
  sim: Simulator;
  secrets: SecretGuard;
  /** Authorization header for the fuzzer. */
  headers: Record<string, string>;
  /** Log lines at level error or above, and warnings that a tool answered outside its output schema. */
  problems: string[];
  close(): Promise<void>;
}

export async function startFuzzApp(): Promise<FuzzApp> {
  const sim = await startSimulator({ fixture: fuzzFixture(), port: 0, host: '127.0.0.1' });
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, request_timeout_ms: 10_000, max_attempts: 2 },
    multi_account: { enabled: true, discovery: 'organizations' },
    auth: { mode: 'api_key', api_keys: [{ id: 'fuzzer', key: FUZZ_KEY }] },
    security: { rate_limit_per_minute: 0, rate_limit_scans_per_minute: 0, session_tool_call_budget: 0, repeat_call_limit: 0, max_event_loop_delay_ms: 0 },
  });
  const secrets = fileSecretGuard();
  secrets.addLiterals(FUZZ_KEY);
  const problems: string[] = [];
  const watchLine = (line: string): void => {
    if (problems.length >= 100) return;
    const entry = JSON.parse(line) as { level?: number; msg?: string };
    if ((entry.level ?? 0) >= 50 || /output schema/.test(entry.msg ?? '')) problems.push(line.slice(0, 2000));
  };
  let app: FastifyInstance;
  try {
    app = await buildApp({ config, logger: secrets.loggerOptions(loggerOptions({ log_level: 'info' }), watchLine), policy: { watch: false } });
    secrets.watch(app);
    await app.ready();
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    app,
    sim,
    secrets,
    headers: { authorization: `Bearer ${FUZZ_KEY}` },
    problems,
    async close() {
      try {
        // Connections that turn idle after close() started (ended MCP/SSE streams) would otherwise be
        // kept until the 72 s keep-alive timeout (see the report of the fuzz work).
        const closing = app.close();
        app.server.closeAllConnections();
        await closing;
      } finally {
        await sim.stop();
      }
    },
  };
}

/** Own property names of the built-in prototypes (compared before and after a fuzz run). */
export function prototypeSnapshot(): Record<string, string[]> {
  const names = (o: object): string[] => Object.getOwnPropertyNames(o).sort();
  return {
    object: names(Object.prototype),
    array: names(Array.prototype),
    function: names(Function.prototype),
    string: names(String.prototype),
  };
}

/** Keys a polluted prototype would show on a fresh object. */
export function pollutedKeys(): string[] {
  const probe: Record<string, unknown> = {};
  const out: string[] = [];
  for (const k of ['polluted', 'isAdmin', 'x', 'a', 'value']) if (probe[k] !== undefined) out.push(k);
  for (const k in probe) out.push(k);
  return out;
}
