/**
 * The inventory service: scope → accounts in parallel (≤ MAX_CONCURRENT_ACCOUNTS) → cells through
 * the result cache → one Inventory with per-account outcomes and exact data_quality.
 * The cache holds inventory only; verdicts are computed by the caller on every answer.
 */
import type { AwsGateway } from '../aws/gateway.js';
import { withCallTally, type CallTally } from '../aws/stats.js';
import { CancelledError, UserError } from '../core/errors.js';
import type { AccountInfo, CellFailure, DataQuality, ResourceRecord } from '../core/types.js';
import type { AppConfig } from '../config/types.js';
import type { ResultCache } from '../cache/types.js';
import { inventoryPrefix, regionsKey, regionsPrefix } from '../cache/keys.js';
import { noteUncacheable } from '../cache/read-log.js';
import { internalFailure, scanAccount, type AccountScanContext, type AccountScanResult } from './account-scan.js';
import { abortable, createSemaphore } from './concurrency.js';
import type { AssumeRoleRecorder, ServiceLogger } from './deps.js';
import { accountLabel, coverageNotes, splitTypes, uniqueSorted, validateRequestedRegions } from './plan.js';
import { ScanProgress } from './progress.js';
import type { AccountDirectory, AccountScanOutcome, Inventory, InventoryRequest, InventoryService, ScanEvent } from './types.js';

export interface InventoryServiceDeps {
  gateway: AwsGateway;
  cache: ResultCache;
  /** The directory; when it can record AssumeRole outcomes (ours can), every attempt is reported. */
  accounts: AccountDirectory & Partial<AssumeRoleRecorder>;
  config: AppConfig;
  logger: ServiceLogger;
  now?: () => Date;
  /** Limit on getting one account's credentials (default 30 s). */
  credentialTimeoutMs?: number;
}

const SKIP_STATUSES = new Set<AccountInfo['status']>(['SUSPENDED', 'PENDING_CLOSURE']);

