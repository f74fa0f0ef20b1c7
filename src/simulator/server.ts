/**
 * The simulator's HTTP server: parses each request, identifies caller/service/region from the SigV4
 * credential scope, applies faults (hang, latency, throttling, access denied, expiring sessions,
 * clock jumps), records statistics,
 * and answers in the service's own wire protocol.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallContext } from './context.js';
import { SimError, accessDenied, renderError, throttlingError, unknownKey, type WireResponse } from './errors.js';
import { HANDLERS, RouteError, classify, type ParsedRequest } from './router.js';
import { MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY, SimState } from './state.js';
import type { SimFaults, SimFixture, Simulator, SimulatorOptions } from './types.js';

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client that goes away mid-body never sends 'end'.
    req.on('close', () => reject(new Error('request closed before its body was read')));
  });
}

function send(res: ServerResponse, wire: WireResponse, requestId: string): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string> = { ...wire.headers, 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId };
  headers['content-length'] = String(Buffer.byteLength(wire.body));
  res.writeHead(wire.status, headers);
  res.end(wire.body);
}

const STS_ACTIONS = new Set(['sts']);
/** Services whose calls are scoped to a region that must be enabled in the caller's account. */
const REGIONAL = new Set(['ec2', 'rds', 'tagging']);

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const state = new SimState(opts.fixture, opts.faults ?? {}, opts.page_size ?? {});
  const timers = new Set<NodeJS.Timeout>();

  const delay = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (ms <= 0) {
        resolve(true);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve(true);
      }, ms);
      const onClose = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      timers.add(timer);
      res.once('close', onClose);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const body = await readBody(req);
    const parsed: ParsedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    let routed;
    try {
      routed = classify(parsed);
    } catch (err) {
      if (err instanceof RouteError) send(res, renderError(err.protocol, err, requestId), requestId);
      else throw err;
      return;
    }
    const { protocol, service, operation } = routed;
    let caller;
    try {
      caller = state.identify(service, routed.accessKeyId, routed.sessionToken);
    } catch (err) {
      if (err instanceof SimError) send(res, renderError(protocol, err, requestId), requestId);
      else throw err;
      return;
    }
    const accountId = caller.account.id;
    state.recordCall(service, operation, accountId);
    state.applyCallFaults(accountId);
    const leave = state.enter(accountId);
    res.once('close', leave);
    if (caller.account.hang === true || state.faults.hangs(accountId)) return; // answered never; `close` ends it
    if (!(await delay(state.faults.latencyMs, res))) return;
    const ctx: CallContext = { state, caller, service, region: routed.region, requestId };
    let wire: WireResponse;
    try {
      if (state.faults.shouldThrottle()) {
        state.recordThrottled();
        throw throttlingError(service);
      }
      // Like AWS, a region that is not enabled in the account does not recognise its credentials.
      if (REGIONAL.has(service) && !state.regionsOf(caller.account).includes(routed.region)) throw unknownKey(service);
      if (!STS_ACTIONS.has(service) && (state.faults.accessDenied(accountId) || state.faults.serviceDenied(accountId, service, operation))) {
        state.recordDenied(accountId);
        throw accessDenied(service, `${service}:${operation}`);
      }
      const handler = HANDLERS[service];
      if (!handler) throw new SimError('UnknownService', `The simulator does not implement service '${service}'`);
      wire = handler(ctx, routed, parsed);
    } catch (err) {
      if (!(err instanceof SimError)) throw err;
      wire = renderError(protocol, err, requestId);
    }
    send(res, wire, requestId);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator internal error: ${message}`);
      }
    });
  });
  server.keepAliveTimeout = 5000;

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const endpoint = `http://${host}:${address.port}`;
  const credentials = { accessKeyId: MANAGEMENT_ACCESS_KEY_ID, secretAccessKey: MANAGEMENT_SECRET_ACCESS_KEY };

  return {
    endpoint,
    credentials,
    get fixture(): SimFixture {
      return state.fixture;
    },
    stats: () => state.stats(),
    resetStats: () => state.resetStats(),
    setFaults: (faults: SimFaults) => state.faults.set(faults),
    now: () => state.now(),
    advanceClock: (ms: number) => state.advanceClock(ms),
    updateFixture: (mutate: (fixture: SimFixture) => void) => mutate(state.fixture),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
