/**
 * Input limits: every tool's input schema bounds its arrays and strings and rejects unknown
 * properties; oversized bodies get a clear 413; oversized arrays a 400 naming the limit.
 */
import t from 'tap';
import { allTools } from '../../src/app.js';
import { API_KEYS, KEYS, bearer, secretScan, securedApp } from './helpers.js';

type Schema = Record<string, unknown>;

/** Unbounded places in a JSON Schema ("path: problem"). */
export function unbounded(s: Schema, path: string, out: string[] = []): string[] {
  if (s.type === 'array' && s.maxItems === undefined) out.push(`${path}: array without maxItems`);
  // An anchored pattern (dates, regions, account ids) bounds a string as well as maxLength does.
  if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined && s.const === undefined && s.pattern === undefined) out.push(`${path}: string without maxLength`);
  const record = s.patternProperties !== undefined;
  if (s.type === 'object' && !record && s.additionalProperties !== false) out.push(`${path}: object accepts unknown properties`);
  if (record && s.maxProperties === undefined) out.push(`${path}: map without maxProperties`);
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) unbounded(v, `${path}.${k}`, out);
  for (const v of Object.values((s.patternProperties ?? {}) as Record<string, Schema>)) unbounded(v, `${path}{}`, out);
  if (typeof s.items === 'object' && s.items !== null) unbounded(s.items as Schema, `${path}[]`, out);
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const [i, v] of ((s[key] ?? []) as Schema[]).entries()) unbounded(v, `${path}|${i}`, out);
  return out;
}

/**
 * Gaps found in schemas this suite does not own (reported to their owners; the 1 MiB body limit
 * still bounds them). Fixing one makes this test fail until the entry is removed.
 */
const KNOWN_GAPS: Record<string, string[]> = {};

t.test('tool input schemas: bounded arrays and strings, unknown properties rejected', async (t) => {
  for (const tool of allTools) {
    t.same(unbounded(JSON.parse(JSON.stringify(tool.inputSchema)) as Schema, tool.name), KNOWN_GAPS[tool.name] ?? [], tool.name);
  }
});

t.test('the walker finds what it should', async (t) => {
  t.same(unbounded({ type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } }, 'x'), [
    'x: object accepts unknown properties',
    'x.a: array without maxItems',
    'x.a[]: string without maxLength',
  ]);
});

t.test('oversized bodies: 413 with a clear message; oversized arrays: 400 naming the limit', async (t) => {
  const { app, lines } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => app.close());
  const big = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...bearer(KEYS.alice), 'content-type': 'application/json' }, payload: `{"regions": ["${'a'.repeat(1024 * 1024)}"]}` });
  t.equal(big.statusCode, 413);
  t.same(big.json(), { error: 'payload_too_large', message: 'Request body is too large', request_id: big.headers['x-request-id'] });
  const real = allTools.find((x) => x.name === 'validate_resource_tags');
  t.ok(real !== undefined);
  const arns = Array.from({ length: 101 }, (_, i) => `arn:aws:ec2:us-east-1:111111111111:instance/i-${String(i).padStart(17, '0')}`);
  const { app: full, lines: fullLines } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } }, allTools);
  t.teardown(() => full.close());
  const many = await full.inject({ method: 'POST', url: '/tools/validate_resource_tags', headers: bearer(KEYS.alice), payload: { resource_arns: arns } });
  t.equal(many.statusCode, 400);
  t.equal(many.json().error, 'invalid_arguments');
  t.match(many.json().message, /^Invalid arguments for validate_resource_tags: resource_arns.*100/);
  const unknown = await full.inject({ method: 'POST', url: '/tools/list_accounts', headers: bearer(KEYS.alice), payload: { secret_field: 1 } });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().message, /unknown field "secret_field"/);
  const scan = secretScan();
  for (const l of [...lines, ...fullLines, big.body, many.body, unknown.body]) scan.check(t, 'text', l);
});
