/** S3 (REST-XML, path-style): ListBuckets, GetBucketTagging, GetBucketLocation. Buckets are global. */
import type { CallContext } from '../context.js';
import { SimError, xmlResponse, type WireResponse } from '../errors.js';
import { decodeToken, paginate } from '../paging.js';
import type { ParsedRequest } from '../router.js';
import type { SimAccount, SimResource } from '../types.js';
import { el, escapeXml, isoTime, wrap } from '../xml.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function bucketName(path: string): string {
  const [, first = ''] = path.split('/');
  return decodeURIComponent(first);
}

/** The S3 operation a REST request stands for (used for routing and statistics). */
export function s3Operation(req: ParsedRequest): string {
  const bucket = bucketName(req.path);
  if (bucket === '') return req.method === 'GET' ? 'ListBuckets' : 'Unsupported';
  if (req.method === 'GET' && req.query.has('tagging')) return 'GetBucketTagging';
  if (req.method === 'GET' && req.query.has('location')) return 'GetBucketLocation';
  return 'Unsupported';
}

function owner(account: SimAccount): string {
  return `<Owner>${el('ID', `${account.id}${'0'.repeat(52)}`)}${el('DisplayName', account.alias ?? account.name)}</Owner>`;
}

function listBuckets(ctx: CallContext, query: URLSearchParams): WireResponse {
  const maxParam = query.get('max-buckets');
  const requested = maxParam === null ? undefined : Number(maxParam);
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1 || requested > 10000)) {
    throw new SimError('InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000.', 400, { ArgumentName: 'max-buckets' });
  }
  const prefix = query.get('prefix') ?? '';
  const regionFilter = query.get('bucket-region');
  const buckets = ctx.state
    .resources(ctx.caller.account, 's3:bucket', null)
    .filter((b) => b.id.startsWith(prefix) && (regionFilter === null || b.region === regionFilter))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const scope = `s3:ListBuckets:${ctx.caller.account.id}:${prefix}:${regionFilter ?? ''}`;
  const token = query.get('continuation-token');
  let offset = 0;
  if (token !== null && token !== '') {
    const o = decodeToken(scope, token);
    if (o === null) throw new SimError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
    offset = o;
  }
  const page = paginate(buckets, scope, offset, ctx.state.pageSize('s3', 'ListBuckets', requested, 10000));
  const items = page.items
    .map((b) => `<Bucket>${el('Name', b.id)}${el('CreationDate', isoTime(b.created_at))}${el('BucketRegion', b.region)}</Bucket>`)
    .join('');
  return xmlResponse(
    `<ListAllMyBucketsResult xmlns="${NS}">${owner(ctx.caller.account)}${wrap('Buckets', items)}` +
      `${el('ContinuationToken', page.next)}${prefix === '' ? '' : el('Prefix', prefix)}</ListAllMyBucketsResult>`,
  );
}

/** Finds a bucket anywhere (bucket names are global); another account's bucket is AccessDenied. */
function findBucket(ctx: CallContext, name: string): SimResource {
  for (const account of ctx.state.fixture.accounts) {
    const bucket = account.resources.find((r) => r.type === 's3:bucket' && r.id === name);
    if (!bucket) continue;
    if (account.id !== ctx.caller.account.id) throw new SimError('AccessDenied', 'Access Denied', 403);
    return bucket;
  }
  throw new SimError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
}

function getBucketTagging(ctx: CallContext, name: string): WireResponse {
  const bucket = findBucket(ctx, name);
  const entries = Object.entries(bucket.tags);
  if (entries.length === 0) throw new SimError('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: name });
  const tags = entries.map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`).join('');
  return xmlResponse(`<Tagging xmlns="${NS}">${wrap('TagSet', tags)}</Tagging>`);
}

function getBucketLocation(ctx: CallContext, name: string): WireResponse {
  const bucket = findBucket(ctx, name);
  const region = bucket.region === 'us-east-1' ? '' : bucket.region;
  return xmlResponse(`<LocationConstraint xmlns="${NS}">${escapeXml(region)}</LocationConstraint>`);
}

export function handleS3(ctx: CallContext, operation: string, req: ParsedRequest): WireResponse {
  switch (operation) {
    case 'ListBuckets':
      return listBuckets(ctx, req.query);
    case 'GetBucketTagging':
      return getBucketTagging(ctx, bucketName(req.path));
    case 'GetBucketLocation':
      return getBucketLocation(ctx, bucketName(req.path));
    default:
      throw new SimError('NotImplemented', 'A header or query you provided implies functionality that is not implemented.', 501);
  }
}
