/**
 * Finished tool answers, ready to send. An entry is a tool's structured answer (deep-frozen), its
 * JSON text, and what it was built from: the result-cache keys it read with their write stamps
 * (src/cache/read-log.ts). It is served only while every one of those keys still holds the same
 * stamp and none has expired, so a rescan, a forced refresh, an invalidation or an expiry of any
 * cell, region list, account list or Cost Explorer answer it used retires it without any
 * bookkeeping. The caller's key carries everything else the answer depends on (tool, normalised
 * arguments, the caller's account scope, policy hash, day).
 *
 * In-process only and bounded in bytes (an LRU over the JSON length). The JSON text (and its
 * UTF-8 bytes) of an answer are kept beside the object (`answerJson`, `answerBytes`) so
 * transports never serialise a cached answer again.
 */
import { LRUCache } from 'lru-cache';
import type { CacheReadLog } from './read-log.js';

export interface AnswerCacheOptions {
  maxBytes: number;
  /** Current stamps of result-cache keys (ResultCache.stamps). */
  stamps(keys: readonly string[]): Promise<(string | null)[]>;
  /** Clock in ms since the epoch (tests move it). */
  now?: () => number;
  /** Longest life of an answer whatever its sources say (default: one hour). */
  maxAgeMs?: number;
}

interface Held {
  value: object;
  json: string;
  keys: string[];
  stamps: (string | null)[];
  expires_ms: number;
}

export interface AnswerCacheCounters {
  hits: number;
  misses: number;
  /** Entries found but no longer valid (a source changed or expired). */
  stale: number;
  stored: number;
  /** Answers that could not be cached (a failed or uncached read). */
  refused: number;
}

export interface AnswerCache {
  /** The valid answer stored under `key`, or undefined. */
  get(key: string): Promise<object | undefined>;
  /** Keep `value` (a tool's answer) as built from `log`'s reads; false when it cannot be kept. */
  set(key: string, value: object, log: CacheReadLog): boolean;
  clear(): void;
  usage(): { entries: number; bytes: number };
  counters(): AnswerCacheCounters;
}

const jsonOf = new WeakMap<object, string>();
const bytesOf = new WeakMap<object, Buffer>();

/** The JSON text of an answer that went through the answer cache (same bytes as JSON.stringify). */
export function answerJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? jsonOf.get(value) : undefined;
}

/** The JSON of a cached answer as UTF-8 bytes, encoded once (what REST writes on the socket). */
export function answerBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let bytes = bytesOf.get(value);
  if (bytes === undefined) {
    const json = jsonOf.get(value);
    if (json === undefined) return undefined;
    bytes = Buffer.from(json, 'utf8');
    bytesOf.set(value, bytes);
  }
  return bytes;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** Mark an answer as final: frozen (shared by every caller) with its JSON text kept beside it. */
export function sealAnswer(value: object): string {
  const known = jsonOf.get(value);
  if (known !== undefined) return known;
  const json = JSON.stringify(value);
  deepFreeze(value);
  jsonOf.set(value, json);
  return json;
}

export function createAnswerCache(options: AnswerCacheOptions): AnswerCache {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  const counters: AnswerCacheCounters = { hits: 0, misses: 0, stale: 0, stored: 0, refused: 0 };
  const lru = new LRUCache<string, Held>({
    maxSize: Math.max(1, Math.floor(options.maxBytes)),
    // The JSON text, its bytes and the frozen object: about three times the text.
    sizeCalculation: (held, key) => 3 * held.json.length + key.length + 32 * held.keys.length + 128,
  });

  return {
    async get(key) {
      const held = lru.get(key);
      if (held === undefined) {
        counters.misses += 1;
        return undefined;
      }
      if (held.expires_ms <= now()) {
        lru.delete(key);
        counters.stale += 1;
        return undefined;
      }
      const current = held.keys.length === 0 ? [] : await options.stamps(held.keys);
      for (let i = 0; i < held.stamps.length; i++) {
        if (current[i] !== held.stamps[i]) {
          // Only drop what is still this entry (another call may have replaced it meanwhile).
          if (lru.peek(key) === held) lru.delete(key);
          counters.stale += 1;
          return undefined;
        }
      }
      counters.hits += 1;
      return held.value;
    },
    set(key, value, log) {
      if (!log.cacheable) {
        counters.refused += 1;
        return false;
      }
      const expires = Math.min(log.expires_ms, now() + maxAgeMs);
      if (!(expires > now())) {
        counters.refused += 1;
        return false;
      }
      const json = sealAnswer(value);
      const keys = [...log.reads.keys()];
      lru.set(key, { value, json, keys, stamps: keys.map((k) => log.reads.get(k) ?? null), expires_ms: expires });
      counters.stored += 1;
      return true;
    },
    clear: () => lru.clear(),
    usage: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
    counters: () => ({ ...counters }),
  };
}
