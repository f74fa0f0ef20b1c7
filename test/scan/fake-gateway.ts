/**
 * A fake AwsGateway for scan, accounts and costs tests: resources per cell, delays that honour
 * the abort signal, failures per cell or account, hanging accounts, and counters (calls, aborts,
 * accounts in flight).
 */
import { AwsAccessError, type AwsGateway, type CostQuery, type GatewayStats, type ServiceCostLine } from '../../src/aws/gateway.js';
import type { AccountInfo, CellRef, ResourceRecord } from '../../src/core/types.js';

export interface FakeAccount {
  regions: string[];
  /** `${region}|${type}` → records (region `global` for global types). */
  cells: Record<string, ResourceRecord[]>;
  /** ensureAccount fails with this code (AssumeRoleFailed, AccessDenied …). */
  assume_fails?: string;
  /** Every call of this account waits until aborted. */
  hang?: boolean;
  /** Only these cells (`${region}|${type}`) wait until aborted. */
  hang_cells?: string[];
  /** Cell failures: `${region}|${type}` → code. */
  cell_failures?: Record<string, string>;
}

export interface FakeOptions {
  local: string;
  accounts: Record<string, FakeAccount>;
  /** Delay of every call, ms (honours abort). */
  delay_ms?: number;
  org_accounts?: AccountInfo[];
  costs?: ServiceCostLine[];
}

export function record(account_id: string, region: string, type: string, id: string, tags: Record<string, string> = {}): ResourceRecord {
  return { arn: `arn:aws:${type.split(':')[0] ?? 'x'}:${region}:${account_id}:${id}`, id, name: null, type, account_id, region, tags, created_at: null, attributes: {} };
}

export class FakeGateway implements AwsGateway {
  readonly options: FakeOptions;
  readonly listCalls = new Map<string, number>();
  readonly ensureCalls: string[] = [];
  readonly regionCalls: string[] = [];
  readonly orgCalls: (string[] | undefined)[] = [];
  readonly costCalls: CostQuery[] = [];
  /** `${account}:${operation}` of every call that saw its signal abort. */
  readonly aborted: string[] = [];
  readonly inFlight = new Map<string, number>();
  maxAccountsInFlight = 0;
  /** Highest number of calls in flight at once inside one account. */
  readonly maxInFlight = new Map<string, number>();
  invalidated: (string | undefined)[] = [];

  constructor(options: FakeOptions) {
    this.options = options;
  }

  account(id: string): FakeAccount {
    const a = this.options.accounts[id];
    if (a === undefined) throw new AwsAccessError(`no such account ${id}`, { code: 'AssumeRoleFailed', account_id: id, role_arn: this.roleArnFor(id) });
    return a;
  }

  private async track<T>(accountId: string, op: string, signal: AbortSignal, hang: boolean, fn: () => T): Promise<T> {
    const now = (this.inFlight.get(accountId) ?? 0) + 1;
    this.inFlight.set(accountId, now);
    this.maxInFlight.set(accountId, Math.max(this.maxInFlight.get(accountId) ?? 0, now));
    let accounts = 0;
    for (const n of this.inFlight.values()) if (n > 0) accounts += 1;
    this.maxAccountsInFlight = Math.max(this.maxAccountsInFlight, accounts);
    try {
      await this.wait(accountId, op, signal, hang ? null : (this.options.delay_ms ?? 0));
      return fn();
    } finally {
      this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 1) - 1);
    }
  }

  /** Waits `ms` (null: forever) unless the signal aborts first. */
  private wait(accountId: string, op: string, signal: AbortSignal, ms: number | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.aborted.push(`${accountId}:${op}`);
        reject(signal.reason);
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      const timer =
        ms === null
          ? undefined
          : setTimeout(() => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async localAccountId(): Promise<string> {
    return this.options.local;
  }

  roleArnFor(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/FinOpsTagComplianceReadOnly`;
  }

  async ensureAccount(accountId: string, signal: AbortSignal): Promise<void> {
    this.ensureCalls.push(accountId);
    const a = this.options.accounts[accountId];
    await this.track(accountId, 'ensureAccount', signal, a?.hang === true, () => {
      const acc = this.account(accountId);
      if (acc.assume_fails !== undefined) {
        throw new AwsAccessError(`Could not assume role ${this.roleArnFor(accountId)}: access denied`, { code: acc.assume_fails, account_id: accountId, role_arn: this.roleArnFor(accountId) });
      }
    });
  }

  async enabledRegions(accountId: string, signal: AbortSignal): Promise<string[]> {
    this.regionCalls.push(accountId);
    const a = this.options.accounts[accountId];
    return this.track(accountId, 'enabledRegions', signal, a?.hang === true, () => [...this.account(accountId).regions]);
  }

  async listCell(cell: CellRef, signal: AbortSignal): Promise<ResourceRecord[]> {
    const key = `${cell.account_id}|${cell.region}|${cell.resource_type}`;
    this.listCalls.set(key, (this.listCalls.get(key) ?? 0) + 1);
    const a = this.options.accounts[cell.account_id];
    const cellKey = `${cell.region}|${cell.resource_type}`;
    const hang = a?.hang === true || (a?.hang_cells ?? []).includes(cellKey);
    return this.track(cell.account_id, `listCell:${cellKey}`, signal, hang, () => {
      const acc = this.account(cell.account_id);
      const failure = acc.cell_failures?.[cellKey];
      if (failure !== undefined) throw new AwsAccessError(`${failure} reading ${cell.resource_type} in ${cell.region}`, { code: failure, account_id: cell.account_id });
      return (acc.cells[cellKey] ?? []).map((r) => structuredClone(r));
    });
  }

  async listOrganizationAccounts(signal: AbortSignal, ouIds?: string[]): Promise<AccountInfo[]> {
    this.orgCalls.push(ouIds);
    return this.track(this.options.local, 'listOrganizationAccounts', signal, false, () => (this.options.org_accounts ?? []).map((a) => ({ ...a })));
  }

  async serviceCosts(query: CostQuery, signal: AbortSignal): Promise<ServiceCostLine[]> {
    this.costCalls.push(query);
    return this.track(this.options.local, 'serviceCosts', signal, false, () => (this.options.costs ?? []).map((l) => ({ ...l })));
  }

  invalidate(accountId?: string): void {
    this.invalidated.push(accountId);
  }

  stats(): GatewayStats {
    return { assume_role_calls: {}, assume_role_failures: {}, calls: {}, cost_explorer_requests: this.costCalls.length, throttled: 0 };
  }

  async close(): Promise<void> {}

  /** listCell calls of one account (all cells). */
  listCallsOf(accountId: string): number {
    let n = 0;
    for (const [k, v] of this.listCalls) if (k.startsWith(`${accountId}|`)) n += v;
    return n;
  }
}
