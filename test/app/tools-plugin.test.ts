import Fastify from 'fastify';
import t from 'tap';
import configPlugin from '../../plugins/config.js';
import toolsPlugin from '../../plugins/tools.js';
import { testConfig } from '../../src/config/index.js';
import { fakeContext, testTools } from '../mcp/fixtures.js';

t.test('without a context factory, the tools plugin refuses to start when a service plugin is missing', async (t) => {
  const app = Fastify({ logger: false });
  t.teardown(() => app.close());
  await app.register(configPlugin, { config: testConfig() });
  await app.register(toolsPlugin, { tools: testTools });
  await t.rejects(async () => { await app.ready(); }, { message: "Tool context needs app.inventory: register the 'scan' plugin before 'tools'" });
});

t.test('two tools with one name are refused', async (t) => {
  const app = Fastify({ logger: false });
  t.teardown(() => app.close());
  await app.register(configPlugin, { config: testConfig() });
  const first = testTools[0];
  t.ok(first);
  if (first === undefined) return;
  await t.rejects(async () => {
    await app.register(toolsPlugin, { tools: [first, first], contextFactory: fakeContext });
    await app.ready();
  }, { message: 'Two tools share a name' });
});
