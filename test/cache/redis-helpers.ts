/**
 * Redis for tests: the shared server at 127.0.0.1:6379 (skipped with a notice when absent, a
 * failure when CI=true), private redis-server processes on free ports, per-run key prefixes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import type { Simulator } from '../../src/simulator/types.js';

/** The shared test Redis (TEST_REDIS_URL overrides, e.g. to try the skip path). */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run shares. */
export function runPrefix(area: string): string {
  return `test:${area}:${process.pid}-${randomUUID().slice(0, 8)}:`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** A real PING round trip (a bare TCP connect can be faked by network interceptors such as nock). */
async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * true when the shared Redis answers. Otherwise: CI=true fails the test, elsewhere the caller
 * skips (with a visible notice).
 */
export async function sharedRedisOrSkip(t: Test, what: string): Promise<boolean> {
  if (await redisAnswers(SHARED_REDIS_URL)) return true;
  if (process.env.CI === 'true') {
    t.fail(`Redis is required at ${SHARED_REDIS_URL} in CI (${what})`);
    return false;
  }
  console.error(`# SKIPPED ${what}: no Redis at ${SHARED_REDIS_URL}`);
  t.skip(`no Redis at ${SHARED_REDIS_URL}: ${what} not run`, async () => undefined);
  return false;
}

/** Whether a redis-server binary can be started (private-server tests). */
export async function redisServerOrSkip(t: Test, what: string): Promise<boolean> {
  const ok = await new Promise<boolean>((resolve) => {
    const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    p.once('error', () => resolve(false));
    p.once('exit', (code) => resolve(code === 0));
  });
  if (ok) return true;
  if (process.env.CI === 'true') {
    t.fail(`redis-server is required in CI (${what})`);
    return false;
  }
  console.error(`# SKIPPED ${what}: no redis-server binary`);
  t.skip(`no redis-server binary: ${what} not run`, async () => undefined);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Kill the server (SIGKILL: a crash, not a shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** TLS files for a private server (the port then speaks TLS only). */
export interface PrivateTls {
  cert: string;
  key: string;
}

/** A throwaway redis-server on a free port, no persistence. */
export async function startPrivateRedis(extraArgs: string[] = [], tls?: PrivateTls): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const listen = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no'];
  const start = async (): Promise<void> => {
    const p = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
    child = p;
    for (let i = 0; i < 100; i++) {
      if (await portOpen(port)) return;
      if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not listen on ${port}`);
  };
  const kill = async (): Promise<void> => {
    const p = child;
    child = null;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  return { port, url: `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}`, kill, restart: start, stop: kill };
}

/** Remove every key under `prefix` (entries and locks) with a short-lived client. */
export async function purge(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await admin.connect();
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

/** Poll `check` every 50 ms until it holds (at most `attempts` times). */
export async function eventually(check: () => Promise<boolean> | boolean, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** One replica: the whole app on its own port, pointed at a simulator and a Redis. */
export interface Replica {
  app: FastifyInstance;
  base: string;
  post(tool: string, args: object): Promise<{ status: number; body: Record<string, unknown> }>;
  health(): Promise<{ status: string; cache: { backend: string | null; status: string } }>;
}

export async function startReplica(sim: Simulator, redisUrl: string, prefix: string, config: DeepPartial<AppConfig> = {}): Promise<Replica> {
  const app = await buildApp({
    config: testConfig({
      aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, region: 'us-east-1', request_timeout_ms: 10_000, max_attempts: 2 },
      cache: { redis_url: redisUrl, redis_key_prefix: prefix, redis_connect_timeout_ms: 2000, redis_command_timeout_ms: 1000 },
      ...config,
    }),
    logger: false,
    policy: { watch: false },
    health: { probeWaitMs: 2000 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    app,
    base,
    async post(tool, args) {
      const res = await fetch(`${base}/tools/${tool}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async health() {
      const res = await fetch(`${base}/health`);
      return (await res.json()) as { status: string; cache: { backend: string | null; status: string } };
    },
  };
}

/** The simulator calls that read inventory, regions or costs (what the result cache saves). */
export const CACHED_OPERATIONS = ['ec2:DescribeRegions', 'ec2:DescribeInstances', 's3:ListBuckets', 'ce:GetCostAndUsage'];

export function cachedCalls(sim: Simulator): Record<string, number> {
  const calls = sim.stats().calls;
  return Object.fromEntries(CACHED_OPERATIONS.map((op) => [op, calls[op] ?? 0]));
}

/** A compliance answer without the parts that differ between two identical scans. */
export function comparable(body: Record<string, unknown>): Record<string, unknown> {
  const { scan_timestamp: _ts, snapshot_id: _id, ...rest } = body;
  return rest;
}
