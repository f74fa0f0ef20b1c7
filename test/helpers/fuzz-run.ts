/**
 * Bookkeeping shared by the fuzz suites: a bounded-concurrency runner, the outcome histogram,
 * the list of violations of the fuzz property (with a short, secret-free description of the
 * input), the example values of the fuzz fixture, and a watch on unhandled rejections.
 */
import type { AnyTool } from '../../src/tools/types.js';
import type { SimFixture } from '../../src/simulator/types.js';
import { resourceArn } from '../../src/simulator/arn.js';
import { exampleValues } from './fuzz-inputs.js';

export class Tally {
  readonly byStatus = new Map<string, number>();
  readonly byKind = new Map<string, number>();
  readonly failures: string[] = [];
  total = 0;

  add(kind: string, outcome: string): void {
    this.total += 1;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    this.byStatus.set(outcome, (this.byStatus.get(outcome) ?? 0) + 1);
  }

  fail(kind: string, what: string, input: unknown): void {
    if (this.failures.length < 20) this.failures.push(`[${kind}] ${what} — input: ${describe(input)}`);
    else if (this.failures.length === 20) this.failures.push('… more');
  }

  histogram(map: Map<string, number> = this.byStatus): string {
    return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}: ${v}`).join(', ');
  }
}

/** A bounded, printable summary of an input. */
export function describe(input: unknown): string {
  let text: string;
  try {
    text = typeof input === 'string' ? input : (JSON.stringify(input) ?? String(input));
  } catch {
    text = String(input);
  }
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text);
}

/** Run `work` over `items` with at most `width` in flight. */
export async function pool<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      await work(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

/** Example values of every tool, plus ids, names and ARNs that exist in the fuzz fixture. */
export function fixtureExamples(tools: readonly AnyTool[], fixture: SimFixture): Map<string, unknown[]> {
  const map = exampleValues(tools);
  const member = fixture.accounts.filter((a) => a.id !== fixture.organization.management_account_id);
  const arns = fixture.accounts.flatMap((a) => a.resources.slice(0, 3).map((r) => r.arn ?? resourceArn(r, a.id)));
  const add = (key: string, ...values: unknown[]): void => {
    map.set(key, [...(map.get(key) ?? []), ...values]);
  };
  add('account_ids', ['all'], member.map((a) => a.name), member.map((a) => a.id), [member[0]?.alias ?? 'production']);
  add('resource_arns', arns.slice(0, 3), arns);
  add('resource_arn', ...arns);
  add('regions', ['us-east-1'], ['eu-west-1', 'us-east-1']);
  return map;
}

/** Unhandled rejections and uncaught exceptions while `watching` (listeners removed by `stop`). */
export function crashWatch(): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const onRejection = (reason: unknown): void => void seen.push(`unhandledRejection: ${String(reason).slice(0, 300)}`);
  const onException = (err: unknown): void => void seen.push(`uncaughtException: ${String(err).slice(0, 300)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
    },
  };
}
