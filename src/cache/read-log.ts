/**
 * What one tool call read from the result cache: every key with the stamp of the entry it got
 * (or null when the key was absent), and the earliest expiry among them. A finished answer built
 * from these reads stays valid while every key still holds the same stamp and none has expired
 * (src/cache/answer-cache.ts). A failed load, an uncached load (TTL 0) or an entry without a
 * stamp makes the call's answer uncacheable: the next call must try again.
 *
 * The log travels with the call through AsyncLocalStorage, so the scan, the cost service and the
 * account directory need no extra parameter: `createResultCache` notes every read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CacheReadLog {
  /** key → stamp read (null: the key was absent when read). */
  readonly reads: Map<string, string | null>;
  /** Earliest expiry (ms since the epoch) of the entries read; Infinity when none. */
  expires_ms: number;
  /** False once something was read that a later call cannot re-validate. */
  cacheable: boolean;
  /** Why the answer cannot be cached (first reason, for logs and tests). */
  reason: string | null;
}

const storage = new AsyncLocalStorage<CacheReadLog>();

export function createReadLog(): CacheReadLog {
  return { reads: new Map(), expires_ms: Number.POSITIVE_INFINITY, cacheable: true, reason: null };
}

/** Run `fn` with `log` collecting the result-cache reads made on its behalf. */
export function withReadLog<T>(log: CacheReadLog, fn: () => T): T {
  return storage.run(log, fn);
}

function refuse(log: CacheReadLog, reason: string): void {
  if (!log.cacheable) return;
  log.cacheable = false;
  log.reason = reason;
}

/** A value read (hit, loaded or joined) for `key`. */
export function noteRead(key: string, stamp: string | undefined, expiresMs: number): void {
  const log = storage.getStore();
  if (log === undefined) return;
  if (stamp === undefined) return refuse(log, `entry without stamp: ${key}`);
  const before = log.reads.get(key);
  // The same key read twice with two different values: the answer mixes two versions.
  if (before !== undefined && before !== null && before !== stamp) return refuse(log, `key changed during the call: ${key}`);
  log.reads.set(key, stamp);
  if (expiresMs < log.expires_ms) log.expires_ms = expiresMs;
}

/** `key` was looked up and absent (the answer depends on its absence until something is stored). */
export function noteAbsent(key: string): void {
  const log = storage.getStore();
  if (log === undefined || log.reads.has(key)) return;
  log.reads.set(key, null);
}

/** Something the answer depends on could not be cached (a failed or uncached load). */
export function noteUncacheable(reason: string): void {
  const log = storage.getStore();
  if (log !== undefined) refuse(log, reason);
}
