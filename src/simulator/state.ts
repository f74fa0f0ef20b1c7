/** Mutable simulator state: fixture, simulated clock, issued sessions, statistics and faults. */
import { randomBytes } from 'node:crypto';
import { FaultInjector } from './faults.js';
import { expiredToken, unknownKey } from './errors.js';
import type { SimAccount, SimFixture, SimFaults, SimResource, SimStats } from './types.js';

export const MANAGEMENT_ACCESS_KEY_ID = 'AKIASIMULATORMGMT001';
export const MANAGEMENT_SECRET_ACCESS_KEY = 'simulator-secret-access-key-not-checked';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  expiration: Date;
}

/** Who is calling: the management account's base user, or an assumed-role session. */
export interface Caller {
  account: SimAccount;
  arn: string;
  userId: string;
  session?: Session;
}

function emptyStats(): SimStats {
  return { calls: {}, calls_by_account: {}, assume_role: {}, max_in_flight: 0, max_accounts_in_flight: 0, throttled: 0, in_flight: 0, expired_tokens: {}, denied: {}, clock_jumps: [] };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export class SimState {
  fixture: SimFixture;
  readonly faults: FaultInjector;
  private clockOffsetMs = 0;
  private readonly sessions = new Map<string, Session>();
  private sessionCounter = 0;
  private statsData: SimStats = emptyStats();
  private inFlight = 0;
  private readonly inFlightByAccount = new Map<string, number>();

  constructor(
    fixture: SimFixture,
    faults: SimFaults,
    private readonly pageSizes: Partial<Record<string, number>>,
  ) {
    this.fixture = fixture;
    this.faults = new FaultInjector(faults);
  }

  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  account(id: string): SimAccount | undefined {
    return this.fixture.accounts.find((a) => a.id === id);
  }

  managementAccount(): SimAccount {
    const id = this.fixture.organization.management_account_id;
    const acct = this.account(id);
    if (!acct) throw new Error(`Simulator fixture has no management account ${id}`);
    return acct;
  }

  isManagement(accountId: string): boolean {
    return accountId === this.fixture.organization.management_account_id;
  }

  /** Regions enabled in an account. */
  regionsOf(account: SimAccount): string[] {
    return account.regions ?? this.fixture.regions;
  }

  /** Resources of one type in one account (and region, unless `region` is null). */
  resources(account: SimAccount, type: string, region: string | null): SimResource[] {
    return account.resources.filter((r) => r.type === type && (region === null || r.region === region));
  }

  /**
   * Page size for an operation: what the caller asked for (or `fallback`), capped by the configured
   * cap (`page_size['service:Operation']`, then `page_size[service]`). Range checks of the
   * requested value against AWS's own limits are the protocol handler's job.
   */
  pageSize(service: string, operation: string, requested: number | undefined, fallback: number): number {
    const cap = this.pageSizes[`${service}:${operation}`] ?? this.pageSizes[service] ?? Number.POSITIVE_INFINITY;
    return Math.max(1, Math.min(requested ?? fallback, cap));
  }

  /** Resolves an access key to a caller; throws the service's own error for unknown/expired keys. */
  identify(service: string, accessKeyId: string, sessionToken: string | undefined): Caller {
    if (accessKeyId === MANAGEMENT_ACCESS_KEY_ID) {
      const account = this.managementAccount();
      return { account, arn: `arn:aws:iam::${account.id}:user/simulator-admin`, userId: 'AIDASIMULATORADMIN01' };
    }
    const session = this.sessions.get(accessKeyId);
    if (!session || (sessionToken !== undefined && sessionToken !== session.sessionToken)) throw unknownKey(service);
    if (session.expiration.getTime() <= this.now().getTime()) {
      bump(this.statsData.expired_tokens, session.accountId);
      throw expiredToken(service);
    }
    const account = this.account(session.accountId);
    if (!account) throw unknownKey(service);
    return {
      account,
      arn: `arn:aws:sts::${account.id}:assumed-role/${session.roleName}/${session.sessionName}`,
      userId: `${roleId(account.id, session.roleName)}:${session.sessionName}`,
      session,
    };
  }

  issueSession(accountId: string, roleName: string, sessionName: string, durationSeconds: number): Session {
    this.sessionCounter += 1;
    const accessKeyId = `ASIASIM${String(this.sessionCounter).padStart(13, '0')}`;
    const session: Session = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `SIMTOKEN${randomBytes(48).toString('base64')}`,
      accountId,
      roleName,
      sessionName,
      expiration: new Date(this.now().getTime() + durationSeconds * 1000),
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  // ---- statistics ----

  stats(): SimStats {
    return structuredClone({ ...this.statsData, in_flight: this.inFlight });
  }

  resetStats(): void {
    this.statsData = emptyStats();
    this.statsData.max_in_flight = this.inFlight;
    this.statsData.max_accounts_in_flight = this.inFlightByAccount.size;
  }

  recordCall(service: string, operation: string, accountId: string): void {
    bump(this.statsData.calls, `${service}:${operation}`);
    bump(this.statsData.calls_by_account, accountId);
  }

  recordAssumeRole(targetAccountId: string): void {
    bump(this.statsData.assume_role, targetAccountId);
  }

  recordThrottled(): void {
    this.statsData.throttled += 1;
  }

  recordDenied(accountId: string): void {
    bump(this.statsData.denied, accountId);
  }

  /** Applies the call-triggered faults due after this call of `accountId` (expiry, clock jumps). */
  applyCallFaults(accountId: string): void {
    const due = this.faults.onCall(accountId);
    if (due.expireSessions) this.expireSessions(accountId);
    for (const jump of due.jumps) {
      this.advanceClock(jump.advance_ms);
      this.statsData.clock_jumps.push(jump);
    }
  }

  /** Every session issued for the account so far expires now (simulated clock). */
  expireSessions(accountId: string): void {
    const now = this.now();
    for (const s of this.sessions.values()) if (s.accountId === accountId && s.expiration > now) s.expiration = now;
  }

  /** Marks a request in flight; returns the function that ends it (idempotent). */
  enter(accountId: string): () => void {
    this.inFlight += 1;
    this.inFlightByAccount.set(accountId, (this.inFlightByAccount.get(accountId) ?? 0) + 1);
    this.statsData.max_in_flight = Math.max(this.statsData.max_in_flight, this.inFlight);
    this.statsData.max_accounts_in_flight = Math.max(this.statsData.max_accounts_in_flight, this.inFlightByAccount.size);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
      const n = (this.inFlightByAccount.get(accountId) ?? 1) - 1;
      if (n <= 0) this.inFlightByAccount.delete(accountId);
      else this.inFlightByAccount.set(accountId, n);
    };
  }
}

/** Stable role id (AROA…) for a role in an account. */
export function roleId(accountId: string, roleName: string): string {
  let h = 2166136261;
  for (const ch of `${accountId}/${roleName}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `AROA${h.toString(36).toUpperCase().padStart(8, '0')}SIM${accountId.slice(-5)}`;
}

