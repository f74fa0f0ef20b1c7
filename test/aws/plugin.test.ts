/** The 'aws' Fastify plugin: decorates app.aws from app.config, closes it onClose, accepts an injected gateway. */
import t from 'tap';
import Fastify from 'fastify';
import configPlugin from '../../plugins/config.js';
import awsPlugin from '../../plugins/aws.js';
import { testConfig } from '../../src/config/index.js';
import { AwsAccessError } from '../../src/aws/gateway.js';
import type { AwsGateway } from '../../src/aws/gateway.js';
import { startSimulator } from '../../src/simulator/server.js';
import { MEMBER_A, MGMT, account, fixture, isolateNetwork } from './helpers.js';

isolateNetwork();

t.test('builds the gateway from app.config and closes it', async (t) => {
  const sim = await startSimulator({ fixture: fixture([account(MGMT), account(MEMBER_A)]) });
  t.teardown(() => sim.stop());
  const config = testConfig({ aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } } });
  const app = Fastify({ logger: false });
  await app.register(configPlugin, { config });
  await app.register(awsPlugin);
  await app.ready();
  t.equal(await app.aws.localAccountId(new AbortController().signal), MGMT);
  await app.aws.ensureAccount(MEMBER_A, new AbortController().signal);
  t.same(sim.stats().assume_role, { [MEMBER_A]: 1 });
  const gateway = app.aws;
  await app.close();
  const err = await gateway.localAccountId(new AbortController().signal).then(() => null, (e: unknown) => e);
  t.ok(err instanceof AwsAccessError && err.code === 'Cancelled', 'closed with the app');
});

t.test('an injected gateway is used as is and left open', async (t) => {
  let closed = 0;
  const fake = { close: async () => { closed += 1; } } as unknown as AwsGateway;
  const app = Fastify({ logger: false });
  await app.register(configPlugin, { config: testConfig() });
  await app.register(awsPlugin, { gateway: fake });
  await app.ready();
  t.equal(app.aws, fake);
  await app.close();
  t.equal(closed, 0);
});

t.test('requires the config plugin', async (t) => {
  const app = Fastify({ logger: false });
  await t.rejects(async () => {
    await app.register(awsPlugin);
    await app.ready();
  }, /config/);
});
