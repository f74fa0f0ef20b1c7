/**
 * Fixed-window counters shared by every rate-limited path: in memory (one process) or in Redis
 * (shared by replicas). `storeFor` adapts a counter to @fastify/rate-limit's store interface so
 * the HTTP routes and the MCP tool calls draw on the same counts.
 */
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

export interface WindowCount {
  /** Calls in the current window, this one included. */
  current: number;
  /** Milliseconds until the window ends. */
  ttl: number;
}

export interface WindowCounter {
  incr(key: string, windowMs: number): Promise<WindowCount>;
}

/** One process: a Map of windows, pruned as they expire. */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastPrune = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async incr(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    if (now - this.lastPrune > 60_000) this.prune(now);
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return { current: w.count, ttl: w.resetAt - now };
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

/** The part of an ioredis client this module uses. */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export function isRedisEval(value: unknown): value is RedisEval {
  return typeof value === 'object' && value !== null && typeof (value as { eval?: unknown }).eval === 'function';
}

const INCR_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}
`;

/** Replicas share counts: INCR + PEXPIRE in one script under `prefix`. */
export class RedisWindowCounter implements WindowCounter {
  constructor(
    private readonly redis: RedisEval,
    private readonly prefix: string,
  ) {}

  async incr(key: string, windowMs: number): Promise<WindowCount> {
    const res = await this.redis.eval(INCR_SCRIPT, 1, `${this.prefix}${key}`, windowMs);
    if (!Array.isArray(res) || res.length !== 2) throw new Error('Unexpected answer from Redis to the rate-limit script');
    return { current: Number(res[0]), ttl: Math.max(0, Number(res[1])) };
  }
}

/** A @fastify/rate-limit store class drawing on `counter`. */
export function storeFor(counter: WindowCounter): FastifyRateLimitStoreCtor {
  class CounterStore {
    incr(key: string, callback: (error: Error | null, result?: WindowCount) => void, timeWindow: number): void {
      counter.incr(key, timeWindow).then(
        (r) => callback(null, r),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }
    child(): CounterStore {
      return this;
    }
  }
  return CounterStore;
}

/**
 * Redis first; while Redis fails, count in memory (limits stay per process instead of failing
 * every call). `onError` is told once per outage.
 */
export class FallbackWindowCounter implements WindowCounter {
  private failing = false;

  constructor(
    private readonly primary: WindowCounter,
    private readonly fallback: WindowCounter,
    private readonly onError: (err: unknown) => void,
  ) {}

  async incr(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const r = await this.primary.incr(key, windowMs);
      this.failing = false;
      return r;
    } catch (err) {
      if (!this.failing) this.onError(err);
      this.failing = true;
      return this.fallback.incr(key, windowMs);
    }
  }
}
