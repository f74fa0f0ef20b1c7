/**
 * The ioredis client of the result cache: REDIS_URL as given (rediss:// turns TLS on, a password
 * in the URL authenticates), bounded connect and command times, no offline queue (a command
 * while disconnected fails at once and the cache answers "miss"), and reconnection with capped
 * exponential backoff for as long as the process runs.
 */
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Upper bound of the reconnect delay (default 2000 ms). */
  maxBackoffMs?: number;
  connectionName?: string;
  /**
   * Extra TLS settings for rediss:// URLs (e.g. a private CA in tests). In production a private
   * CA is given to Node with NODE_EXTRA_CA_CERTS; certificates are always verified.
   */
  tls?: ConnectionOptions;
}

/** Reconnect delay after `times` failed attempts: 50 ms doubling, capped, with jitter. Never gives up. */
export function reconnectDelay(times: number, maxBackoffMs: number, random: () => number = Math.random): number {
  const base = Math.min(50 * 2 ** Math.max(0, Math.min(times - 1, 16)), maxBackoffMs);
  return Math.round(base * (0.8 + 0.2 * random()));
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const maxBackoff = options.maxBackoffMs ?? 2000;
  return new Redis(options.url, {
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => reconnectDelay(times, maxBackoff),
    connectionName: options.connectionName ?? 'finops-tag-compliance',
    ...(options.tls !== undefined && options.url.startsWith('rediss://') ? { tls: { ...options.tls } } : {}),
  });
}
