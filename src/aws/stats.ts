/**
 * Gateway counters and the client middleware that feeds them. The middleware sits inside the
 * SDK's retry loop (deserialize step), so every attempt that reaches the wire is counted,
 * retries included, and each throttling answer is counted as it arrives.
 */
import type { DeserializeHandler, DeserializeHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
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

/** `service` is the prefix used in stats keys (ec2, rds, s3, tagging, ce, organizations, sts). */
export function addCallCounter<I extends object, O extends object>(stack: MiddlewareStack<I, O>, service: string, stats: StatsRecorder): void {
  stack.add(
    (next: DeserializeHandler<I, O>, context: HandlerExecutionContext) => async (args: DeserializeHandlerArguments<I>) => {
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
