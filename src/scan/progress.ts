/**
 * Progress of one scan: `progress` = cells finished, `total` = cells planned (known once every
 * account's regions are known). Reports strictly increase, as MCP progress requires.
 */
import type { ProgressReporter } from '../core/types.js';

export interface AccountProgress {
  /** The account's cells are known. */
  plan(cells: number): void;
  /** One cell finished (read or failed). */
  cellDone(ok: boolean, resources: number): void;
  /** The account ended; cells never finished (timeout, failure) count as done now. */
  finish(summary: string): void;
}

export class ScanProgress {
  private readonly planned = new Map<string, number>();
  private unplanned: number;
  private done = 0;
  private lastReported = 0;

  constructor(
    private readonly reporter: ProgressReporter | undefined,
    accountCount: number,
  ) {
    this.unplanned = accountCount;
  }

  private total(): number | undefined {
    if (this.unplanned > 0) return undefined;
    let sum = 0;
    for (const n of this.planned.values()) sum += n;
    return sum;
  }

  private report(message: string): void {
    if (this.reporter === undefined || this.done <= this.lastReported) return;
    this.lastReported = this.done;
    const total = this.total();
    this.reporter(total === undefined ? { progress: this.done, message } : { progress: this.done, total, message });
  }

  forAccount(accountId: string, label: string): AccountProgress {
    let cells: number | null = null;
    let finished = 0;
    let failed = 0;
    let resources = 0;
    const setPlan = (n: number): void => {
      if (cells !== null) return;
      cells = n;
      this.planned.set(accountId, n);
      this.unplanned -= 1;
    };
    return {
      plan: setPlan,
      cellDone: (ok, found) => {
        finished += 1;
        this.done += 1;
        if (!ok) failed += 1;
        resources += found;
        const of = cells ?? finished;
        const tail = finished === of ? `, ${resources} resources${failed > 0 ? `, ${failed} failed` : ''}` : '';
        this.report(`${label}: ${finished}/${of} cells${tail}`);
      },
      finish: (summary) => {
        if (cells === null) setPlan(finished);
        const remaining = (cells ?? finished) - finished;
        finished += remaining;
        this.done += remaining;
        this.report(`${label}: ${summary}`);
      },
    };
  }
}
