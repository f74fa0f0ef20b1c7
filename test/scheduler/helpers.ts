/**
 * Scheduler test helpers (not a test file): a movable clock, a loopback webhook receiver that
 * records what it is sent, an app over the simulator's demo organization with that clock and
 * captured JSON logs, and the wall-clock "HH:MM" a few minutes ahead in a zone.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import { buildApp } from '../../src/app.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { localParts } from '../../src/scheduler/next-run.js';
import type { Simulator } from '../../src/simulator/types.js';

export class Clock {
  private t: number;
  constructor(start: Date) {
    this.t = start.getTime();
  }
  now = (): Date => new Date(this.t);
  set(at: Date): void {
    this.t = at.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Real time floored to the minute (credentials issued by the simulator stay valid). */
export function minuteNow(): Date {
  return new Date(Math.floor(Date.now() / 60_000) * 60_000);
}

/** Local HH:MM in `zone` of `at`. */
export function wallTime(at: Date, zone: string): string {
  const l = localParts(at.getTime(), zone);
  return `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer (default 200); `hang` never answers. */
  respond: { status: number; hang: boolean };
  close(): Promise<void>;
}

export async function webhookReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const respond = { status: 200, hang: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      if (respond.hang) return;
      res.writeHead(respond.status, { 'content-type': 'text/plain' }).end(respond.status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** Pino options writing JSON lines into `lines` (Fastify passes `stream` to pino). */
export function capturedLogger(lines: LogLine[]): LoggerOptions {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { level: 'info', stream } as unknown as LoggerOptions;
}

/** The app over the demo organization with a movable clock; loopback webhooks allowed, timer effectively off (tests tick). */
export async function schedulerApp(sim: Simulator, clock: Clock, overrides: DeepPartial<AppConfig> = {}, extra: { logs?: LogLine[]; instanceId?: string } = {}): Promise<FastifyInstance> {
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'organizations' },
    ...overrides,
    scheduler: { webhook_allow_loopback: true, tick_seconds: 3600, webhook_timeout_ms: 2000, ...overrides.scheduler },
  });
  const app = await buildApp({
    config,
    logger: extra.logs === undefined ? false : capturedLogger(extra.logs),
    policy: { watch: false },
    now: clock.now,
    ...(extra.instanceId === undefined ? {} : { scheduler: { instanceId: extra.instanceId } }),
  });
  await app.ready();
  return app;
}

export async function call(app: FastifyInstance, name: string, args: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.inject({ method: 'POST', url: `/tools/${name}`, payload: JSON.stringify(args), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
