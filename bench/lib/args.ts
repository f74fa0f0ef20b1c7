/** Tiny command-line flag reader for the benchmark scripts: `--name value` and bare `--flag`. */

export class Flags {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[] = process.argv.slice(2)) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (!arg.startsWith('--')) throw new Error(`Unexpected argument '${arg}': flags look like --name value`);
      const eq = arg.indexOf('=');
      if (eq > 0) {
        this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
        continue;
      }
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) this.values.set(arg.slice(2), 'true');
      else {
        this.values.set(arg.slice(2), next);
        i += 1;
      }
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  int(name: string, fallback: number, min = 0): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min} (got '${raw}')`);
    return n;
  }

  num(name: string, fallback: number, min = 0): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min} (got '${raw}')`);
    return n;
  }

  /** Comma-separated list; `fallback` when the flag is absent. */
  list(name: string, fallback: string[] | null): string[] | null {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (items.length === 0) throw new Error(`--${name} needs at least one comma-separated value`);
    return items;
  }
}
