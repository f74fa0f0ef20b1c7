import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import t, { type Test } from 'tap';
import type { AppConfig } from '../../src/config/types.js';
import policyPlugin from '../../plugins/policy.js';

/** Stand-in for the colleague's 'config' plugin: decorates app.config with just what 'policy' reads. */
const fakeConfig = (policy_path: string) =>
  fp(
    async (app: FastifyInstance) => {
      app.decorate('config', { policy_path } as AppConfig);
    },
    { name: 'config' },
  );

async function dir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'policy-plugin-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

t.test('decorates app.policyStore from app.config.policy_path and closes the watcher', async (t) => {
  const file = join(await dir(t), 'p.json');
  await writeFile(file, JSON.stringify({ version: '1.0', required_tags: [{ name: 'Owner', applies_to: ['ec2:instance'] }] }));
  const app = Fastify({ logger: false });
  await app.register(fakeConfig(file));
  await app.register(policyPlugin, { watch: true });
  await app.ready();
  t.same(app.policyStore.current().applicableTypes, ['ec2:instance']);
  t.equal(app.policyStore.path, file);
  t.equal((app.policyStore as unknown as { watching: boolean }).watching, true);
  await app.close();
  t.equal((app.policyStore as unknown as { watching: boolean }).watching, false, 'watcher closed onClose');
});

t.test('an invalid policy fails start-up with the PolicyError message', async (t) => {
  const file = join(await dir(t), 'p.json');
  await writeFile(file, JSON.stringify({ version: '1.0', required_tags: [{ name: 'A', applies_to: ['ec2:spaceship'] }] }));
  const app = Fastify({ logger: false });
  await app.register(fakeConfig(file));
  app.register(policyPlugin, { watch: false });
  await t.rejects(async () => {
    await app.ready();
  }, { name: 'PolicyError', message: /required_tags\[0\]\.applies_to\[0\] names an unknown resource type 'ec2:spaceship'/ });
  await app.close();
});

t.test("the plugin declares its dependency on 'config'", async (t) => {
  const app = Fastify({ logger: false });
  app.register(policyPlugin);
  await t.rejects(async () => {
    await app.ready();
  }, /config/);
  await app.close();
});

t.test("works with the real 'config' plugin and the shipped default policy", async (t) => {
  const { default: configPlugin } = await import('../../plugins/config.js');
  const { testConfig } = await import('../../src/config/index.js');
  const policyPath = fileURLToPath(new URL('../../policies/tagging_policy.json', import.meta.url));
  const app = Fastify({ logger: false });
  await app.register(configPlugin, { config: testConfig({ policy_path: policyPath }) });
  await app.register(policyPlugin, { watch: false });
  await app.ready();
  t.same(app.policyStore.current().requiredTagsFor('ec2:instance'), ['Owner', 'Environment', 'CostCenter', 'Application']);
  await app.close();
});
