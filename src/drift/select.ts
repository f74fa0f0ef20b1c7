/**
 * Which stored snapshots to compare (pure): the baseline nearest to `lookback_days` ago, the
 * current side (a recent stored snapshot, unless the caller scans), and the scope both can see.
 *
 * Coverage: a snapshot fully covers a request when its scope holds every requested account and
 * type (and every requested region; without a region filter any region set will do, the compared
 * regions are then the ones both sides scanned). A partially covering snapshot (at least one
 * account and one type in common) is used only when no full one exists, and the answer then
 * names what could not be compared. Accounts whose scan failed in a snapshot (absent from its
 * per-account aggregates) are never compared: their resources would look created or deleted.
 */
import type { SnapshotSummary } from '../store/types.js';

export interface DriftScopeRequest {
  account_ids: readonly string[];
  /** null: every region each side scanned. */
  regions: readonly string[] | null;
  resource_types: readonly string[];
}

export type Coverage = 'full' | 'partial' | 'none';

/** The snapshot fields the selection reads. */
export type SnapshotMeta = Pick<SnapshotSummary, 'id' | 'taken_at' | 'scope' | 'accounts' | 'data_quality_status'>;

const subset = (want: readonly string[], have: readonly string[]): boolean => want.every((x) => have.includes(x));
const overlaps = (want: readonly string[], have: readonly string[]): boolean => want.some((x) => have.includes(x));

export function coverage(s: SnapshotMeta, req: DriftScopeRequest): Coverage {
  const { scope } = s;
  const regionsFull = req.regions === null || subset(req.regions, scope.regions);
  if (subset(req.account_ids, scope.account_ids) && subset(req.resource_types, scope.resource_types) && regionsFull) return 'full';
  const regionsOverlap = req.regions === null || scope.regions.length === 0 || overlaps(req.regions, scope.regions);
  if (overlaps(req.account_ids, scope.account_ids) && overlaps(req.resource_types, scope.resource_types) && regionsOverlap) return 'partial';
  return 'none';
}

/** Accounts a snapshot actually read (its per-account aggregates list only scanned accounts). */
export function readAccounts(s: SnapshotMeta): string[] {
  const inScope = new Set(s.scope.account_ids);
  return [...new Set(s.accounts.map((a) => a.account_id))].filter((a) => inScope.has(a)).sort();
}

export interface BaselineChoice<S extends SnapshotMeta> {
  snapshot: S;
  coverage: Exclude<Coverage, 'none'>;
}

/**
 * The snapshot taken strictly before `before` (and other than `excludeId`) nearest in time to
 * `targetMs`, among those fully covering the request; else among partially covering ones. Ties
 * go to the older snapshot (it spans more of the asked period).
 */
export function chooseBaseline<S extends SnapshotMeta>(
  snapshots: readonly S[],
  opts: { targetMs: number; before: string; excludeId?: string | null; request: DriftScopeRequest },
): BaselineChoice<S> | null {
  const candidates = snapshots.filter((s) => s.taken_at < opts.before && s.id !== opts.excludeId);
  for (const level of ['full', 'partial'] as const) {
    let best: S | null = null;
    let bestDistance = Infinity;
    for (const s of candidates) {
      if (coverage(s, opts.request) !== level) continue;
      const t = Date.parse(s.taken_at);
      const distance = Math.abs(t - opts.targetMs);
      if (distance < bestDistance || (distance === bestDistance && best !== null && s.taken_at < best.taken_at)) {
        best = s;
        bestDistance = distance;
      }
    }
    if (best !== null) return { snapshot: best, coverage: level };
  }
  return null;
}

/**
 * The newest snapshot taken in [notBefore, notAfter] that fully covers the request with complete
 * data (a partial one would hide resources as deleted), or null.
 */
export function chooseCurrent<S extends SnapshotMeta>(snapshots: readonly S[], opts: { notBefore: string; notAfter: string; request: DriftScopeRequest }): S | null {
  let best: S | null = null;
  for (const s of snapshots) {
    if (s.taken_at < opts.notBefore || s.taken_at > opts.notAfter) continue;
    if (s.data_quality_status !== 'complete' || coverage(s, opts.request) !== 'full') continue;
    if (best === null || s.taken_at >= best.taken_at) best = s;
  }
  return best;
}

export interface ComparedScope {
  account_ids: string[];
  /** Regions compared for regional types (global types are compared whatever their region). */
  regions: string[];
  resource_types: string[];
  /** Requested but not compared, and why (for the answer's note). */
  left_out: { accounts_not_in_baseline: string[]; accounts_unread: string[]; types_not_in_baseline: string[]; regions_not_in_baseline: string[] };
}

const intersect = (a: readonly string[], b: readonly string[]): string[] => [...new Set(a)].filter((x) => b.includes(x)).sort();

/**
 * What both sides can see: requested accounts both read, requested types both scanned, requested
 * regions (or the current side's regions) both scanned.
 */
export function comparedScope(request: DriftScopeRequest, baseline: SnapshotMeta, current: { scope: SnapshotMeta['scope']; read_accounts: readonly string[] }): ComparedScope {
  const baseRead = readAccounts(baseline);
  const inBaseScope = intersect(request.account_ids, baseline.scope.account_ids);
  const accounts = intersect(intersect(inBaseScope, baseRead), current.read_accounts);
  const types = intersect(intersect(request.resource_types, baseline.scope.resource_types), current.scope.resource_types);
  const wantRegions = request.regions ?? current.scope.regions;
  const regions = intersect(intersect(wantRegions, baseline.scope.regions), current.scope.regions);
  return {
    account_ids: accounts,
    regions,
    resource_types: types,
    left_out: {
      accounts_not_in_baseline: request.account_ids.filter((a) => !baseline.scope.account_ids.includes(a)).sort(),
      accounts_unread: inBaseScope.filter((a) => !accounts.includes(a)).sort(),
      types_not_in_baseline: request.resource_types.filter((t) => !types.includes(t)).sort(),
      regions_not_in_baseline: wantRegions.filter((r) => current.scope.regions.includes(r) && !baseline.scope.regions.includes(r)).sort(),
    },
  };
}
