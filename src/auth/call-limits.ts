/**
 * Per-MCP-session limits (pure state, no I/O): a tool-call budget and repeated-identical-call
 * detection. `check` refuses without counting; `record` counts an accepted call.
 */
export interface SessionLimitsOptions {
  /** Calls one session may make; 0 = unlimited. */
  budget: number;
  /** The same tool + arguments more than this many times within the window is refused; 0 = off. */
  repeatLimit: number;
  repeatWindowMs: number;
  /** Sessions unused this long are forgotten. */
  forgetAfterMs: number;
  now?: () => number;
}

interface SessionState {
  calls: number;
  lastSeen: number;
  /** call signature → times of recent calls */
  recent: Map<string, number[]>;
}

/** JSON with sorted object keys: the same arguments give the same signature whatever their order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class SessionCallLimits {
  private readonly sessions = new Map<string, SessionState>();
  private lastPrune = 0;

  constructor(private readonly opts: SessionLimitsOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private state(sessionId: string, now: number): SessionState {
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      for (const [id, s] of this.sessions) if (now - s.lastSeen > this.opts.forgetAfterMs) this.sessions.delete(id);
    }
    let s = this.sessions.get(sessionId);
    if (s === undefined) {
      s = { calls: 0, lastSeen: now, recent: new Map() };
      this.sessions.set(sessionId, s);
    }
    s.lastSeen = now;
    return s;
  }

  /** Why this call must be refused (a message for the model), or null. */
  check(sessionId: string, tool: string, args: unknown): string | null {
    const now = this.now();
    const s = this.state(sessionId, now);
    const { budget, repeatLimit, repeatWindowMs } = this.opts;
    if (budget > 0 && s.calls >= budget) {
      return `This MCP session has used its budget of ${budget} tool calls (MCP_SESSION_TOOL_CALL_BUDGET). Stop calling tools: summarise what you have for the user, or start a new session if they ask for more.`;
    }
    if (repeatLimit > 0) {
      const times = (s.recent.get(signature(tool, args)) ?? []).filter((t) => now - t < repeatWindowMs);
      if (times.length >= repeatLimit) {
        return (
          `Stop repeating this call: ${tool} was already called ${times.length} times with exactly these arguments in the last ${Math.round(repeatWindowMs / 1000)} seconds, and the answer will not change. ` +
          'To get the next page, pass the next_cursor of the previous answer as cursor; otherwise change the arguments or answer with what you have.'
        );
      }
    }
    return null;
  }

  /** Count an accepted call. */
  record(sessionId: string, tool: string, args: unknown): void {
    const now = this.now();
    const s = this.state(sessionId, now);
    s.calls += 1;
    if (this.opts.repeatLimit > 0) {
      const key = signature(tool, args);
      const times = (s.recent.get(key) ?? []).filter((t) => now - t < this.opts.repeatWindowMs);
      times.push(now);
      s.recent.set(key, times);
      if (s.recent.size > 1000) this.dropStale(s, now);
    }
  }

  /** Calls counted for this session so far. */
  used(sessionId: string): number {
    return this.sessions.get(sessionId)?.calls ?? 0;
  }

  private dropStale(s: SessionState, now: number): void {
    for (const [k, times] of s.recent) if (times.every((t) => now - t >= this.opts.repeatWindowMs)) s.recent.delete(k);
  }
}

function signature(tool: string, args: unknown): string {
  return `${tool}\u0000${stableStringify(args ?? {})}`;
}
