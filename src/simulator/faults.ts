/**
 * Deterministic fault injection: seeded PRNG for throttling, hang and access-denied lists, denied
 * services per account, and call-triggered faults (sessions expiring, clock jumps).
 */
import type { SimFaults } from './types.js';

/** mulberry32: small, fast, deterministic PRNG returning floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private faults: SimFaults = {};
  private random: () => number = createPrng(1);
  /** Calls counted for the call-triggered faults (since the last `set`). */
  private callsByAccount = new Map<string, number>();
  private totalCalls = 0;

  constructor(faults: SimFaults = {}) {
    this.set(faults);
  }

  set(faults: SimFaults): void {
    this.faults = { ...faults };
    this.random = createPrng(faults.seed ?? 1);
    this.callsByAccount = new Map();
    this.totalCalls = 0;
  }

  get latencyMs(): number {
    return Math.max(0, this.faults.latency_ms ?? 0);
  }

  /** Draws from the PRNG only when a throttle rate is set, so the sequence is reproducible. */
  shouldThrottle(): boolean {
    const rate = this.faults.throttle_rate ?? 0;
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.random() < rate;
  }

  /** Whether this call hangs: a hanging account, or past the account's `hang_after_calls` (counted by `onCall`). */
  hangs(accountId: string): boolean {
    const after = this.faults.hang_after_calls?.[accountId];
    if (after !== undefined && (this.callsByAccount.get(accountId) ?? 0) > after) return true;
    return this.faults.hang_accounts?.includes(accountId) ?? false;
  }

  accessDenied(accountId: string): boolean {
    return this.faults.access_denied_accounts?.includes(accountId) ?? false;
  }

  /** `access_denied_services`: this service (or this one operation) is refused in the account. */
  serviceDenied(accountId: string, service: string, operation: string): boolean {
    const denied = this.faults.access_denied_services?.[accountId];
    return denied?.some((x) => x === service || x === `${service}:${operation}`) ?? false;
  }

  /**
   * Counts one identified call and returns the call-triggered faults due now: whether the
   * account's sessions expire (`expire_sessions`) and the clock jumps to apply (`clock_jumps`).
   */
  onCall(accountId: string): CallTriggers {
    this.totalCalls += 1;
    const own = (this.callsByAccount.get(accountId) ?? 0) + 1;
    this.callsByAccount.set(accountId, own);
    const expireSessions = this.faults.expire_sessions?.some((e) => e.account_id === accountId && e.after_calls === own) ?? false;
    const jumps = (this.faults.clock_jumps ?? []).filter((j) => (j.account_id === undefined ? j.after_calls === this.totalCalls : j.account_id === accountId && j.after_calls === own));
    return { expireSessions, jumps: jumps.map((j) => ({ account_id: accountId, after_calls: j.after_calls, advance_ms: j.advance_ms })) };
  }
}

export interface CallTriggers {
  expireSessions: boolean;
  jumps: { account_id: string; after_calls: number; advance_ms: number }[];
}
