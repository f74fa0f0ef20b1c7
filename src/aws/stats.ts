/**
 * Gateway counters and the client middleware that feeds them. The middleware sits inside the
 * SDK's retry loop (deserialize step), so every attempt that reaches the wire is counted,
 * retries included, and each throttling answer is counted as it arrives.
 */
import type { GatewayStats } from './gateway.js';
import { isThrottlingError, tagOperation } from './errors.js';

export class StatsRecorder {
  private readonly assumeCalls = new Map<string, number>();
  private readonly assumeFailures = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  private throttled = 0;
  private costExplorer = 0;

  recordAssumeRole(accountId: string, ok: boolean): void {
    bump(this.assumeCalls, accountId);
    if (!ok) bump(this.assumeFailures, accountId);
  }

  recordCall(operation: string): void {
    bump(this.calls, operation);
    if (operation.startsWith('ce:')) this.costExplorer += 1;
  }

  recordThrottle(): void {
    this.throttled += 1;
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

/** Minimal structural view of an SDK client's middleware stack (every v3 client has one). */
export interface MiddlewareStackLike {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { step: 'deserialize'; name: string; priority: 'high' },
  ): void;
}

/** `service` is the IAM-style prefix (ec2, rds, s3, tagging, ce, organizations, sts). */
export function addCallCounter(stack: MiddlewareStackLike, service: string, stats: StatsRecorder): void {
  stack.add(
    (next, context) => async (args) => {
      const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      stats.recordCall(operation);
      try {
        return await next(args);
      } catch (err) {
        if (isThrottlingError(err)) stats.recordThrottle();
        tagOperation(err, operation);
        throw err;
      }
    },
    { step: 'deserialize', name: 'finopsCallCounter', priority: 'high' },
  );
}
