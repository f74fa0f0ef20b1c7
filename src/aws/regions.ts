/**
 * Enabled regions per account: EC2 DescribeRegions (only regions enabled for the account),
 * cached per account for an hour, narrowed by ALLOWED_REGIONS.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';

export const REGION_CACHE_TTL_MS = 60 * 60 * 1000;

/** Keep the enabled regions the configuration allows (order of the enabled list, sorted). */
export function narrowRegions(enabled: readonly string[], allowed: readonly string[] | null): string[] {
  const unique = [...new Set(enabled)].sort();
  return allowed === null ? unique : unique.filter((r) => allowed.includes(r));
}

export async function describeEnabledRegions(ec2: EC2Client, signal: AbortSignal): Promise<string[]> {
  const res = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }), { abortSignal: signal });
  return (res.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : []));
}

export class RegionCache {
  private readonly cache = new Map<string, { regions: string[]; at: number }>();

  constructor(private readonly opts: { allowed: readonly string[] | null; now: () => Date; ttlMs?: number }) {}

  async get(accountId: string, fetch: () => Promise<string[]>): Promise<string[]> {
    const now = this.opts.now().getTime();
    const hit = this.cache.get(accountId);
    if (hit !== undefined && now - hit.at < (this.opts.ttlMs ?? REGION_CACHE_TTL_MS)) return [...hit.regions];
    const regions = narrowRegions(await fetch(), this.opts.allowed);
    this.cache.set(accountId, { regions, at: now });
    return [...regions];
  }

  invalidate(accountId?: string): void {
    if (accountId === undefined) this.cache.clear();
    else this.cache.delete(accountId);
  }
}
