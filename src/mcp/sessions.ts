/**
 * Open MCP sessions (Streamable HTTP and SSE share one registry): a cap, idle expiry and
 * close-all on shutdown. Each entry knows how to close its transport and server.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';

export interface SessionEntry {
  id: string;
  kind: 'streamable-http' | 'sse';
  principal_id: string;
  lastSeen: number;
  close(): Promise<void>;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly opts: { maxSessions: number; idleSeconds: number; logger: Logger; now?: () => number },
  ) {
    const sweepMs = Math.min(opts.idleSeconds * 500, 30_000);
    this.timer = setInterval(() => void this.sweep(), sweepMs);
    this.timer.unref();
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Open sessions by transport (both kinds always present). */
  countByKind(): Record<SessionEntry['kind'], number> {
    const out: Record<SessionEntry['kind'], number> = { 'streamable-http': 0, sse: 0 };
    for (const s of this.sessions.values()) out[s.kind] += 1;
    return out;
  }

  /** True when another session may be opened. */
  hasRoom(): boolean {
    return this.sessions.size < this.opts.maxSessions;
  }

  get capacityMessage(): string {
    return `The server has reached its limit of ${this.opts.maxSessions} open MCP sessions (MCP_MAX_SESSIONS). Close unused sessions or retry later.`;
  }

  add(entry: Omit<SessionEntry, 'lastSeen'>): void {
    this.sessions.set(entry.id, { ...entry, lastSeen: this.now() });
  }

  /** The session, marked as used now; undefined when unknown or expired. */
  touch(id: string): SessionEntry | undefined {
    const s = this.sessions.get(id);
    if (s !== undefined) s.lastSeen = this.now();
    return s;
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  /** Close sessions idle for longer than the limit. */
  async sweep(): Promise<void> {
    const limit = this.now() - this.opts.idleSeconds * 1000;
    const idle = [...this.sessions.values()].filter((s) => s.lastSeen < limit);
    await Promise.all(idle.map((s) => this.closeOne(s, 'idle')));
  }

  private async closeOne(s: SessionEntry, reason: string): Promise<void> {
    this.sessions.delete(s.id);
    try {
      await s.close();
      this.opts.logger.info({ session: s.id, kind: s.kind, reason }, 'MCP session closed');
    } catch (err) {
      this.opts.logger.warn({ err, session: s.id }, 'MCP session did not close cleanly');
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.sessions.values()].map((s) => this.closeOne(s, 'shutdown')));
  }
}
