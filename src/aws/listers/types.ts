/** The one interface every lister implements, and the small helpers they share. */
import type { CellRef, ResourceRecord, Tags } from '../../core/types.js';
import type { ClientMap, ServiceKind } from '../client-pool.js';
import { AwsAccessError } from '../gateway.js';

export interface ListerContext {
  account_id: string;
  /** Partition of the account's ARNs (aws, aws-us-gov, aws-cn …). */
  partition: string;
  /** Home region (AWS_REGION): ListBuckets and other account-wide calls go there. */
  home_region: string;
  /** A client of this account for a service in a region (shared, pooled). */
  client<K extends ServiceKind>(kind: K, region: string): ClientMap[K];
  /** Most per-bucket S3 calls in flight at once. */
  bucket_call_concurrency: number;
}

/** Read one cell to the end (every page); `onPage` receives the count read so far. */
export type Lister = (ctx: ListerContext, cell: CellRef, signal: AbortSignal, onPage: (readSoFar: number) => void) => Promise<ResourceRecord[]>;

export function tagsFromList(list: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Tags {
  const tags: Tags = {};
  for (const t of list ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return tags;
}

export function isoOrNull(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Fetch pages until the service stops returning a token. A token that repeats would loop
 * forever; it fails the cell instead of returning a short list.
 */
export async function drainPages<P>(
  fetchPage: (token: string | undefined) => Promise<P>,
  nextToken: (page: P) => string | undefined,
  onPage: (page: P) => void,
  where: { account_id: string; operation: string },
): Promise<void> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await fetchPage(token);
    onPage(page);
    const next = nextToken(page);
    if (next === undefined || next === '') return;
    if (seen.has(next)) {
      throw new AwsAccessError(`${where.operation} in account ${where.account_id} returned the same page token twice; the listing cannot be completed.`, { code: 'Unknown', account_id: where.account_id });
    }
    seen.add(next);
    token = next;
  }
}

export function unknownType(cell: CellRef, lister: string): AwsAccessError {
  return new AwsAccessError(`The ${lister} lister does not handle resource type ${cell.resource_type}.`, { code: 'NotFound', account_id: cell.account_id });
}
