/**
 * Cost service: spend by account × service over a period, from ONE Cost Explorer query for every
 * account of the request (never one per account — CE charges per request), cached for
 * COST_CACHE_TTL_SECONDS with single flight.
 *
 * One cache entry per period holds the lines of every account asked for so far (`covered`). A
 * request it covers is served from it; a request with a new account, or a forced refresh, makes
 * one query for the union and replaces the entry. So overlapping account sets always see the
 * same figures for the same account, and a refresh for one set refreshes them all.
 */
import type { AwsGateway, ServiceCostLine } from '../aws/gateway.js';
import { UserError } from '../core/errors.js';
import type { AppConfig } from '../config/types.js';
import type { ResultCache } from '../cache/types.js';
import { costKey } from '../cache/keys.js';
import type { ServiceLogger } from '../scan/deps.js';
import type { CostLine, CostReport, CostService } from '../scan/types.js';

/** The cached answer of one period: the accounts it was asked for and their lines. */
interface CoveredCosts {
  accounts: string[];
  lines: ServiceCostLine[];
}

export interface CostServiceDeps {
  gateway: AwsGateway;
  cache: ResultCache;
  config: AppConfig;
  logger: ServiceLogger;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Locale-independent order (stable across hosts). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkDate(value: string, field: 'start' | 'end'): void {
  const parsed = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (parsed === null || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new UserError(`${field} must be a calendar date in the form YYYY-MM-DD, got "${value}"`, { field: `/${field}` });
  }
}

export function createCostService(deps: CostServiceDeps): CostService {
  const { gateway, cache, config, logger } = deps;

  return {
    async serviceCosts(req): Promise<CostReport> {
      checkDate(req.start, 'start');
      checkDate(req.end, 'end');
      if (req.start >= req.end) throw new UserError(`start (${req.start}) must be before end (${req.end}); end is exclusive`, { field: '/end' });
      const accounts = [...new Set(req.account_ids)].sort();
      if (accounts.length === 0) return { start: req.start, end: req.end, currency: 'USD', lines: [], cost_explorer_requests: 0, from_cache: false };

      const key = costKey(req.start, req.end);
      const cached = await cache.get<CoveredCosts>(key);
      const covered = cached?.value.accounts ?? [];
      const coversAll = cached !== undefined && accounts.every((a) => covered.includes(a));
      const union = [...new Set([...covered, ...accounts])].sort();
      const loaded = await cache.getOrLoad<CoveredCosts>(
        key,
        config.cache.cost_ttl_seconds,
        async (signal) => ({ accounts: union, lines: await gateway.serviceCosts({ account_ids: union, start: req.start, end: req.end }, signal) }),
        { signal: req.signal, forceRefresh: req.force_refresh === true || !coversAll },
      );
      const wanted = new Set(accounts);
      const lines: CostLine[] = loaded.value.lines
        .filter((l) => wanted.has(l.account_id))
        .map((l) => ({ account_id: l.account_id, service: l.service, amount: l.amount }))
        .sort((a, b) => cmp(a.account_id, b.account_id) || cmp(a.service, b.service));
      const requests = loaded.source === 'loaded' ? 1 : 0;
      logger.debug({ accounts: accounts.length, start: req.start, end: req.end, source: loaded.source, lines: lines.length }, 'service costs');
      return { start: req.start, end: req.end, currency: 'USD', lines, cost_explorer_requests: requests, from_cache: loaded.source === 'cache' };
    },
  };
}
