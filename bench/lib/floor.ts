/**
 * The critical-path floor of a multi-account scan: the least wall time any implementation with
 * the same concurrency limits could reach when every AWS call costs `latency_ms` and CPU is free.
 *
 *   floor = (prologue + account_makespan + epilogue) × latency_ms
 *
 * - prologue: calls that must finish before the first account starts, one after another
 *   (sts:GetCallerIdentity, then organizations:ListAccounts pages). Taken from the observed
 *   call counts, since the directory's paging is not this file's business.
 * - account chain (one account): AssumeRole (member accounts; the server's own account uses its
 *   base credentials) → ec2:DescribeRegions (when a regional type is scanned) → its cells, at
 *   most MAX_CONCURRENT_CELLS_PER_ACCOUNT at once. A cell's pages are strictly sequential (each
 *   page carries the next token), so a cell costs `pages` round trips; S3 costs ListBuckets pages,
 *   then one GetResources walk per bucket region (sequential), then GetBucketTagging for untagged
 *   buckets in rounds of the bucket-call concurrency (8).
 * - account_makespan: accounts, at most MAX_CONCURRENT_ACCOUNTS at once.
 * - epilogue: Cost Explorer GetCostAndUsage pages (after the inventory; observed count).
 *
 * "Waves" is the formula: items in fixed groups of the limit, each group as long as its
 * longest item, groups one after another. The code uses a pool (a slot is refilled as soon as
 * it frees), which can only be shorter; `pool` simulates that exact schedule in plan order. The
 * floor is the pool figure (the tighter bound); both are printed. With equal cells they agree.
 */
import { getResourceType } from '../../src/aws/registry.js';
import type { SimAccount, SimFixture, SimResource } from '../../src/simulator/types.js';

export interface FloorInput {
  fixture: SimFixture;
  /** Types the scan reads. */
  resourceTypes: readonly string[];
  /** Simulator page caps (`service:Operation` or `service`). */
  pageSize: Partial<Record<string, number>>;
  maxConcurrentAccounts: number;
  maxConcurrentCells: number;
  bucketCallConcurrency: number;
  /** Sequential calls before the first account / after the last (observed). */
  prologueCalls: number;
  epilogueCalls: number;
}

export interface FloorResult {
  accounts: number;
  cellsPerAccount: number;
  /** Longest single cell, in round trips. */
  longestCell: number;
  /** Σ pages over every cell of every account. */
  totalCellCalls: number;
  /** Per-account chain length (round trips) under the cell limit, pool and waves. */
  accountChainPool: number[];
  accountChainWaves: number[];
  /** Round trips on the critical path, whole scan. */
  stepsPool: number;
  stepsWaves: number;
}

function pages(n: number, size: number): number {
  return Math.max(1, Math.ceil(n / size));
}

/** Mirrors the simulator: requested (or fallback) capped by `page_size`. */
function sizeFor(caps: Partial<Record<string, number>>, service: string, op: string, requested: number): number {
  const cap = caps[`${service}:${op}`] ?? caps[service] ?? Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(requested, cap));
}

function everTagged(r: SimResource): boolean {
  return r.ever_tagged ?? Object.keys(r.tags).length > 0;
}

