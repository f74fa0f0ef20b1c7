/** Deterministic fault injection: seeded PRNG for throttling, hang and access-denied lists. */
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

  constructor(faults: SimFaults = {}) {
    this.set(faults);
  }

  set(faults: SimFaults): void {
    this.faults = { ...faults };
    this.random = createPrng(faults.seed ?? 1);
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

  hangs(accountId: string): boolean {
    return this.faults.hang_accounts?.includes(accountId) ?? false;
  }

  accessDenied(accountId: string): boolean {
    return this.faults.access_denied_accounts?.includes(accountId) ?? false;
  }
}
