/**
 * Redis backend (ioredis): entries are JSON `{ value, stored_at, expires_at }` under
 * `<prefix><key>`, expiring through `SET … PX`; prefix deletes walk `SCAN` and `UNLINK` (never
 * KEYS). Load locks live under `<prefix>~lock:<key>` (`SET NX PX`, renewed while the holder works,
 * released by compare-and-delete).
 *
 * Redis trouble never fails a read or a write: while the connection is down (or a command just
 * failed) reads are misses and writes are skipped, `health()` says degraded, and the change is
 * logged once per transition. Invalidation (delete) does fail loudly, since silently keeping
 * entries someone asked to remove would serve them after Redis returns.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheEntry, CacheHealth, CacheStore, LoadLock, LockAttempt } from './types.js';

export interface RedisStoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface RedisStoreOptions {
  client: Redis;
  /** Namespace of every key (REDIS_KEY_PREFIX). */
  prefix: string;
  logger?: RedisStoreLogger;
  /** Load-lock lifetime; the holder renews it every third of it (default 15 s). */
  lockTtlMs?: number;
  /** After a failed command, skip Redis this long before trying again (default 1 s). */
  pauseAfterFailureMs?: number;
}

export interface RedisStore extends CacheStore {
  readonly lock: LoadLock;
  readonly client: Redis;
  /** Resolves true once connected, false if not connected within `timeoutMs` (never rejects). */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
}

