/** S3 bucket tags: NoSuchTagSet means "no tags"; any other GetBucketTagging failure fails the cell. */
import t from 'tap';
import { ClientPool } from '../../src/aws/client-pool.js';
import { toAwsAccessError } from '../../src/aws/errors.js';
import { createSharedHttp } from '../../src/aws/http.js';
import { listS3, regionFromLocation } from '../../src/aws/listers/s3.js';
import type { ListerContext } from '../../src/aws/listers/types.js';
import { StatsRecorder } from '../../src/aws/stats.js';
import { startSimulator } from '../../src/simulator/server.js';
import { MGMT, account, fixture, isolateNetwork, resource, signal } from './helpers.js';

isolateNetwork();

const cell = { account_id: MGMT, region: 'global', resource_type: 's3:bucket' };

t.test('GetBucketLocation answers (pure)', async (t) => {
  t.equal(regionFromLocation(''), 'us-east-1');
  t.equal(regionFromLocation(undefined), 'us-east-1');
  t.equal(regionFromLocation('EU'), 'eu-west-1');
  t.equal(regionFromLocation('ap-south-1'), 'ap-south-1');
});

t.test('S3 tag reads through real clients', async (t) => {
  const sim = await startSimulator({
    fixture: fixture([account(MGMT, [resource('s3:bucket', 'tagged', 'eu-west-1', { Team: 'x' }), resource('s3:bucket', 'never', 'us-east-1', {})])]),
  });
  const http = createSharedHttp({ max_sockets: 8, request_timeout_ms: 5000 });
  const stats = new StatsRecorder();
  const pool = new ClientPool({ aws: { endpoint_url: sim.endpoint, max_attempts: 1 }, http, stats, credentialsFor: () => sim.credentials });
  t.teardown(async () => {
    pool.close();
    http.destroy();
    await sim.stop();
  });
  let denyTagging = false;
  let hideBucketRegion = false;
  const instrumented = new WeakSet<object>();
  const ctx: ListerContext = {
    account_id: MGMT,
    partition: 'aws',
    home_region: 'us-east-1',
    bucket_call_concurrency: 2,
    client: (kind, region) => {
      const client = pool.get(kind, 'base', region);
      const s3 = kind === 's3' ? pool.get('s3', 'base', region) : null;
      if (s3 !== null && !instrumented.has(s3)) {
        instrumented.add(s3);
        // Stand-in for a bucket policy refusing s3:GetBucketTagging (answered before the wire).
        s3.middlewareStack.add(
          (next, context) => async (args) => {
            if (denyTagging && context.commandName === 'GetBucketTaggingCommand') {
              throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
            }
            const result = await next(args);
            // Stand-in for an endpoint that does not report BucketRegion in ListBuckets.
            if (hideBucketRegion && context.commandName === 'ListBucketsCommand') {
              const output = (result as { output?: { Buckets?: { BucketRegion?: string }[] } }).output;
              for (const b of output?.Buckets ?? []) delete b.BucketRegion;
            }
            return result;
          },
          { step: 'initialize', name: 'denyTaggingForTest' },
        );
      }
      return client;
    },
  };

  const ok = await listS3(ctx, cell, signal(), () => undefined);
  t.same(ok.map((b) => [b.id, b.region, b.tags]).sort(), [['never', 'us-east-1', {}], ['tagged', 'eu-west-1', { Team: 'x' }]], 'NoSuchTagSet ⇒ no tags');
  t.equal(stats.snapshot().calls['s3:GetBucketTagging'], 1);

  hideBucketRegion = true;
  const located = await listS3(ctx, cell, signal(), () => undefined);
  t.same(located.map((b) => [b.id, b.region]).sort(), [['never', 'us-east-1'], ['tagged', 'eu-west-1']], "GetBucketLocation ('' is us-east-1)");
  t.equal(stats.snapshot().calls['s3:GetBucketLocation'], 2);

  denyTagging = true;
  const err = await listS3(ctx, cell, signal(), () => undefined).then(() => null, (e: unknown) => e);
  t.ok(err !== null, 'AccessDenied on GetBucketTagging fails the cell instead of reporting no tags');
  const mapped = toAwsAccessError(err, { account_id: MGMT, role_arn: null, activity: 'listing s3:bucket' });
  t.equal(mapped.code, 'AccessDenied');
});
