import fc from 'fast-check';
import t from 'tap';
import { fromQuery, toQueryString } from '../../src/export/query.js';

const LISTS = new Set(['account_ids', 'columns']);

/** What Fastify's query parser gives: one string, or an array for a repeated key. */
function parse(qs: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

t.test('lists: comma-joined once, split back; repeated keys keep commas inside values', async (t) => {
  t.equal(toQueryString({ account_ids: ['production', 'staging'], columns: ['tag_name'] }), 'account_ids=production%2Cstaging&columns=tag_name');
  t.same(fromQuery(parse('account_ids=production,staging&columns=a, b,,'), LISTS), { account_ids: ['production', 'staging'], columns: ['a', 'b'] });
  t.same(fromQuery(parse('account_ids=Acme, Inc&account_ids=Other'), LISTS), { account_ids: ['Acme, Inc', 'Other'] });
  t.same(fromQuery(parse(toQueryString({ account_ids: ['Acme, Inc'] })), LISTS), { account_ids: ['Acme, Inc'] }, 'a lone value with a comma survives');
  t.same(fromQuery(parse('severity=errors_only&bom=true'), LISTS), { severity: 'errors_only', bom: 'true' }, 'scalars pass through as strings');
  t.equal(toQueryString({ a: undefined, b: [], c: true }), 'c=true');
});

t.test('property: list arguments survive toQueryString → query parser → fromQuery', async (t) => {
  const value = fc
    .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', ',', ' ', '&', '=', '%', '+', 'é'), minLength: 1, maxLength: 8 }))
    .filter((s) => s.trim() === s && s !== '');
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), fc.array(value, { minLength: 1, maxLength: 5 }), (accounts, columns) => {
      const back = fromQuery(parse(toQueryString({ account_ids: accounts, columns })), LISTS);
      return JSON.stringify(back) === JSON.stringify({ account_ids: accounts, columns });
    }),
    { numRuns: 500 },
  );
  t.pass();
});
