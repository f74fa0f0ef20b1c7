/**
 * Scanning one account: credentials (30 s limit), enabled regions (cached), then every
 * region × type cell through the cache with bounded concurrency, all under the account's
 * ACCOUNT_SCAN_TIMEOUT_SECONDS. At the limit the account's in-flight AWS calls are aborted and
 * its unfinished cells are reported failed with code `Timeout`. Only a cancelled request makes
 * this throw; every other problem becomes part of the account's outcome.
 */
import { AwsAccessError, type AwsGateway } from '../aws/gateway.js';
import { CancelledError, UserError } from '../core/errors.js';
import type { AccountInfo, CellRef, ResourceRecord } from '../core/types.js';
import type { AppConfig } from '../config/types.js';
import type { LoadSource, ResultCache } from '../cache/types.js';
import { inventoryKey, regionsKey } from '../cache/keys.js';
import { abortable, runLimited } from './concurrency.js';
import type { AssumeRoleRecorder, ServiceLogger } from './deps.js';
import { accountLabel, accountRegions, fallbackRegions, planCells, splitTypes } from './plan.js';
import type { AccountProgress } from './progress.js';
import type { AccountScanOutcome } from './types.js';
import type { CallTally } from '../aws/stats.js';

export interface CellResult {
  cell: CellRef;
  records: ResourceRecord[];
  /** When the records were read from AWS (cache entries can be older than this scan). */
  stored_at: string | null;
  source: LoadSource | null;
  error: { code: string; message: string; role_arn: string | null } | null;
}

export interface AccountScanResult {
  outcome: AccountScanOutcome;
  cells: CellResult[];
  /** Regions this account was scanned in (without `global`). */
  regions: string[];
  notes: string[];
}

export interface AccountScanContext {
  gateway: AwsGateway;
  cache: ResultCache;
  config: AppConfig;
  logger: ServiceLogger;
  now: () => Date;
  recorder: AssumeRoleRecorder | null;
  regions: string[] | null;
  resource_types: string[];
  force_refresh: boolean;
  requestSignal: AbortSignal;
  credentialTimeoutMs: number;
  /** AWS calls made for this account (counted by the gateway while the scan runs). */
  tally?: CallTally;
}

type Failure = { code: string; message: string; role_arn: string | null };

const ROLE_CODES = new Set(['AccessDenied', 'AssumeRoleFailed', 'ExpiredToken']);

