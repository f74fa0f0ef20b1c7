/**
 * Cross-replica occurrence lock on Redis: `SET <prefix>scheduler:<schedule id>:<occurrence> <replica> NX PX <ttl>`.
 * The first replica to set it runs the occurrence; the key is left to expire (it marks the
 * occurrence as taken for the whole window in which another replica could still consider it).
 * Released early only when the claim could not be recorded, and then only by its holder.
 */
import type { Redis } from 'ioredis';

export interface OccurrenceLock {
  /** true: this replica holds the occurrence. Throws when Redis cannot answer (the caller falls back to the store claim). */
  acquire(scheduleId: string, occurrence: string, ttlMs: number): Promise<boolean>;
  release(scheduleId: string, occurrence: string): Promise<void>;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function occurrenceKey(prefix: string, scheduleId: string, occurrence: string): string {
  return `${prefix}scheduler:${scheduleId}:${occurrence}`;
}

export function redisOccurrenceLock(redis: Redis, prefix: string, holder: string): OccurrenceLock {
  return {
    async acquire(scheduleId, occurrence, ttlMs) {
      const ok = await redis.set(occurrenceKey(prefix, scheduleId, occurrence), holder, 'PX', Math.max(1000, Math.round(ttlMs)), 'NX');
      return ok === 'OK';
    },
    async release(scheduleId, occurrence) {
      await redis.eval(RELEASE, 1, occurrenceKey(prefix, scheduleId, occurrence), holder);
    },
  };
}
