/**
 * Redis killed under load and started again, with the whole app: no request fails, scans read
 * AWS while Redis is gone (no cache), /health says degraded, and once Redis is back the cache
 * serves again without a restart of the app.
 */
import t from 'tap';
import { startSimulator } from '../../src/simulator/server.js';
import { acct, BAD_ENV, COMPLIANT, org, policyPath, res, ROLE, UNTAGGED } from '../e2e/helpers.js';
import { isolateNetwork } from '../helpers/network.js';
import { cachedCalls, eventually, redisServerOrSkip, runPrefix, startPrivateRedis, startReplica } from './redis-helpers.js';

isolateNetwork();

const MEMBER = '200000000002';
const fixture = org([acct(MEMBER, [res('ec2:instance', 'i-0000000000000a001', 'us-east-1', COMPLIANT), res('ec2:instance', 'i-0000000000000a002', 'eu-west-1', BAD_ENV), res('s3:bucket', 'member-bucket', 'eu-west-1', UNTAGGED)])]);
// One account: ec2:instance in 2 regions + s3:bucket = 3 cells, one region lookup, one CE call.
const ONE_SCAN = { 'ec2:DescribeRegions': 1, 'ec2:DescribeInstances': 2, 's3:ListBuckets': 1, 'ce:GetCostAndUsage': 1 };
const NO_CALLS = { 'ec2:DescribeRegions': 0, 'ec2:DescribeInstances': 0, 's3:ListBuckets': 0, 'ce:GetCostAndUsage': 0 };
// Without the result cache: every cell and the CE answer again (the gateway keeps its own region list).
const UNCACHED_SCAN = { ...ONE_SCAN, 'ec2:DescribeRegions': 0 };

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

t.test('Redis killed mid-run and restarted', async (t) => {
  if (!(await redisServerOrSkip(t, 'Redis outage test'))) return;
  const redis = await startPrivateRedis();
  const sim = await startSimulator({ fixture });
  const app = await startReplica(sim, redis.url, runPrefix('outage'), { policy_path: policyPath(), multi_account: { enabled: true, discovery: 'static', role_name: ROLE, account_ids: [MEMBER] } });
  t.teardown(async () => {
    await app.app.close();
    await sim.stop();
    await redis.stop();
  });
  const scan = { account_ids: [MEMBER] };

  // Healthy: the second scan is served from Redis.
  t.same(await app.health().then((h) => [h.status, h.cache]), ['ok', { backend: 'redis', status: 'ok' }]);
  let before = cachedCalls(sim);
  const first = await app.post('check_tag_compliance', scan);
  t.equal(first.status, 200);
  t.same(diff(cachedCalls(sim), before), ONE_SCAN);
  before = cachedCalls(sim);
  t.equal((await app.post('check_tag_compliance', scan)).status, 200);
  t.same(diff(cachedCalls(sim), before), NO_CALLS, 'cache hit while Redis is up');

  // Kill Redis while requests are in flight: every one of them still answers.
  sim.setFaults({ latency_ms: 30 });
  const inFlight = Array.from({ length: 6 }, (_, i) => app.post('check_tag_compliance', { ...scan, force_refresh: i % 2 === 0 }));
  await new Promise((r) => setTimeout(r, 20));
  await redis.kill();
  const answers = await Promise.all(inFlight);
  t.same(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200], 'no request failed while Redis died');
  for (const a of answers) t.equal(a.body.total_resources, 3);
  sim.setFaults({});

  // Down: scans keep answering, each one reads AWS (no cache), health says degraded.
  t.ok(await eventually(async () => (await app.health()).cache.status === 'degraded'), 'the cache reports degraded');
  const down = await app.health();
  t.same([down.status, down.cache], ['degraded', { backend: 'redis', status: 'degraded' }]);
  for (let i = 0; i < 2; i++) {
    before = cachedCalls(sim);
    const r = await app.post('check_tag_compliance', scan);
    t.equal(r.status, 200);
    t.equal(r.body.total_resources, 3);
    t.same(diff(cachedCalls(sim), before), UNCACHED_SCAN, `scan ${i + 1} without cache read AWS`);
  }

  // Back: the app reconnects by itself; the cache works again.
  await redis.restart();
  t.ok(await eventually(async () => (await app.health()).cache.status === 'ok'), 'the cache recovers without a restart');
  t.same(await app.health().then((h) => [h.status, h.cache]), ['ok', { backend: 'redis', status: 'ok' }]);
  before = cachedCalls(sim);
  t.equal((await app.post('check_tag_compliance', scan)).status, 200);
  t.same(diff(cachedCalls(sim), before), UNCACHED_SCAN, 'the restarted Redis is empty: one more AWS read');
  before = cachedCalls(sim);
  const cached = await app.post('check_tag_compliance', scan);
  t.equal(cached.status, 200);
  t.same(diff(cachedCalls(sim), before), NO_CALLS, 'and then cache hits again');
  t.equal(cached.body.total_resources, 3);
});
