/** Output helpers shared by the benchmarks: aligned figures and target lines. */

export function heading(title: string): void {
  process.stdout.write(`\n== ${title} ==\n`);
}

/** One aligned `label  value` line. */
export function figure(label: string, value: string | number): void {
  process.stdout.write(`  ${label.padEnd(44)} ${typeof value === 'number' ? fmt(value) : value}\n`);
}

/** A measured figure beside its target. Figures only: never an assertion, never an exit code. */
export function target(label: string, measured: string, goal: string, met: boolean): void {
  process.stdout.write(`  target: ${label.padEnd(36)} ${measured.padEnd(16)} goal ${goal.padEnd(12)} ${met ? 'met' : 'MISSED'}\n`);
}

export function fmt(n: number, digits = 2): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Math.min(digits, 1) });
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function ms(n: number): string {
  return `${n.toFixed(n < 10 ? 2 : 0)} ms`;
}

/** Samples process RSS at an interval; `stop()` returns the highest sample. */
export function rssSampler(intervalMs = 25): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, intervalMs);
  timer.unref();
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Peak resident set size of the whole process so far (bytes; resourceUsage reports KiB). */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
