/**
 * Rate limits per principal: REST answers 429 with Retry-After; MCP tools/call answers an
 * isError result saying when to retry; scanning tools have their own, tighter limit; counts are
 * shared between transports; Redis is used when the app has one.
 */
import t from 'tap';
import { Redis } from 'ioredis';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FallbackWindowCounter, MemoryWindowCounter, RedisWindowCounter } from '../../src/auth/window-counter.js';
import { isolateNetwork } from '../helpers/network.js';
import { API_KEYS, KEYS, bearer, secretScan, securedApp } from './helpers.js';

isolateNetwork();

const limits = (perMinute: number, scansPerMinute: number) => ({
  auth: { mode: 'api_key' as const, api_keys: API_KEYS },
  security: { rate_limit_per_minute: perMinute, rate_limit_scans_per_minute: scansPerMinute },
});

t.test('REST: scanning tools limited separately and more tightly; 429 with Retry-After and a clear message', async (t) => {
  const { app, lines } = await securedApp(limits(4, 2));
  t.teardown(() => app.close());
  const scan = secretScan();
  const call = (tool: string, key = KEYS.alice) => app.inject({ method: 'POST', url: `/tools/${tool}`, headers: bearer(key), payload: {} });
  t.equal((await call('echo_scope')).statusCode, 200);
  t.equal((await call('echo_scope')).statusCode, 200);
  const limited = await call('echo_scope');
  t.equal(limited.statusCode, 429);
  const retry = Number(limited.headers['retry-after']);
  t.ok(retry >= 1 && retry <= 60, `Retry-After ${retry} is within the minute`);
  t.same(limited.json(), {
    error: 'rate_limited',
    message: `Rate limit reached: at most 2 calls of tools that scan AWS per minute for this caller (RATE_LIMIT_SCANS_PER_MINUTE). Retry in ${retry} seconds; cached answers (same arguments, no force_refresh) do not need a new call.`,
    request_id: limited.headers['x-request-id'],
  });
  // Non-scanning tools still have their own budget (4): refuse answers 400 (the tool's own error).
  for (let i = 0; i < 4; i++) t.equal((await call('refuse')).statusCode, 400);
  const fifth = await call('refuse');
  t.equal(fifth.statusCode, 429);
  t.match(fifth.json().message, /^Rate limit reached: at most 4 tool calls per minute for this caller \(RATE_LIMIT_PER_MINUTE\)\. Retry in \d+ seconds/);
  // Another key is not affected; GET /tools is not a tool call.
  t.equal((await call('echo_scope', KEYS.admin)).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/tools', headers: bearer(KEYS.alice) })).statusCode, 200);
  // The bridge route shares the counts.
  const bridge = await app.inject({ method: 'POST', url: '/mcp/tools/call', headers: bearer(KEYS.alice), payload: { name: 'echo_scope', arguments: {} } });
  t.equal(bridge.statusCode, 429);
  t.ok(Number(bridge.headers['retry-after']) >= 1);
  for (const l of lines) scan.check(t, 'log', l);
  scan.check(t, 'body', limited.body);
});

t.test('MCP tools/call: an isError result saying when to retry; the session stays usable', async (t) => {
  const { app } = await securedApp(limits(100, 1));
  t.teardown(() => app.close());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'rl', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: bearer(KEYS.alice) } }));
  t.teardown(() => client.close());
  const first = await client.callTool({ name: 'echo_scope', arguments: {} });
  t.equal(first.isError, undefined);
  const second = await client.callTool({ name: 'echo_scope', arguments: { limit: 2 } });
  t.equal(second.isError, true);
  const text = (second.content as { text: string }[])[0]?.text ?? '';
  t.match(text, /^Rate limit reached: at most 1 calls of tools that scan AWS per minute for this caller \(RATE_LIMIT_SCANS_PER_MINUTE\)\. Retry in \d+ seconds/);
  const other = await client.callTool({ name: 'refuse', arguments: {} });
  t.equal(other.isError, true);
  t.equal((other.content as { text: string }[])[0]?.text, 'Account 999999999999 is not configured: use one of 111111111111, 222222222222', 'non-scanning tools still run');
  // REST with the same key shares the MCP count.
  const rest = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: bearer(KEYS.alice), payload: {} });
  t.equal(rest.statusCode, 429);
});