export async function scanAccount(ctx: AccountScanContext, account: AccountInfo, progress: AccountProgress): Promise<AccountScanResult> {
  const id = account.account_id;
  const label = accountLabel(account);
  const startedMs = ctx.now().getTime();
  let alias: string | null = account.alias;
  /** The alias lookup in flight (settles, never rejects); awaited before the outcome is built. */
  let aliasRead: Promise<void> = Promise.resolve();
  const timeoutS = ctx.config.multi_account.account_scan_timeout_seconds;
  const ttl = ctx.config.cache.ttl_seconds;
  if (ctx.requestSignal.aborted) throw new CancelledError();

  // The account's own signal: aborted by the request, or by the account time limit.
  const controller = new AbortController();
  let timedOut = false;
  const onRequestAbort = (): void => controller.abort(ctx.requestSignal.reason);
  ctx.requestSignal.addEventListener('abort', onRequestAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new AwsAccessError(`Scan of account ${id} reached ACCOUNT_SCAN_TIMEOUT_SECONDS (${timeoutS} s)`, { code: 'Timeout', account_id: id }));
  }, timeoutS * 1000);
  const signal = controller.signal;

  const roleArn = (): string | null => (account.is_local ? null : ctx.gateway.roleArnFor(id));

  /** Map an error to the account's outcome; a cancelled request propagates. */
  const classify = (err: unknown, credTimedOut = false): Failure => {
    if (ctx.requestSignal.aborted) throw new CancelledError();
    if (timedOut) return { code: 'Timeout', message: `Not finished within ACCOUNT_SCAN_TIMEOUT_SECONDS (${timeoutS} s); the account's remaining AWS calls were stopped`, role_arn: null };
    if (credTimedOut) return { code: 'Timeout', message: `Getting credentials for the account took longer than ${Math.round(ctx.credentialTimeoutMs / 1000)} s`, role_arn: roleArn() };
    if (err instanceof AwsAccessError) {
      return { code: err.code, message: err.message, role_arn: err.role_arn ?? (ROLE_CODES.has(err.code) ? roleArn() : null) };
    }
    if (err instanceof UserError) throw err;
    ctx.logger.error({ err, account_id: id }, 'unexpected error while scanning an account');
    return { code: 'Internal', message: 'Unexpected internal error while reading this account; the server log has the details', role_arn: null };
  };

  const finishFailed = (failure: Failure, regions: string[]): AccountScanResult => {
    const cells = planCells(id, regions, ctx.resource_types).map((cell) => ({ cell, records: [], stored_at: null, source: null, error: failure }));
    progress.plan(cells.length);
    return finish(cells, [], [], failure);
  };

  const finish = (cells: CellResult[], regions: string[], notes: string[], accountFailure: Failure | null): AccountScanResult => {
    const failed = cells.filter((c) => c.error !== null);
    const okCount = cells.length - failed.length;
    const resources = cells.reduce((n, c) => n + c.records.length, 0);
    const status: AccountScanOutcome['status'] = accountFailure !== null ? 'failed' : failed.length === 0 ? 'succeeded' : okCount === 0 ? 'failed' : 'partial';
    const error = accountFailure ?? summarizeFailures(failed);
    const duration_ms = Math.max(0, ctx.now().getTime() - startedMs);
    const outcome: AccountScanOutcome = { account_id: id, account_name: account.name, account_alias: alias, status, error, duration_ms, resource_count: resources };
    progress.finish(status === 'succeeded' ? `done, ${resources} resources` : `${status} (${error?.code ?? 'Unknown'}), ${okCount}/${cells.length} cells read`);
    ctx.logger.info(
      {
        account_id: id,
        status,
        duration_ms,
        resources,
        cells: cells.length,
        cells_failed: failed.length,
        cells_from_cache: cells.filter((c) => c.source === 'cache').length,
        aws_calls: ctx.tally?.calls ?? null,
        throttles: ctx.tally?.throttled ?? null,
        ...(error === null ? {} : { error_code: error.code }),
      },
      `account scan ${status}: ${label}`,
    );
    return { outcome, cells, regions, notes };
  };

  try {
    // 1. Credentials, bounded separately (a hung STS must not eat the whole account budget).
    let credTimedOut = false;
    const credController = new AbortController();
    const onAccountAbort = (): void => credController.abort(signal.reason);
    signal.addEventListener('abort', onAccountAbort, { once: true });
    const credTimer = setTimeout(() => {
      credTimedOut = true;
      credController.abort(new AwsAccessError(`Credentials for account ${id} timed out`, { code: 'Timeout', account_id: id }));
    }, ctx.credentialTimeoutMs);
    try {
      await abortable(ctx.gateway.ensureAccount(id, credController.signal), credController.signal);
      ctx.recorder?.recordAssumeRole(id, true, null);
      if (ctx.gateway.accountAlias !== undefined) {
        // Best effort: an alias that cannot be read (older roles without iam:ListAccountAliases)
        // never fails the scan; the account is simply shown without one. Read beside the
        // regions and cells, not before them: it is not on the account's critical path.
        const readAlias = ctx.gateway.accountAlias.bind(ctx.gateway);
        aliasRead = abortable(readAlias(id, signal), signal).then(
          (found) => {
            alias = found;
            ctx.recorder?.recordAlias?.(id, found);
          },
          (err: unknown) => {
            ctx.logger.debug({ account_id: id, err: err instanceof Error ? err.message : String(err) }, 'account alias not readable');
            ctx.recorder?.recordAlias?.(id, alias);
          },
        );
      }
    } catch (err) {
      const failure = classify(err, credTimedOut);
      ctx.recorder?.recordAssumeRole(id, false, failure.message);
      return finishFailed(failure, fallbackRegions(ctx.regions, ctx.config.aws.allowed_regions));
    } finally {
      clearTimeout(credTimer);
      signal.removeEventListener('abort', onAccountAbort);
    }

    // 2. Regions (only when a regional type is asked for).
    let regions: string[] = [];
    const notes: string[] = [];
    if (splitTypes(ctx.resource_types).regional.length > 0) {
      try {
        const enabled = await ctx.cache.getOrLoad(regionsKey(id), ttl, (s) => ctx.gateway.enabledRegions(id, s), { signal, forceRefresh: ctx.force_refresh });
        const picked = accountRegions(enabled.value, ctx.regions, ctx.config.aws.allowed_regions);
        regions = picked.regions;
        if (picked.not_enabled.length > 0) notes.push(`Region(s) ${picked.not_enabled.join(', ')} are not enabled in account ${label}: nothing to read there.`);
      } catch (err) {
        await aliasRead;
        return finishFailed(classify(err), fallbackRegions(ctx.regions, ctx.config.aws.allowed_regions));
      }
    }

    // 3. Cells, bounded per account; each one complete or failed.
    const plan = planCells(id, regions, ctx.resource_types);
    progress.plan(plan.length);
    const results: (CellResult | undefined)[] = new Array<CellResult | undefined>(plan.length);
    await runLimited(
      plan,
      ctx.config.scan.max_concurrent_cells_per_account,
      async (cell, index) => {
        const result = await readCell(ctx, cell, signal, classify);
        results[index] = result;
        progress.cellDone(result.error === null, result.records.length);
        ctx.logger.debug({ account_id: id, region: cell.region, resource_type: cell.resource_type, resources: result.records.length, source: result.source, error_code: result.error?.code ?? null }, 'cell finished');
      },
      () => signal.aborted,
    );
    await aliasRead;
    if (ctx.requestSignal.aborted) throw new CancelledError();
    const cells = plan.map((cell, i) => results[i] ?? { cell, records: [], stored_at: null, source: null, error: classify(signal.reason) });
    return finish(cells, regions, notes, null);
  } finally {
    clearTimeout(timer);
    ctx.requestSignal.removeEventListener('abort', onRequestAbort);
    // Normally nothing is left in flight here; after an unexpected error this stops stragglers.
    if (!signal.aborted) controller.abort(new Error(`scan of account ${id} ended`));
  }
}

