import t from 'tap';
import { SessionRegistry } from '../../src/mcp/sessions.js';
import { acceptedTypes, normaliseArguments } from '../../src/mcp/arguments.js';
import pino from 'pino';

const logger = pino({ level: 'silent' });

t.test('idle sessions are closed by the sweep; used ones stay; cap is enforced', async (t) => {
  let now = 0;
  const registry = new SessionRegistry({ maxSessions: 2, idleSeconds: 60, logger, now: () => now });
  t.teardown(() => registry.closeAll());
  const closed: string[] = [];
  const add = (id: string) => registry.add({ id, kind: 'streamable-http', principal_id: 'p', close: async () => void closed.push(id) });
  add('a');
  add('b');
  t.equal(registry.hasRoom(), false);
  now = 50_000;
  t.ok(registry.touch('b'));
  now = 61_000;
  await registry.sweep();
  t.same(closed, ['a']);
  t.equal(registry.touch('a'), undefined);
  t.equal(registry.size, 1);
  t.equal(registry.hasRoom(), true);
  await registry.closeAll();
  t.same(closed, ['a', 'b']);
  t.equal(registry.size, 0);
});

t.test('normaliseArguments fixes common mistakes only where the schema allows', async (t) => {
  const schema = {
    type: 'object',
    properties: {
      account_ids: { type: 'array', items: { type: 'string' } },
      regions: { type: 'array', items: { type: 'string' } },
      format: { anyOf: [{ const: 'json' }, { const: 'csv' }] },
      limit: { type: 'integer' },
      force_refresh: { type: 'boolean' },
    },
  };
  t.same(normaliseArguments(schema, undefined), {});
  t.same(normaliseArguments(schema, { accounts: ['111111111111'], region: 'us-east-1' }), { account_ids: ['111111111111'], regions: ['us-east-1'] });
  t.same(normaliseArguments(schema, { accounts: ['1'], account_ids: ['2'] }), { accounts: ['1'], account_ids: ['2'] }, 'no alias when both are given');
  t.same(normaliseArguments(schema, { format: ['csv'], limit: '25', force_refresh: 'TRUE' }), { format: 'csv', limit: 25, force_refresh: true });
  t.same(normaliseArguments(schema, { format: ['csv', 'json'], limit: 'ten' }), { format: ['csv', 'json'], limit: 'ten' }, 'left for validation');
  t.same(normaliseArguments(schema, 'not an object'), 'not an object');
  t.same([...acceptedTypes(schema.properties.format)], ['string']);
});
