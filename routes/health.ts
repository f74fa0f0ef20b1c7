/**
 * `GET /health` (public): status ok/degraded with the policy, cache, history and AWS identity
 * checks. The AWS probe (STS GetCallerIdentity through the gateway) is cached and single-flight;
 * a request waits for it at most `probeWaitMs`, so health never blocks long.
 * `GET /ready`: 200 once the app is up and a policy is loaded, 503 while shutting down.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AwsGateway } from '../src/aws/gateway.js';
import type { ResultCache } from '../src/cache/types.js';
import { VERSION } from '../src/config/version.js';
import type { PolicyStore } from '../src/policy/types.js';
import type { HistoryStore } from '../src/store/types.js';

export interface AwsProbe {
  status: 'ok' | 'unreachable' | 'unknown';
  account_id: string | null;
  checked_at: string | null;
  message: string | null;
}

export interface HealthRoutesOptions {
  /** How long a request waits for a fresh AWS probe (default 1000 ms). */
  probeWaitMs?: number;
  /** Reuse a successful probe this long (default 60 s); failures are retried after 15 s. */
  probeTtlMs?: number;
}

function optional<T>(app: FastifyInstance, name: string): T | null {
  return app.hasDecorator(name) ? app.getDecorator<T>(name) : null;
}

const safeMessage = (err: unknown): string => (err instanceof Error && err.name === 'AwsAccessError' ? err.message : 'AWS identity check failed');

export function createAwsProbe(gateway: AwsGateway | null, ttlMs: number, now: () => number = Date.now) {
  let last: AwsProbe = { status: 'unknown', account_id: null, checked_at: null, message: 'not checked yet' };
  let lastAt = -Infinity;
  let inFlight: Promise<AwsProbe> | null = null;
  const run = async (): Promise<AwsProbe> => {
    if (gateway === null) return { status: 'unknown', account_id: null, checked_at: null, message: 'AWS gateway not configured' };
    try {
      const accountId = await gateway.localAccountId(AbortSignal.timeout(5000));
      return { status: 'ok', account_id: accountId, checked_at: new Date(now()).toISOString(), message: null };
    } catch (err) {
      return { status: 'unreachable', account_id: null, checked_at: new Date(now()).toISOString(), message: safeMessage(err) };
    }
  };
  return async (waitMs: number): Promise<AwsProbe> => {
    const fresh = now() - lastAt < (last.status === 'ok' ? ttlMs : Math.min(ttlMs, 15_000));
    if (fresh) return last;
    inFlight ??= run().then((result) => {
      last = result;
      lastAt = now();
      inFlight = null;
      return result;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AwsProbe>((resolve) => {
      timer = setTimeout(() => resolve(last), waitMs);
    });
    try {
      return await Promise.race([inFlight, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, opts) => {
  const probe = createAwsProbe(optional<AwsGateway>(app, 'aws'), opts.probeTtlMs ?? 60_000);
  const waitMs = opts.probeWaitMs ?? 1000;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  const policyStatus = () => {
    const store = optional<PolicyStore>(app, 'policyStore');
    if (store === null) return { status: 'error' as const, version: null, hash: null, message: 'policy not loaded' };
    try {
      const p = store.current();
      return { status: 'ok' as const, version: p.version, hash: p.hash, message: null };
    } catch {
      return { status: 'error' as const, version: null, hash: null, message: 'policy not loaded' };
    }
  };

  app.get('/health', async () => {
    const cache = optional<ResultCache>(app, 'resultCache')?.health() ?? null;
    const store = optional<HistoryStore>(app, 'history');
    const history = store === null ? null : await store.health().catch(() => ({ ok: false, detail: 'health check failed' }));
    const aws = await probe(waitMs);
    const policy = policyStatus();
    const healthy = policy.status === 'ok' && cache?.status === 'ok' && history?.ok === true && aws.status === 'ok';
    return {
      status: healthy ? 'ok' : 'degraded',
      version: VERSION,
      policy,
      cache: cache ?? { backend: null, status: 'not_configured' },
      history: store === null || history === null ? { backend: null, status: 'not_configured' } : { backend: store.backend, status: history.ok ? 'ok' : 'error', detail: history.detail ?? null },
      aws,
    };
  });

  app.get('/ready', async (request, reply) => {
    const policy = policyStatus();
    if (closing) return reply.code(503).send({ ready: false, reason: 'shutting down' });
    if (policy.status !== 'ok') return reply.code(503).send({ ready: false, reason: 'policy not loaded' });
    return { ready: true, request_id: request.id };
  });
};

export default healthRoutes;
