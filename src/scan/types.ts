/**
 * Contracts of the scan layer: what tools ask for (an inventory of resources over a scope) and
 * what they get back (resources, per-account outcomes, data_quality). Tools never see SDK
 * clients, caches or Fastify.
 */
import type { AccountInfo, DataQuality, ProgressReporter, ResourceRecord } from '../core/types.js';
import type { ServiceLogger } from './deps.js';

export interface InventoryRequest {
  /** Resolved account ids. `null` = single-account mode: the server's own account only, and the
   * answer keeps the single-account shape (seed UAT-2). */
  account_ids: string[] | null;
  /** Regions to scan; `null` = every enabled region, narrowed by ALLOWED_REGIONS. */
  regions: string[] | null;
  /** Registry type names, already validated. */
  resource_types: string[];
  /** Ignore cached inventory and read AWS again (the result replaces the cache). */
  force_refresh: boolean;
  signal: AbortSignal;
  progress?: ProgressReporter;
  /** Accounts the scope resolution left out (AccountDirectory.resolve `skipped`): reported as
   * `skipped` outcomes and named in data_quality.coverage_notes. */
  skipped_accounts?: { account_id: string; reason: string }[];
  /** Logger of the request this scan serves (request id, tool): the scan's log lines go there. */
  logger?: ServiceLogger;
}

/** One finished scan, for metrics. `outcome`: data_quality status, or why there is no inventory. */
export interface ScanEvent {
  outcome: 'complete' | 'partial' | 'cancelled' | 'rejected' | 'error';
  duration_ms: number;
  accounts: number;
  aws_calls: number;
  throttled: number;
}

export interface AccountScanOutcome {
  account_id: string;
  account_name: string | null;
  account_alias: string | null;
  /** succeeded: every cell read; partial: some cells failed; failed: nothing usable (role,
   * timeout); skipped: not scanned (suspended, excluded). */
  status: 'succeeded' | 'partial' | 'failed' | 'skipped';
  error: { code: string; message: string; role_arn: string | null } | null;
  duration_ms: number;
  resource_count: number;
}

export interface Inventory {
  multi_account: boolean;
  resources: ResourceRecord[];
  accounts: AccountScanOutcome[];
  /** Regions actually scanned (sorted). */
  regions: string[];
  resource_types: string[];
  data_quality: DataQuality;
  /** ISO time of the oldest inventory part used (cache parts can be older than now). */
  scanned_at: string;
  /** Cells served from cache / read from AWS during this call. */
  cells_from_cache: number;
  cells_scanned: number;
}

export interface InventoryService {
  collect(request: InventoryRequest): Promise<Inventory>;
  /** Drop cached inventory of one account (or everything). */
  invalidate(accountId?: string): Promise<void>;
  /** Subscribe to finished scans; returns the unsubscribe function. */
  observe?(listener: (event: ScanEvent) => void): () => void;
}

/** Which accounts the server can scan and how names map to ids. */
export interface AccountDirectory {
  readonly multiAccountEnabled: boolean;
  /** Configured or discovered accounts, the local account included, with status. */
  list(signal: AbortSignal): Promise<AccountInfo[]>;
  /** Resolve ids, names or aliases (case-insensitive) or `all`. Unknown names throw a UserError
   * before any AssumeRole. Suspended/excluded accounts come back in `skipped`. */
  resolve(names: string[], signal: AbortSignal): Promise<{ accounts: AccountInfo[]; skipped: { account_id: string; reason: string }[] }>;
  /** Outcome of the last credential attempt per account, for list_accounts. */
  lastAssumeRole(accountId: string): { ok: boolean; at: string; error: string | null } | null;
}

export interface CostLine {
  account_id: string;
  service: string;
  amount: number;
}

export interface CostReport {
  start: string;
  end: string;
  currency: 'USD';
  lines: CostLine[];
  /** Cost Explorer requests made for THIS answer (0 when served from cache). */
  cost_explorer_requests: number;
  from_cache: boolean;
}

export interface CostService {
  /** Spend by account and service over [start, end); one CE query for every account. */
  serviceCosts(req: { account_ids: string[]; start: string; end: string; force_refresh?: boolean; signal: AbortSignal }): Promise<CostReport>;
}