t.test('anonymous callers are limited by address', async (t) => {
  const { app } = await securedApp({ security: { rate_limit_per_minute: 1, rate_limit_scans_per_minute: 1 } });
  t.teardown(() => app.close());
  const a = await app.inject({ method: 'POST', url: '/tools/refuse', remoteAddress: '10.0.0.1', payload: {} });
  const b = await app.inject({ method: 'POST', url: '/tools/refuse', remoteAddress: '10.0.0.1', payload: {} });
  const c = await app.inject({ method: 'POST', url: '/tools/refuse', remoteAddress: '10.0.0.2', payload: {} });
  t.same([a.statusCode, b.statusCode, c.statusCode], [400, 429, 400]);
});

t.test('memory counter: fixed windows', async (t) => {
  let now = 1000;
  const c = new MemoryWindowCounter(() => now);
  t.same(await c.incr('k', 60_000), { current: 1, ttl: 60_000 });
  now += 10_000;
  t.same(await c.incr('k', 60_000), { current: 2, ttl: 50_000 });
  t.same(await c.incr('other', 60_000), { current: 1, ttl: 60_000 });
  now += 50_000;
  t.same(await c.incr('k', 60_000), { current: 1, ttl: 60_000 }, 'a new window');
});

async function redisOrNull(): Promise<Redis | null> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return redis;
  } catch {
    redis.disconnect();
    return null;
  }
}

const redis = await redisOrNull();
if (redis === null) {
  if (process.env.CI === 'true') t.fail('Redis is required in CI (127.0.0.1:6379)');
  else console.error('# Redis not reachable at 127.0.0.1:6379: skipping the Redis counter tests');
}
t.teardown(async () => {
  await redis?.quit();
});

t.test('Redis counter', { skip: redis === null ? 'Redis not available at 127.0.0.1:6379' : false }, async (t) => {
  if (redis === null) return;
  const prefix = `test-rate-${process.pid}-${Date.now()}:`;
  const c = new RedisWindowCounter(redis, prefix);
  const a = await c.incr('k', 60_000);
  const b = await c.incr('k', 60_000);
  t.equal(a.current, 1);
  t.equal(b.current, 2);
  t.ok(b.ttl > 0 && b.ttl <= 60_000);
  t.equal((await c.incr('other', 60_000)).current, 1);
  await redis.del(`${prefix}k`, `${prefix}other`);
});

t.test('two replicas on one Redis share the counts', { skip: redis === null ? 'Redis not available at 127.0.0.1:6379' : false }, async (t) => {
  const prefix = `test-rl-${process.pid}-${Date.now()}:`;
  const overrides = { ...limits(100, 2), cache: { redis_url: 'redis://127.0.0.1:6379/0', redis_key_prefix: prefix } };
  const one = await securedApp(overrides);
  const two = await securedApp(overrides);
  t.teardown(async () => {
    await one.app.close();
    await two.app.close();
  });
  const call = (app: typeof one.app) => app.inject({ method: 'POST', url: '/tools/echo_scope', headers: bearer(KEYS.alice), payload: {} });
  t.same([(await call(one.app)).statusCode, (await call(two.app)).statusCode, (await call(one.app)).statusCode], [200, 200, 429]);
  if (redis !== null) {
    const keys = await redis.keys(`${prefix}rate:*`);
    t.same(keys, [`${prefix}rate:key:alice:scan`]);
    if (keys.length > 0) await redis.del(...keys);
  }
});

t.test('while Redis fails, counting continues in memory and the outage is reported once', async (t) => {
  const errors: unknown[] = [];
  let up = false;
  const primary = { incr: async () => (up ? { current: 7, ttl: 1000 } : Promise.reject(new Error('Connection is closed.'))) };
  const c = new FallbackWindowCounter(primary, new MemoryWindowCounter(() => 0), (err) => errors.push(err));
  t.same(await c.incr('k', 60_000), { current: 1, ttl: 60_000 });
  t.same(await c.incr('k', 60_000), { current: 2, ttl: 60_000 });
  t.equal(errors.length, 1);
  up = true;
  t.same(await c.incr('k', 60_000), { current: 7, ttl: 1000 });
});
