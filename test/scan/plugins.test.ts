import t from 'tap';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import cachePlugin from '../../plugins/cache.js';
import scanPlugin from '../../plugins/scan.js';
import { FakeGateway } from './fake-gateway.js';
import { scanConfig } from './helpers.js';
import { A, account, LOCAL, TYPES } from './fixtures.js';

function app() {
  const gateway = new FakeGateway({ local: LOCAL, accounts: { [LOCAL]: account(LOCAL), [A]: account(A) } });
  const config = scanConfig({ multi_account: { account_ids: [A] } });
  const server = Fastify({ logger: false });
  server.register(fp(async (a) => void a.decorate('config', config), { name: 'config' }));
  server.register(fp(async (a) => void a.decorate('aws', gateway), { name: 'aws' }));
  server.register(cachePlugin);
  server.register(scanPlugin);
  return { server, gateway };
}

t.test("'result-cache' and 'scan' decorate the services and work end to end", async (t) => {
  const { server, gateway } = app();
  await server.ready();
  t.teardown(() => server.close());
  t.same(server.resultCache.health(), { backend: 'memory', status: 'ok' });
  t.same((await server.accounts.resolve(['all'], new AbortController().signal)).accounts.map((a) => a.account_id), [LOCAL, A]);
  const inv = await server.inventory.collect({ account_ids: [A], regions: null, resource_types: TYPES, force_refresh: false, signal: new AbortController().signal });
  t.equal(inv.resources.length, 5);
  t.equal(server.accounts.lastAssumeRole(A)?.ok, true, 'the orchestrator reports to the directory');
  t.equal((await server.resultCache.get(`v1:inv:${A}:global:s3:bucket`)) !== undefined, true);
  const costs = await server.costs.serviceCosts({ account_ids: [A], start: '2026-01-01', end: '2026-02-01', signal: new AbortController().signal });
  t.equal(costs.cost_explorer_requests, 1);
  t.equal(gateway.costCalls.length, 1);
});

t.test('onClose releases the cache', async (t) => {
  const { server } = app();
  await server.ready();
  await server.resultCache.set('k', 1, 60);
  const cache = server.resultCache;
  await server.close();
  t.equal(await cache.get('k'), undefined);
});

t.test("'scan' refuses to start without 'aws'", async (t) => {
  const server = Fastify({ logger: false });
  server.register(fp(async (a) => void a.decorate('config', scanConfig()), { name: 'config' }));
  server.register(cachePlugin);
  server.register(scanPlugin);
  await t.rejects(async () => {
    await server.ready();
  }, /aws/);
  await server.close();
});
