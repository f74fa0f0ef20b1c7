/**
 * The tool-call guard: wraps the tool runner so every transport (REST, MCP Streamable HTTP,
 * MCP SSE) goes through the same checks and leaves one audit event per call.
 * MCP calls (`via: 'mcp'`) are also rate limited here and held to their session's budget and
 * repeat limit; REST calls are rate limited by @fastify/rate-limit before they reach the runner
 * (a real 429), drawing on the same counters.
 */
import type { ToolCallOptions, ToolRunner } from '../../plugins/tools.js';
import { mapError } from '../../plugins/errors.js';
import { UserError } from '../core/errors.js';
import type { AuditSink } from '../audit/log.js';
import { requestedAccounts, summariseArguments, touchedAccounts } from '../audit/summary.js';
import type { Principal } from '../tools/types.js';
import type { SessionCallLimits } from './call-limits.js';
import { requireScope } from './oauth.js';
import type { WindowCounter } from './window-counter.js';

/** What the MCP layer adds to a call (src/mcp/server.ts). */
export interface CallMeta {
  via?: 'mcp' | 'rest';
  session_id?: string | undefined;
}

export type GuardedCallOptions = ToolCallOptions & CallMeta;

export const RATE_WINDOW_MS = 60_000;

/** 429: too many calls; `retryAfterSeconds` goes to the Retry-After header or the message. */
export class RateLimitError extends UserError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, code = 'rate_limited') {
    super(message, { statusCode: 429, code });
    this.name = 'RateLimitError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface RateLimits {
  perMinute: number;
  scansPerMinute: number;
}

/** Counter key of a principal for a class of tools (shared with the REST limiter). */
export function rateKey(principalKey: string, scans: boolean): string {
  return `${principalKey}:${scans ? 'scan' : 'call'}`;
}

export function rateLimitMessage(scans: boolean, max: number, retryAfterSeconds: number): string {
  const what = scans ? 'calls of tools that scan AWS' : 'tool calls';
  return `Rate limit reached: at most ${max} ${what} per minute for this caller (${scans ? 'RATE_LIMIT_SCANS_PER_MINUTE' : 'RATE_LIMIT_PER_MINUTE'}). Retry in ${retryAfterSeconds} seconds; cached answers (same arguments, no force_refresh) do not need a new call.`;
}

/** Key of a principal for rate limits: the key id, or the client address when anonymous. */
export function principalKey(principal: Principal, anonymousKey: string): string {
  return principal.id === 'anonymous' ? `ip:${anonymousKey}` : `key:${principal.id}`;
}

export interface GuardOptions {
  scanning: ReadonlySet<string>;
  limits: RateLimits;
  counter: WindowCounter;
  sessions: SessionCallLimits;
  audit: AuditSink;
  now?: () => number;
}

function requestId(logger: unknown): string | null {
  const bindings = (logger as { bindings?: unknown }).bindings;
  if (typeof bindings !== 'function') return null;
  const b: unknown = bindings.call(logger);
  const id = b !== null && typeof b === 'object' ? (b as { reqId?: unknown }).reqId : undefined;
  return typeof id === 'string' ? id : null;
}

export function guardRunner(inner: ToolRunner, opts: GuardOptions): ToolRunner {
  const now = opts.now ?? Date.now;

  async function mcpChecks(name: string, args: unknown, options: GuardedCallOptions): Promise<void> {
    const session = options.session_id;
    if (session !== undefined) {
      const refusal = opts.sessions.check(session, name, args);
      if (refusal !== null) throw new UserError(refusal, { statusCode: 429, code: 'session_limit' });
    }
    const scans = opts.scanning.has(name);
    const max = scans ? opts.limits.scansPerMinute : opts.limits.perMinute;
    if (max > 0) {
      // MCP calls carry no client address: anonymous callers share one bucket per session (or one in all).
      const key = rateKey(principalKey(options.principal, `mcp-session:${session ?? 'none'}`), scans);
      const { current, ttl } = await opts.counter.incr(key, RATE_WINDOW_MS);
      if (current > max) {
        const retry = Math.max(1, Math.ceil(ttl / 1000));
        throw new RateLimitError(rateLimitMessage(scans, max, retry), retry);
      }
    }
    if (session !== undefined) opts.sessions.record(session, name, args);
  }

  return {
    list: () => inner.list(),
    has: (name) => inner.has(name),
    // Metrics observe the runner underneath (calls refused here never reach a tool).
    observe: inner.observe?.bind(inner),
    async call(name, rawArgs, options: GuardedCallOptions) {
      const started = now();
      const via = options.via ?? 'rest';
      let outcome: 'ok' | 'error' | 'refused' = 'ok';
      let status = 200;
      let errorCode: string | null = null;
      let result: unknown;
      try {
        requireScope(options.principal, name, opts.scanning.has(name));
        if (via === 'mcp') await mcpChecks(name, rawArgs, options);
        result = await inner.call(name, rawArgs, options);
        return result;
      } catch (err) {
        const mapped = mapError(err);
        status = mapped.statusCode;
        errorCode = mapped.body.error;
        outcome = status === 429 || status === 403 ? 'refused' : 'error';
        throw err;
      } finally {
        opts.audit.write(
          {
            principal: options.principal.id,
            tool: name,
            via,
            session_id: options.session_id ?? null,
            request_id: requestId(options.logger),
            arguments: summariseArguments(rawArgs),
            accounts_requested: requestedAccounts(rawArgs),
            accounts_touched: touchedAccounts(result),
            duration_ms: Math.max(0, Math.round(now() - started)),
            outcome,
            status,
            error_code: errorCode,
          },
          options.logger,
        );
      }
    },
  };
}