export class CacheUnavailableError extends Error {
  constructor(what: string) {
    super(`The Redis result cache is unreachable, so ${what} could not be done; try again when /health reports the cache ok`);
    this.name = 'CacheUnavailableError';
  }
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** Bytes read from the start of an entry to find its stamp; the stamp pattern anchors at the start. */
const STAMP_HEAD_BYTES = 96;
const STAMP_HEAD = /^\{"stamp":"([A-Za-z0-9_.-]{1,64})"/;

/** A key prefix as a SCAN MATCH pattern matching exactly the keys that start with it. */
export function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\^]/g, '\\$&')}*`;
}

function isEntry(v: unknown): v is CacheEntry<unknown> {
  return typeof v === 'object' && v !== null && 'value' in v && typeof (v as { stored_at?: unknown }).stored_at === 'string' && typeof (v as { expires_at?: unknown }).expires_at === 'string';
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client, prefix, logger } = options;
  const lockTtlMs = options.lockTtlMs ?? 15_000;
  const pauseMs = options.pauseAfterFailureMs ?? 1000;
  // 'starting' until the first connection; a failure before it is logged as a start-up problem.
  let state: 'starting' | 'up' | 'down' = client.status === 'ready' ? 'up' : 'starting';
  let everReady = state === 'up';
  let pausedUntil = 0;
  let closed = false;
  const renewals = new Set<NodeJS.Timeout>();

  const k = (key: string): string => `${prefix}${key}`;
  const lockKey = (key: string): string => `${prefix}~lock:${key}`;

  function markDown(reason: string): void {
    if (closed || state === 'down') return;
    state = 'down';
    logger?.warn({ backend: 'redis', reason }, 'Redis result cache unavailable: loading without cache until it returns');
  }
  function markUp(): void {
    if (closed || state === 'up' || client.status !== 'ready') return;
    state = 'up';
    logger?.info({ backend: 'redis' }, everReady ? 'Redis result cache available again' : 'Redis result cache connected');
    everReady = true;
  }

  client.on('ready', () => {
    pausedUntil = 0;
    markUp();
  });
  // ioredis emits 'error' on every failed reconnect; the transition is logged once.
  client.on('error', (err: unknown) => markDown(errText(err)));
  client.on('close', () => markDown('connection closed'));

  const usable = (): boolean => !closed && client.status === 'ready' && Date.now() >= pausedUntil;

  /** Runs one command; on failure marks the cache degraded for a moment and returns `fallback`. */
  async function attempt<T, F>(run: () => Promise<T>, fallback: F): Promise<T | F> {
    if (!usable()) return fallback;
    try {
      const result = await run();
      markUp();
      return result;
    } catch (err) {
      pausedUntil = Date.now() + pauseMs;
      markDown(errText(err));
      logger?.debug({ err }, 'Redis command failed');
      return fallback;
    }
  }

  /** Like `attempt`, but an unreachable Redis is an error (invalidation must not pretend). */
  async function required<T>(what: string, run: () => Promise<T>): Promise<T> {
    const none = Symbol('none');
    const result = await attempt(run, none);
    if (result === none) throw new CacheUnavailableError(what);
    return result as T;
  }

  const lock: LoadLock = {
    ttlMs: lockTtlMs,
    async acquire(key: string): Promise<LockAttempt> {
      const token = randomUUID();
      const name = lockKey(key);
      const reply = await attempt(() => client.set(name, token, 'PX', lockTtlMs, 'NX'), undefined);
      if (reply === undefined) return { status: 'unavailable' };
      if (reply !== 'OK') return { status: 'held' };
      const timer = setInterval(() => {
        void attempt(() => client.eval(RENEW, 1, name, token, String(lockTtlMs)), 0);
      }, Math.max(10, Math.floor(lockTtlMs / 3)));
      timer.unref();
      renewals.add(timer);
      return {
        status: 'acquired',
        async release() {
          clearInterval(timer);
          renewals.delete(timer);
          // If Redis is gone the lock simply expires.
          await attempt(() => client.eval(RELEASE, 1, name, token), 0);
        },
      };
    },
    async isHeld(key: string): Promise<boolean | undefined> {
      const n = await attempt(() => client.exists(lockKey(key)), undefined);
      return n === undefined ? undefined : n > 0;
    },
  };

  return {
    backend: 'redis',
    client,
    lock,
    async get<T>(key: string): Promise<CacheEntry<T> | undefined> {
      const raw = await attempt(() => client.get(k(key)), null);
      if (raw === null) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      if (!isEntry(parsed)) {
        logger?.warn({ key }, 'unreadable Redis cache entry ignored');
        return undefined;
      }
      return parsed as CacheEntry<T>;
    },
    async set(key: string, entry: CacheEntry<unknown>, ttlSeconds: number): Promise<void> {
      if (!(ttlSeconds > 0)) {
        await attempt(() => client.unlink(k(key)), 0);
        return;
      }
      // The stamp goes first, so `stamps` can read it with GETRANGE without fetching the value.
      const json = JSON.stringify(entry.stamp === undefined ? { value: entry.value, stored_at: entry.stored_at, expires_at: entry.expires_at } : { stamp: entry.stamp, stored_at: entry.stored_at, expires_at: entry.expires_at, value: entry.value });
      await attempt(() => client.set(k(key), json, 'PX', Math.max(1, Math.round(ttlSeconds * 1000))), null);
    },
    async delete(key: string): Promise<void> {
      await required('removing a cache entry', () => client.unlink(k(key)));
    },
    async stamps(keys: readonly string[]): Promise<(string | null)[]> {
      if (keys.length === 0) return [];
      // One round trip: the first bytes of each entry hold its stamp (see set).
      const heads = await attempt(async () => {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.getrange(k(key), 0, STAMP_HEAD_BYTES - 1);
        return (await pipeline.exec()) ?? [];
      }, null);
      // Redis unreachable: nothing can be confirmed, so nothing is valid.
      if (heads === null) return keys.map(() => null);
      return keys.map((_, i) => {
        const [err, head] = heads[i] ?? [null, null];
        if (err !== null || typeof head !== 'string') return null;
        return STAMP_HEAD.exec(head)?.[1] ?? null;
      });
    },
    async deleteByPrefix(keyPrefix: string): Promise<number> {
      return required('invalidating cache entries', async () => {
        const pattern = globPrefix(k(keyPrefix));
        const lockPrefix = `${prefix}~lock:`;
        let cursor = '0';
        let removed = 0;
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          // Load locks are not entries: a prefix delete never steals another replica's lock.
          const doomed = keys.filter((key) => !key.startsWith(lockPrefix));
          if (doomed.length > 0) removed += await client.unlink(...doomed);
        } while (cursor !== '0');
        return removed;
      });
    },
    health(): CacheHealth {
      return { backend: 'redis', status: !closed && state === 'up' && client.status === 'ready' ? 'ok' : 'degraded' };
    },
    waitUntilReady(timeoutMs: number): Promise<boolean> {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          client.off('ready', onReady);
          resolve(ok);
        };
        const onReady = (): void => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        client.on('ready', onReady);
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const timer of renewals) clearInterval(timer);
      renewals.clear();
      if (client.status === 'ready') {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1000);
        });
        await Promise.race([client.quit().then(() => undefined, () => undefined), bound]);
        clearTimeout(timer);
      }
      client.disconnect();
    },
  };
}
