/**
 * Several replicas: two whole apps on their own ports share one Redis and one simulator. A scan
 * on the first is served from the shared cache on the second (the simulator counts no second
 * AWS read), and the same scan started on both at once reads AWS once per cell.
 */
import t from 'tap';
import { startSimulator } from '../../src/simulator/server.js';
import { cachedCalls, comparable, purge, runPrefix, sharedRedisOrSkip, SHARED_REDIS_URL, startReplica, type Replica } from '../cache/redis-helpers.js';
import { isolateNetwork } from '../helpers/network.js';
import { acct, BAD_ENV, COMPLIANT, org, policyPath, res, ROLE, UNTAGGED } from './helpers.js';

isolateNetwork();

const MEMBER = '200000000002';
const OTHER = '300000000003';
const ACCOUNTS = [MEMBER, OTHER];
const fixture = org([
  acct(MEMBER, [res('ec2:instance', 'i-0000000000000a001', 'us-east-1', COMPLIANT), res('ec2:instance', 'i-0000000000000a002', 'eu-west-1', BAD_ENV), res('s3:bucket', 'member-bucket', 'eu-west-1', UNTAGGED)]),
  acct(OTHER, [res('ec2:instance', 'i-0000000000000b001', 'us-east-1', UNTAGGED), res('s3:bucket', 'other-bucket', 'us-east-1', COMPLIANT)]),
]);
// Per account: ec2:instance in 2 regions + s3:bucket (global) = 3 cells.
const ONE_SCAN = { 'ec2:DescribeRegions': 2, 'ec2:DescribeInstances': 4, 's3:ListBuckets': 2, 'ce:GetCostAndUsage': 1 };
const NO_CALLS = { 'ec2:DescribeRegions': 0, 'ec2:DescribeInstances': 0, 's3:ListBuckets': 0, 'ce:GetCostAndUsage': 0 };

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

t.test('two replicas sharing one Redis', async (t) => {
  if (!(await sharedRedisOrSkip(t, 'replicas end-to-end test'))) return;
  const sim = await startSimulator({ fixture });
  const prefixes: string[] = [];
  const replicas: Replica[] = [];
  t.teardown(async () => {
    for (const r of replicas) await r.app.close();
    await sim.stop();
    for (const p of prefixes) await purge(SHARED_REDIS_URL, p);
  });
  const pair = async (): Promise<[Replica, Replica]> => {
    const prefix = runPrefix('replicas');
    prefixes.push(prefix);
    const config = { policy_path: policyPath(), multi_account: { enabled: true, discovery: 'static' as const, role_name: ROLE, account_ids: ACCOUNTS } };
    const a = await startReplica(sim, SHARED_REDIS_URL, prefix, config);
    replicas.push(a);
    const b = await startReplica(sim, SHARED_REDIS_URL, prefix, config);
    replicas.push(b);
    return [a, b];
  };
  const scan = { account_ids: ACCOUNTS };

  t.test('a scan on the first replica is a cache hit on the second', async (t) => {
    const [a, b] = await pair();
    t.same((await a.health()).cache, { backend: 'redis', status: 'ok' });
    t.same([a.app.redis?.status, b.app.redis?.status], ['ready', 'ready'], 'app.redis: the shared client, for other plugins');
    const before = cachedCalls(sim);
    const first = await a.post('check_tag_compliance', scan);
    t.equal(first.status, 200);
    t.equal(first.body.total_resources, 5);
    t.same(diff(cachedCalls(sim), before), ONE_SCAN, 'the first replica read AWS once per cell');
    const afterFirst = cachedCalls(sim);
    const second = await b.post('check_tag_compliance', scan);
    t.equal(second.status, 200);
    t.same(diff(cachedCalls(sim), afterFirst), NO_CALLS, 'the second replica read nothing from AWS');
    t.same(comparable(second.body), comparable(first.body), 'and gave the same answer');
    const cost = await b.post('get_cost_attribution_gap', scan);
    t.equal(cost.status, 200);
    t.same(diff(cachedCalls(sim), afterFirst), NO_CALLS, 'Cost Explorer answers are shared too');
  });

  t.test('the same scan started on both at once reads AWS once per cell', async (t) => {
    const [a, b] = await pair();
    sim.setFaults({ latency_ms: 40 }); // both scans are surely in flight together
    t.teardown(() => sim.setFaults({}));
    const before = cachedCalls(sim);
    const [ra, rb] = await Promise.all([a.post('check_tag_compliance', scan), b.post('check_tag_compliance', scan)]);
    t.same([ra.status, rb.status], [200, 200]);
    t.same(diff(cachedCalls(sim), before), ONE_SCAN, 'one AWS read per cell, not two');
    t.same(comparable(rb.body), comparable(ra.body));
    t.equal(ra.body.total_resources, 5);
  });
});
