/** Client pool and shared HTTP handler: one handler for all, adaptive retries, endpoint, LRU eviction. */
import t from 'tap';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ClientPool, type ServiceKind } from '../../src/aws/client-pool.js';
import { createSharedHttp } from '../../src/aws/http.js';
import { StatsRecorder } from '../../src/aws/stats.js';
import { startSimulator } from '../../src/simulator/server.js';
import { MGMT, account, fixture, isolateNetwork } from './helpers.js';

isolateNetwork();

t.test('shared handler and agents', async (t) => {
  const http = createSharedHttp({ max_sockets: 7, request_timeout_ms: 1234 });
  t.teardown(() => http.destroy());
  t.equal(http.httpAgent.maxSockets, 7);
  t.equal(http.httpsAgent.maxSockets, 7);
  t.same(
    { keepAlive: (http.httpAgent as unknown as { keepAlive: boolean }).keepAlive },
    { keepAlive: true },
  );
  const cfg = http.options;
  t.equal(cfg.httpAgent, http.httpAgent);
  t.equal(cfg.requestTimeout, 1234);
  t.equal(cfg.connectionTimeout, 1234);
  t.equal(cfg.throwOnRequestTimeout, true);
});

t.test('clients: configuration, sharing, eviction', async (t) => {
  const sim = await startSimulator({ fixture: fixture([account(MGMT)]) });
  const http = createSharedHttp({ max_sockets: 8, request_timeout_ms: 5000 });
  const stats = new StatsRecorder();
  const pool = new ClientPool({ aws: { endpoint_url: sim.endpoint, max_attempts: 4 }, http, stats, credentialsFor: () => sim.credentials, max: 2 });
  t.teardown(async () => {
    pool.close();
    http.destroy();
    await sim.stop();
  });

  const kinds: ServiceKind[] = ['ec2', 'rds', 's3', 'tagging', 'ce', 'organizations', 'sts'];
  for (const kind of kinds) {
    const client = pool.get(kind, 'base', 'eu-west-1');
    t.equal(client.config.requestHandler, http.handler, `${kind} uses the shared handler`);
    const strategy = await client.config.retryStrategy();
    t.equal('mode' in strategy ? strategy.mode : null, 'adaptive', `${kind} adaptive retries`);
    t.equal(await client.config.maxAttempts(), 4, `${kind} maxAttempts from config`);
    t.equal(await client.config.region(), 'eu-west-1');
  }
  for (const client of [pool.get('ec2', 'base', 'eu-west-1'), pool.get('s3', 'base', 'eu-west-1')]) {
    const endpoint = await client.config.endpoint?.();
    t.equal(endpoint?.hostname, '127.0.0.1', 'endpoint override');
  }
  const s3 = pool.get('s3', 'base', 'eu-west-1');
  t.equal(s3.config.forcePathStyle, true, 'path-style S3 behind an endpoint');
  t.equal(s3.config.followRegionRedirects, false);
  t.equal(pool.size, 2, 'bounded by max');
  pool.evict('base');

  const sts1 = pool.get('sts', 'base', 'us-east-1');
  t.equal(pool.get('sts', 'base', 'us-east-1'), sts1, 'reused');
  let destroyed = 0;
  const original = sts1.destroy.bind(sts1);
  sts1.destroy = () => {
    destroyed += 1;
    original();
  };
  pool.get('ec2', 'base', 'us-east-1');
  pool.get('rds', 'base', 'us-east-1');
  t.equal(destroyed, 1, 'the least recently used client is destroyed on eviction');
  const sts2 = pool.get('sts', 'base', 'us-east-1');
  t.not(sts2, sts1, 'a fresh client after eviction');
  const who = await sts2.send(new GetCallerIdentityCommand({}), { abortSignal: new AbortController().signal });
  t.equal(who.Account, MGMT, 'the shared handler survived the evicted client');
  t.same(stats.snapshot().calls, { 'sts:GetCallerIdentity': 1 });

  pool.evict('base');
  t.equal(pool.size, 0, 'evict(owner) drops that owner');
});