async function readCell(ctx: AccountScanContext, cell: CellRef, signal: AbortSignal, classify: (err: unknown) => Failure): Promise<CellResult> {
  try {
    const loaded = await ctx.cache.getOrLoad(
      inventoryKey(cell.account_id, cell.region, cell.resource_type),
      ctx.config.cache.ttl_seconds,
      async (s) => {
        const records = await ctx.gateway.listCell(cell, s);
        assertOwnAccount(cell, records);
        return records;
      },
      { signal, forceRefresh: ctx.force_refresh },
    );
    // Cache entries are checked again on the way out: one account's data never serves another.
    assertOwnAccount(cell, loaded.value);
    return { cell, records: loaded.value, stored_at: loaded.stored_at, source: loaded.source, error: null };
  } catch (err) {
    return { cell, records: [], stored_at: null, source: null, error: classify(err) };
  }
}

function assertOwnAccount(cell: CellRef, records: readonly ResourceRecord[]): void {
  for (const r of records) {
    if (r.account_id !== cell.account_id) {
      throw new AwsAccessError(`A ${cell.resource_type} record read in account ${cell.account_id} claims another account; the cell was discarded`, { code: 'InconsistentData', account_id: cell.account_id });
    }
  }
}

function summarizeFailures(failed: readonly CellResult[]): Failure | null {
  const first = failed[0]?.error;
  if (first === undefined || first === null) return null;
  const counts = new Map<string, number>();
  for (const c of failed) if (c.error !== null) counts.set(c.error.code, (counts.get(c.error.code) ?? 0) + 1);
  const byCode = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = byCode[0]?.[0] ?? first.code;
  const main = failed.find((c) => c.error?.code === top)?.error ?? first;
  const breakdown = byCode.map(([code, n]) => `${code} ×${n}`).join(', ');
  return { code: top, message: `${failed.length} cell(s) failed (${breakdown}): ${main.message}`, role_arn: failed.find((c) => c.error?.role_arn != null)?.error?.role_arn ?? null };
}

/**
 * Outcome for an account whose scan broke unexpectedly (a bug, not AWS): every cell it was asked
 * for is reported failed with code `Internal`, so data_quality stays exact and other accounts
 * are unaffected.
 */
export function internalFailure(ctx: Pick<AccountScanContext, 'regions' | 'resource_types' | 'config'>, account: AccountInfo): AccountScanResult {
  const error = { code: 'Internal', message: 'Unexpected internal error while reading this account; the server log has the details', role_arn: null };
  const cells = planCells(account.account_id, fallbackRegions(ctx.regions, ctx.config.aws.allowed_regions), ctx.resource_types).map((cell) => ({ cell, records: [], stored_at: null, source: null, error }));
  return {
    outcome: { account_id: account.account_id, account_name: account.name, account_alias: account.alias, status: 'failed', error, duration_ms: 0, resource_count: 0 },
    cells,
    regions: [],
    notes: [],
  };
}
