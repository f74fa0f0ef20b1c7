/**
 * S3 buckets (one global cell per account). ListBuckets (every page) finds every bucket,
 * tagged or not; each bucket's region comes from BucketRegion, else GetBucketLocation.
 * Tags come from the Tagging API (GetResources 's3' in each region that holds buckets), and
 * GetBucketTagging is called only for buckets that API did not return with tags (never tagged
 * or emptied). NoSuchTagSet means "no tags"; any other failure fails the cell.
 */
import { GetBucketLocationCommand, GetBucketTaggingCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { ResourceRecord, Tags } from '../../core/types.js';
import { mapLimit } from '../abort.js';
import { parseArn } from '../arn.js';
import { errorName } from '../errors.js';
import { getAllTaggedResources } from './tagging.js';
import { drainPages, isoOrNull, tagsFromList, unknownType, type Lister, type ListerContext } from './types.js';

interface Bucket {
  name: string;
  region: string | null;
  created_at: string | null;
}

/** GetBucketLocation's answer → region ('' or absent is us-east-1, 'EU' is eu-west-1). */
export function regionFromLocation(constraint: string | undefined | null): string {
  if (constraint === undefined || constraint === null || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

async function listBuckets(ctx: ListerContext, signal: AbortSignal): Promise<Bucket[]> {
  const s3 = ctx.client('s3', ctx.home_region);
  const buckets: Bucket[] = [];
  await drainPages(
    (ContinuationToken) => s3.send(new ListBucketsCommand({ MaxBuckets: 1000, ...(ContinuationToken ? { ContinuationToken } : {}) }), { abortSignal: signal }),
    (p) => p.ContinuationToken,
    (p) => {
      for (const b of p.Buckets ?? []) {
        if (b.Name) buckets.push({ name: b.Name, region: b.BucketRegion ?? null, created_at: isoOrNull(b.CreationDate) });
      }
    },
    { account_id: ctx.account_id, operation: 's3:ListBuckets' },
  );
  return buckets;
}

async function bucketRegion(ctx: ListerContext, bucket: Bucket, signal: AbortSignal): Promise<string> {
  if (bucket.region !== null && bucket.region !== '') return bucket.region;
  const res = await ctx.client('s3', ctx.home_region).send(new GetBucketLocationCommand({ Bucket: bucket.name }), { abortSignal: signal });
  return regionFromLocation(res.LocationConstraint);
}

async function bucketTags(ctx: ListerContext, name: string, region: string, signal: AbortSignal): Promise<Tags> {
  try {
    const res = await ctx.client('s3', region).send(new GetBucketTaggingCommand({ Bucket: name }), { abortSignal: signal });
    return tagsFromList(res.TagSet);
  } catch (err) {
    if (errorName(err) === 'NoSuchTagSet') return {};
    throw err;
  }
}

export const listS3: Lister = async (ctx, cell, signal, onPage) => {
  if (cell.resource_type !== 's3:bucket') throw unknownType(cell, 'S3');
  const listed = await listBuckets(ctx, signal);
  const regions = await mapLimit(listed, ctx.bucket_call_concurrency, (b) => bucketRegion(ctx, b, signal));
  const buckets = listed.map((b, i) => ({ ...b, region: regions[i] ?? 'us-east-1' }));

  const byRegion = new Map<string, Set<string>>();
  for (const b of buckets) {
    const names = byRegion.get(b.region) ?? new Set<string>();
    names.add(b.name);
    byRegion.set(b.region, names);
  }
  // Tags from the Tagging API, one GetResources walk per region that holds buckets.
  const tagsByName = new Map<string, Tags>();
  for (const [region, names] of byRegion) {
    await getAllTaggedResources(ctx, region, ['s3'], signal, (mappings) => {
      for (const m of mappings) {
        const arn = m.ResourceARN ? parseArn(m.ResourceARN) : null;
        if (arn === null || arn.service !== 's3' || arn.resource.includes('/') || !names.has(arn.resource)) continue;
        const tags = tagsFromList(m.Tags);
        if (Object.keys(tags).length > 0) tagsByName.set(arn.resource, tags);
      }
    });
  }
  onPage(tagsByName.size);

  // GetBucketTagging only for the rest (never tagged, or emptied).
  const rest = buckets.filter((b) => !tagsByName.has(b.name));
  let done = tagsByName.size;
  await mapLimit(rest, ctx.bucket_call_concurrency, async (b) => {
    tagsByName.set(b.name, await bucketTags(ctx, b.name, b.region, signal));
    done += 1;
    onPage(done);
  });

  return buckets.map((b): ResourceRecord => ({
    arn: `arn:${ctx.partition}:s3:::${b.name}`,
    id: b.name,
    name: b.name,
    type: 's3:bucket',
    account_id: ctx.account_id,
    region: b.region,
    tags: tagsByName.get(b.name) ?? {},
    created_at: b.created_at,
    attributes: {},
  }));
};
