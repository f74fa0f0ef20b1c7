/**
 * Gateway counters and the client middleware that feeds them. The middleware sits inside the
 * SDK's retry loop (deserialize step), so every attempt that reaches the wire is counted,
 * retries included, and each throttling answer is counted as it arrives.
 * Observers (the metrics plugin) see every attempt with its outcome and latency, and every
 * AssumeRole; a `CallTally` counts the calls made on behalf of one piece of work (a scan).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeserializeHandler, DeserializeHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import type { AwsCallEvent, GatewayObserver, GatewayStats } from './gateway.js';
import { callOutcome, isThrottlingError, tagOperation } from './errors.js';

/** Calls and throttling answers seen while a piece of work runs (a scan, one account's scan). */
export interface CallTally {
  calls: number;
  throttled: number;
  /** The enclosing tally (the whole scan around one account), counted too. */
  parent?: CallTally;
}

const tallies = new AsyncLocalStorage<CallTally>();

/** Run `fn` counting into `tally` every AWS call made on its behalf (async context: concurrent work never mixes). */
export function withCallTally<T>(tally: CallTally, fn: () => T): T {
  if (tally.parent === undefined) {
    const outer = tallies.getStore();
    if (outer !== undefined) tally.parent = outer;
  }
  return tallies.run(tally, fn);
}

function tallyCall(throttled: boolean | null): void {
  for (let t = tallies.getStore(); t !== undefined; t = t.parent) {
    if (throttled === null) t.calls += 1;
    else if (throttled) t.throttled += 1;
  }
}

export class StatsRecorder {
  private readonly assumeCalls = new Map<string, number>();
  private readonly assumeFailures = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  private readonly observers = new Set<GatewayObserver>();
  private throttled = 0;
  private costExplorer = 0;

  /** Subscribe to every call and AssumeRole; returns the unsubscribe function. */
  observe(observer: GatewayObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  recordAssumeRole(accountId: string, ok: boolean): void {
    bump(this.assumeCalls, accountId);
    if (!ok) bump(this.assumeFailures, accountId);
    for (const o of this.observers) o.assumeRole?.(accountId, ok);
  }

  recordCall(operation: string): void {
    bump(this.calls, operation);
    if (operation.startsWith('ce:')) this.costExplorer += 1;
    tallyCall(null);
  }

  recordThrottle(): void {
    this.throttled += 1;
    tallyCall(true);
  }

  /** One attempt finished (after recordCall): its outcome and how long it took. */
  recordResult(operation: string, err: unknown, durationMs: number): void {
    if (this.observers.size === 0) return;
    const outcome = err === undefined ? 'ok' : callOutcome(err);
    const colon = operation.indexOf(':');
    const event: AwsCallEvent = { service: operation.slice(0, colon), operation: operation.slice(colon + 1), outcome, duration_ms: durationMs };
    for (const o of this.observers) o.call?.(event);
  }

  snapshot(): GatewayStats {
    return {
      assume_role_calls: Object.fromEntries(this.assumeCalls),
      assume_role_failures: Object.fromEntries(this.assumeFailures),
      calls: Object.fromEntries(this.calls),
      cost_explorer_requests: this.costExplorer,
      throttled: this.throttled,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** `service` is the prefix used in stats keys (ec2, rds, s3, tagging, ce, organizations, sts). */
export function addCallCounter<I extends object, O extends object>(stack: MiddlewareStack<I, O>, service: string, stats: StatsRecorder): void {
  stack.add(
    (next: DeserializeHandler<I, O>, context: HandlerExecutionContext) => async (args: DeserializeHandlerArguments<I>) => {
      const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      stats.recordCall(operation);
      const started = performance.now();
      try {
        const out = await next(args);
        stats.recordResult(operation, undefined, performance.now() - started);
        return out;
      } catch (err) {
        if (isThrottlingError(err)) stats.recordThrottle();
        stats.recordResult(operation, err ?? new Error('unknown failure'), performance.now() - started);
        tagOperation(err, operation);
        throw err;
      }
    },
    { step: 'deserialize', name: 'finopsCallCounter', priority: 'high' },
  );
}