export function createInventoryService(deps: InventoryServiceDeps): InventoryService {
  const { gateway, cache, accounts, config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const credentialTimeoutMs = deps.credentialTimeoutMs ?? 30_000;
  const listeners = new Set<(event: ScanEvent) => void>();
  const recorder: AssumeRoleRecorder | null =
    typeof accounts.recordAssumeRole === 'function'
      ? { recordAssumeRole: accounts.recordAssumeRole.bind(accounts), ...(typeof accounts.recordAlias === 'function' ? { recordAlias: accounts.recordAlias.bind(accounts) } : {}) }
      : null;

  /** The accounts to scan and the ones deliberately left out, in request order. */
  async function scope(request: InventoryRequest): Promise<{ scan: AccountInfo[]; skipped: { account: AccountInfo; reason: string }[] }> {
    if (request.account_ids === null) {
      const local = await abortable(gateway.localAccountId(request.signal), request.signal);
      return { scan: [{ account_id: local, name: null, alias: null, ou: null, status: 'ACTIVE', is_local: true }], skipped: [] };
    }
    const ids = [...new Set(request.account_ids)];
    if (ids.length === 0) throw new UserError('account_ids is empty: name at least one account, or leave it out to scan the server\'s own account', { field: '/account_ids' });
    // Defence in depth: only accounts of the directory are ever scanned (no AssumeRole anywhere else).
    const known = new Map((await accounts.list(request.signal)).map((a) => [a.account_id, a]));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new UserError(`Account(s) ${unknown.join(', ')} are not in the configured account set; list_accounts shows the accounts this server can scan`, { field: '/account_ids' });
    const scan: AccountInfo[] = [];
    const skipped: { account: AccountInfo; reason: string }[] = [];
    for (const id of ids) {
      const info = known.get(id);
      if (info === undefined) continue;
      if (SKIP_STATUSES.has(info.status)) skipped.push({ account: info, reason: `account is ${info.status}` });
      else scan.push(info);
    }
    for (const s of request.skipped_accounts ?? []) {
      if (skipped.some((x) => x.account.account_id === s.account_id) || scan.some((a) => a.account_id === s.account_id)) continue;
      const info = known.get(s.account_id) ?? { account_id: s.account_id, name: null, alias: null, ou: null, status: 'UNKNOWN' as const, is_local: false };
      skipped.push({ account: info, reason: s.reason });
    }
    return { scan, skipped };
  }

  /** Requested regions are checked against ALLOWED_REGIONS and the server account's enabled regions before any scan. */
  async function checkRegions(request: InventoryRequest, types: string[]): Promise<string[] | null> {
    if (request.regions === null) return null;
    let enabled: string[] | null = null;
    if (splitTypes(types).regional.length > 0) {
      try {
        const local = await abortable(gateway.localAccountId(request.signal), request.signal);
        enabled = (await cache.getOrLoad(regionsKey(local), config.cache.ttl_seconds, (s) => gateway.enabledRegions(local, s), { signal: request.signal })).value;
      } catch (err) {
        if (request.signal.aborted) throw new CancelledError();
        // Without the list the per-account step still narrows to enabled regions and says so.
        logger.warn({ err }, 'could not read the enabled regions of the server account; requested regions checked by name only');
      }
    }
    return validateRequestedRegions(request.regions, config.aws.allowed_regions, enabled);
  }

  /** One scan, its AWS calls counted (all accounts together and each account apart), reported to observers. */
  async function collect(request: InventoryRequest): Promise<Inventory> {
    const tally: CallTally = { calls: 0, throttled: 0 };
    const startedMs = now().getTime();
    let accounts = 0;
    const report = (outcome: ScanEvent['outcome']): void => {
      const event: ScanEvent = { outcome, duration_ms: Math.max(0, now().getTime() - startedMs), accounts, aws_calls: tally.calls, throttled: tally.throttled };
      for (const l of listeners) l(event);
    };
    try {
      const inventory = await withCallTally(tally, () => scan(request, request.logger ?? logger, tally, (n) => (accounts = n)));
      report(inventory.data_quality.status);
      return inventory;
    } catch (err) {
      report(err instanceof CancelledError || request.signal.aborted ? 'cancelled' : err instanceof UserError ? 'rejected' : 'error');
      throw err;
    }
  }

  async function scan(request: InventoryRequest, logger: InventoryServiceDeps['logger'], tally: CallTally, onScope: (accounts: number) => void): Promise<Inventory> {
    const { signal } = request;
    if (signal.aborted) throw new CancelledError();
    const startedMs = now().getTime();
    const types = [...new Set(request.resource_types)];
    if (types.length === 0) throw new UserError('resource_types is empty: name at least one resource type', { field: '/resource_types' });

    let scoped: Awaited<ReturnType<typeof scope>>;
    let regions: string[] | null;
    try {
      scoped = await scope(request);
      regions = await checkRegions(request, types);
    } catch (err) {
      if (signal.aborted) throw new CancelledError();
      throw err;
    }
    const multi = request.account_ids !== null;
    onScope(scoped.scan.length);
    logger.info(
      { multi_account: multi, accounts: scoped.scan.map((a) => a.account_id), skipped_accounts: scoped.skipped.map((s) => s.account.account_id), regions: regions ?? 'enabled', resource_types: types, force_refresh: request.force_refresh },
      `scan started: ${scoped.scan.length} account(s), ${types.length} type(s)`,
    );

    const progress = new ScanProgress(request.progress, scoped.scan.length);
    const ctx: AccountScanContext = { gateway, cache, config, logger, now, recorder, regions, resource_types: types, force_refresh: request.force_refresh, requestSignal: signal, credentialTimeoutMs };
    const semaphore = createSemaphore(config.multi_account.max_concurrent_accounts);
    const settled = await Promise.allSettled(
      scoped.scan.map(async (account) => {
        const release = await semaphore.acquire(signal);
        try {
          const accountTally: CallTally = { calls: 0, throttled: 0 };
          return await withCallTally(accountTally, () => scanAccount({ ...ctx, tally: accountTally }, account, progress.forAccount(account.account_id, accountLabel(account))));
        } finally {
          release();
        }
      }),
    );
    if (signal.aborted) {
      logger.info({ duration_ms: now().getTime() - startedMs }, 'scan cancelled');
      throw new CancelledError();
    }
    const results: AccountScanResult[] = [];
    settled.forEach((s, i) => {
      const account = scoped.scan[i];
      if (s.status === 'fulfilled') results.push(s.value);
      else if (s.reason instanceof UserError || account === undefined) throw s.reason;
      else {
        // One account's unexpected failure never fails the others.
        logger.error({ err: s.reason, account_id: account.account_id }, 'account scan failed unexpectedly');
        results.push(internalFailure(ctx, account));
      }
    });

    const inventory = assemble(multi, types, regions, results, scoped.skipped, startedMs);
    logger.info(
      {
        duration_ms: now().getTime() - startedMs,
        accounts: results.length,
        accounts_failed: results.filter((r) => r.outcome.status === 'failed').length,
        accounts_partial: results.filter((r) => r.outcome.status === 'partial').length,
        resources: inventory.resources.length,
        cells_requested: inventory.data_quality.cells_requested,
        cells_failed: inventory.data_quality.failed.length,
        cells_from_cache: inventory.cells_from_cache,
        cells_scanned: inventory.cells_scanned,
        aws_calls: tally.calls,
        throttles: tally.throttled,
        data_quality: inventory.data_quality.status,
      },
      `scan finished: ${inventory.data_quality.status}`,
    );
    return inventory;
  }

  function assemble(multi: boolean, types: string[], regions: string[] | null, results: AccountScanResult[], skipped: { account: AccountInfo; reason: string }[], startedMs: number): Inventory {
    const failed: CellFailure[] = [];
    let complete = 0;
    let requested = 0;
    let fromCache = 0;
    let scanned = 0;
    let oldest: string | null = null;
    const regionSet = new Set<string>();
    const resources: ResourceRecord[] = [];
    const notes: string[] = [];
    for (const r of results) {
      for (const region of r.regions) regionSet.add(region);
      notes.push(...r.notes);
      for (const c of r.cells) {
        requested += 1;
        if (c.error !== null) {
          failed.push({ ...c.cell, error_code: c.error.code, message: c.error.message });
          continue;
        }
        complete += 1;
        if (c.source === 'cache') fromCache += 1;
        else scanned += 1;
        if (c.stored_at !== null && (oldest === null || c.stored_at < oldest)) oldest = c.stored_at;
        // A loop, not push(...records): one cell can hold more records than the call stack allows as arguments.
        for (const r of c.records) resources.push(r);
      }
    }
    // Failures are never cached, so an answer built on them must not be kept either: the next
    // call tries the failed account or cell again (src/cache/read-log.ts).
    if (failed.length > 0) noteUncacheable(`${failed.length} cell(s) failed`);
    const data_quality: DataQuality = {
      status: failed.length === 0 ? 'complete' : 'partial',
      cells_requested: requested,
      cells_complete: complete,
      failed: collapseWholeAccountFailures(failed, results),
      coverage_notes: [...coverageNotes({ resource_types: types, regions_filtered: regions !== null, skipped }), ...notes],
    };
    const outcomes: AccountScanOutcome[] = results.map((r) => r.outcome);
    for (const s of skipped) {
      outcomes.push({ account_id: s.account.account_id, account_name: s.account.name, account_alias: s.account.alias, status: 'skipped', error: { code: 'Skipped', message: s.reason, role_arn: null }, duration_ms: 0, resource_count: 0 });
    }
    return {
      multi_account: multi,
      resources,
      accounts: outcomes,
      regions: uniqueSorted([...regionSet]),
      resource_types: types,
      data_quality,
      scanned_at: oldest ?? new Date(startedMs).toISOString(),
      cells_from_cache: fromCache,
      cells_scanned: scanned,
    };
  }

  return {
    collect,
    observe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async invalidate(accountId?: string): Promise<void> {
      const removed = await cache.deleteByPrefix(inventoryPrefix(accountId));
      if (accountId === undefined) await cache.deleteByPrefix(regionsPrefix());
      else await cache.delete(regionsKey(accountId));
      logger.info({ account_id: accountId ?? 'all', entries: removed }, 'inventory cache invalidated');
    },
  };
}

/**
 * When every cell of an account failed with the same error (a broken role, a timeout before any
 * cell finished), report one entry for the account instead of one copy per cell. Partial
 * failures stay listed cell by cell: that is the exact list of what is missing.
 */
export function collapseWholeAccountFailures(failed: CellFailure[], results: readonly AccountScanResult[]): CellFailure[] {
  const whole = new Map<string, CellFailure>();
  for (const r of results) {
    const first = r.cells[0]?.error;
    if (r.cells.length < 2 || first == null) continue;
    if (!r.cells.every((c) => c.error !== null && c.error.code === first.code && c.error.message === first.message)) continue;
    whole.set(r.outcome.account_id, { account_id: r.outcome.account_id, region: '*', resource_type: '*', error_code: first.code, message: first.message, cells: r.cells.length });
  }
  if (whole.size === 0) return failed;
  const out: CellFailure[] = [];
  for (const f of failed) {
    const w = whole.get(f.account_id);
    if (w === undefined) out.push(f);
    else if (!out.includes(w)) out.push(w);
  }
  return out;
}