/** Round trips of one cell (the requests the project's listers make, page sizes they ask for). */
export function cellCalls(account: SimAccount, type: string, region: string | null, caps: Partial<Record<string, number>>, bucketConcurrency: number): number {
  const of = (t: string, reg: string | null): SimResource[] => account.resources.filter((r) => r.type === t && (reg === null || r.region === reg));
  const info = getResourceType(type);
  if (info === undefined) throw new Error(`unknown type ${type}`);
  switch (type) {
    case 'ec2:instance': return pages(of(type, region).length, sizeFor(caps, 'ec2', 'DescribeInstances', 1000));
    case 'ec2:volume': return pages(of(type, region).length, sizeFor(caps, 'ec2', 'DescribeVolumes', 500));
    case 'ec2:snapshot': return pages(of(type, region).length, sizeFor(caps, 'ec2', 'DescribeSnapshots', 1000));
    case 'ec2:natgateway': return pages(of(type, region).length, sizeFor(caps, 'ec2', 'DescribeNatGateways', 1000));
    case 'ec2:elastic-ip': return 1;
    case 'rds:db': return pages(of(type, region).length, sizeFor(caps, 'rds', 'DescribeDBInstances', 100));
    case 'rds:cluster': return pages(of(type, region).length, sizeFor(caps, 'rds', 'DescribeDBClusters', 100));
    case 's3:bucket': {
      const buckets = of(type, null);
      let calls = pages(buckets.length, sizeFor(caps, 's3', 'ListBuckets', 1000));
      const regions = [...new Set(buckets.map((b) => b.region))];
      for (const reg of regions) calls += pages(account.resources.filter((r) => r.region === reg && r.type === 's3:bucket' && everTagged(r)).length, sizeFor(caps, 'tagging', 'GetResources', 100));
      const untagged = buckets.filter((b) => Object.keys(b.tags).length === 0).length;
      return calls + Math.ceil(untagged / Math.max(1, bucketConcurrency));
    }
    default: {
      // Tagging API types; global ones are read in us-east-1.
      const reg = info.global ? 'us-east-1' : region;
      return pages(of(type, reg).filter(everTagged).length, sizeFor(caps, 'tagging', 'GetResources', 100));
    }
  }
}

/** Makespan of `durations` started in order on `limit` slots, each slot refilled when it frees. */
export function poolMakespan(durations: readonly number[], limit: number): number {
  const slots = new Array<number>(Math.max(1, Math.min(limit, durations.length))).fill(0);
  for (const d of durations) {
    let min = 0;
    for (let i = 1; i < slots.length; i++) if ((slots[i] ?? 0) < (slots[min] ?? 0)) min = i;
    slots[min] = (slots[min] ?? 0) + d;
  }
  return slots.reduce((a, b) => Math.max(a, b), 0);
}

/** Fixed groups of `limit`, each as long as its longest item, one after another. */
export function wavesMakespan(durations: readonly number[], limit: number): number {
  let total = 0;
  for (let i = 0; i < durations.length; i += Math.max(1, limit)) total += Math.max(0, ...durations.slice(i, i + Math.max(1, limit)));
  return total;
}

export function criticalPath(input: FloorInput): FloorResult {
  const { fixture } = input;
  const regionalTypes = [...input.resourceTypes].filter((t) => getResourceType(t)?.global !== true).sort();
  const globalTypes = [...input.resourceTypes].filter((t) => getResourceType(t)?.global === true).sort();
  const mgmt = fixture.organization.management_account_id;
  const active = fixture.accounts.filter((a) => a.status === 'ACTIVE');
  const pool: number[] = [];
  const waves: number[] = [];
  let longest = 0;
  let total = 0;
  let cellsPerAccount = 0;
  for (const account of active) {
    const regions = [...(account.regions ?? fixture.regions)].sort();
    // Plan order of src/scan/plan.ts: regions × regional types, then each global type once.
    const cells: number[] = [];
    for (const region of regions) for (const t of regionalTypes) cells.push(cellCalls(account, t, region, input.pageSize, input.bucketCallConcurrency));
    for (const t of globalTypes) cells.push(cellCalls(account, t, null, input.pageSize, input.bucketCallConcurrency));
    cellsPerAccount = Math.max(cellsPerAccount, cells.length);
    for (const c of cells) {
      longest = Math.max(longest, c);
      total += c;
    }
    const head = (account.id === mgmt ? 0 : 1) + (regionalTypes.length > 0 ? 1 : 0);
    pool.push(head + poolMakespan(cells, input.maxConcurrentCells));
    waves.push(head + wavesMakespan(cells, input.maxConcurrentCells));
  }
  const ends = input.prologueCalls + input.epilogueCalls;
  return {
    accounts: active.length,
    cellsPerAccount,
    longestCell: longest,
    totalCellCalls: total,
    accountChainPool: pool,
    accountChainWaves: waves,
    stepsPool: ends + poolMakespan(pool, input.maxConcurrentAccounts),
    stepsWaves: ends + wavesMakespan(waves, input.maxConcurrentAccounts),
  };
}
