/**
 * fast-check generators of malformed and hostile tool inputs, derived from each tool's own JSON
 * Schema and examples (so a tool added later is fuzzed without touching this file): wrong types,
 * huge strings, deep nesting, prototype-pollution keys, unicode and NUL, unknown properties,
 * boundary numbers, NaN-like strings, arrays where objects are expected, invalid account ids,
 * ARNs and regions, and mutations of valid examples. Also raw HTTP body garbage for REST and
 * malformed JSON-RPC for /mcp.
 */
import fc from 'fast-check';
import type { AnyTool } from '../../src/tools/types.js';

type Json = Record<string, unknown>;
type Schema = Json;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose `key` is an OWN property even for "__proto__" (what JSON.parse produces). */
export function withOwn(base: Json, key: string, value: unknown): Json {
  const out: Json = { ...base };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'];

/** Prototype-pollution payloads, as JSON text (the way an attacker sends them). */
export const POLLUTION_TEXTS: string[] = [
  '{"__proto__": {"polluted": "yes"}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"account_ids": ["all"], "__proto__": {"isAdmin": true, "polluted": 1}}',
  '{"filters": {"__proto__": {"polluted": true}}}',
  '{"filters": {"tags": {"__proto__": "x", "constructor": ["prototype"]}}}',
  '{"resource_types": {"__proto__": ["ec2:instance"]}}',
  '{"__proto__": [], "constructor": null, "prototype": {}}',
  '[{"__proto__": {"polluted": 1}}]',
];

export const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '-0', '1e999', '0x10', ' 5 ', '١٢', '5e-324', 'null', 'undefined', 'true', 'false', '[]', '{}', '', ' ', '0', '-1', '1.5', '9007199254740993'];

export const BOUNDARY_NUMBERS = [0, -0, -1, 1, 0.5, -0.5, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e308, -1e308, 5e-324, Number.EPSILON, 1e21];

export const BAD_ACCOUNT_IDS = ['12345678901', '1234567890123', '00000000000a', '000000000000', '999999999999', 'ALL', ' all', '*', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', 'arn:aws:iam::123456789012:root', '123456789012\u0000', '１２３４５６７８９０１２', 'o-acme0demo1', 'r-a1b2', 'ou-a1b2-wrkl0001'];

export const BAD_REGIONS = ['us-east-99', 'US-EAST-1', 'global', '', 'us-east-1\u0000', 'xx-fake-1', 'us-east-1 ', 'cn-north-1', 'us-gov-west-1', 'eu-west-10', 'a'.repeat(40), '*', 'all'];

export const BAD_ARNS = [
  'arn:aws:ec2:us-east-1:123456789012:instance/',
  'arn:aws:ec2:us-east-1::instance/i-0123',
  'arn:aws:ec2:us-east-1:12345678901:instance/i-0123',
  'arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0123',
  'arn:aws:s3:::',
  'arn:aws:s3:::bucket/with/key',
  'arn:aws:iam::123456789012:role/Admin',
  'arn:aws:ec2:xx-fake-1:123456789012:instance/i-0123',
  'arn:aws:ec2:us-east-1:999999999999:instance/i-0123456789abcdef0',
  'arn:aws:rds:eu-west-1:210987654321:db:nope',
  'arn:aws:lambda:us-east-1:210987654321:function:x:$LATEST',
  ':::::',
  'arn:',
  'arn:aws',
  `arn:aws:ec2:us-east-1:123456789012:instance/${'i'.repeat(3000)}`,
  'arn:aws:ec2:us-east-1:123456789012:instance/i-\u0000',
  'ARN:AWS:EC2:US-EAST-1:123456789012:INSTANCE/I-0123',
];

const BAD_STRINGS = ['\u0000', '\u0000\u0001\u001f', '\ud800', '\udfff\ud800', '\u202e\u2066', '😀'.repeat(50), 'ﷺ', '\r\n\r\nHTTP/1.1 200 OK', '%00', '%n%s%x', '${jndi:ldap://x}', '{{7*7}}', '../'.repeat(20), 'a\nb'];

/** Values of the wrong type or shape for any field. */
export function hostileValue(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.constantFrom<unknown>(null, true, false, ...BOUNDARY_NUMBERS, ...NAN_LIKE, ...BAD_ACCOUNT_IDS, ...BAD_REGIONS, ...BAD_ARNS, ...BAD_STRINGS),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.double(),
    fc.integer(),
  );
  return fc.oneof(
    { arbitrary: leaf, weight: 10 },
    { arbitrary: fc.array(leaf, { maxLength: 5 }), weight: 3 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), leaf, { maxKeys: 4 }), weight: 2 },
    { arbitrary: hugeString(), weight: 1 },
    { arbitrary: deepNesting(), weight: 1 },
    { arbitrary: fc.array(fc.constantFrom('all', 'production', 'ec2:instance', 'us-east-1'), { minLength: 101, maxLength: 300 }), weight: 1 },
    { arbitrary: fc.constantFrom(...PROTO_KEYS).map((k) => withOwn({}, k, { polluted: 'yes' })), weight: 1 },
  );
}

/** Strings from 1 KiB to 64 KiB (under the 1 MiB body limit: they reach the validator). */
export function hugeString(): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom('a', 'ä', '\u0000', '😀', 'arn:aws:', '"', '\\'), fc.integer({ min: 1024, max: 65_536 })).map(([c, n]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));
}

/** Arrays/objects nested 20 to 3,000 levels deep. */
export function deepNesting(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  });
}

/** Values every example of every tool uses for a property name (valid material to mix in). */
export function exampleValues(tools: readonly AnyTool[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const visit = (obj: unknown): void => {
    if (!isObject(obj)) return;
    for (const [k, v] of Object.entries(obj)) {
      const list = out.get(k) ?? [];
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
      out.set(k, list);
      visit(v);
    }
  };
  for (const tool of tools) for (const ex of tool.examples) visit(ex);
  return out;
}

/** A value for `schema`: mostly within bounds, sometimes just outside them. */
function shaped(schema: unknown, key: string, examples: Map<string, unknown[]>, depth: number): fc.Arbitrary<unknown> {
  if (!isObject(schema) || depth > 4) return hostileValue();
  const known = examples.get(key) ?? [];
  const fromExamples: fc.Arbitrary<unknown>[] = known.length > 0 ? [fc.constantFrom(...known)] : [];
  const branches = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (branches !== undefined && branches.length > 0) return fc.oneof(...fromExamples, ...branches.map((b) => shaped(b, key, examples, depth + 1)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.oneof(fc.constantFrom(...(schema.enum as unknown[])), fc.constant('not-in-enum'));
  switch (schema.type) {
    case 'string': {
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return fc.oneof(
        ...fromExamples,
        fc.string({ minLength: min, maxLength: Math.min(max, 30) }),
        fc.constant('x'.repeat(max + 1)),
        fc.constant(''),
        fc.constantFrom(...BAD_REGIONS, ...BAD_ACCOUNT_IDS.slice(0, 6), ...BAD_ARNS.slice(0, 8)),
      );
    }
    case 'integer':
    case 'number': {
      const lo = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const hi = typeof schema.maximum === 'number' ? schema.maximum : 1000;
      return fc.oneof(...fromExamples, fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }), fc.constantFrom(lo - 1, hi + 1, lo, hi, lo + 0.5, -0), fc.constantFrom(String(lo), String(hi), '1e3'));
    }
    case 'boolean':
      // A forced refresh re-reads AWS (~0.5 s): valid `true` comes from examples; junk from hostileValue.
      return key === 'force_refresh' ? fc.constantFrom<unknown>(false, 'false', 0) : fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 1, 0));
    case 'array': {
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : 10;
      const item = shaped(schema.items, key, examples, depth + 1);
      return fc.oneof(
        ...fromExamples,
        fc.array(item, { maxLength: Math.min(max, 4) }),
        item.map((x) => Array.from({ length: max + 1 }, () => x)),
        item, // a bare item where an array is expected
      );
    }
    case 'object':
      return shapedObject(schema, examples, depth + 1);
    default:
      return fc.oneof(...fromExamples, hostileValue());
  }
}

function shapedObject(schema: Schema, examples: Map<string, unknown[]>, depth: number): fc.Arbitrary<unknown> {
  const props = isObject(schema.properties) ? schema.properties : {};
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(props)) record[k] = shaped(s, k, examples, depth);
  if (Object.keys(record).length === 0) {
    const pattern = isObject(schema.patternProperties) ? Object.values(schema.patternProperties)[0] : undefined;
    if (pattern !== undefined) return fc.dictionary(fc.oneof(fc.string({ minLength: 0, maxLength: 12 }), fc.constantFrom(...PROTO_KEYS)), shaped(pattern, '', examples, depth), { maxKeys: 60 });
    return fc.constant({});
  }
  return fc.record(record, { requiredKeys: [] });
}

export interface FuzzCase {
  /** Short label of the generator (for the histogram). */
  kind: string;
  /** Arguments for the tool (own "__proto__" keys survive JSON.stringify). */
  args: unknown;
}

/** One mutation of a valid example. */
function mutateExample(example: Json): fc.Arbitrary<unknown> {
  const keys = Object.keys(example);
  const pickKey = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('limit');
  return fc.oneof(
    fc.tuple(pickKey, hostileValue()).map(([k, v]) => ({ ...example, [k]: v })),
    pickKey.map((k) => {
      const out: Json = { ...example };
      delete out[k];
      return out;
    }),
    fc.tuple(fc.string({ maxLength: 20 }), hostileValue()).map(([k, v]) => withOwn(example, k === '' ? 'unknown_field' : k, v)),
    fc.tuple(fc.constantFrom(...PROTO_KEYS), hostileValue()).map(([k, v]) => withOwn(example, k, v)),
    pickKey.map((k) => ({ ...example, [k]: [example[k]] })),
    pickKey.map((k) => ({ ...example, [k]: { value: example[k] } })),
    pickKey.map((k) => ({ ...example, [k]: JSON.stringify(example[k]) })),
    fc.constant([example]),
    fc.constant(JSON.stringify(example)),
  );
}

/** Hostile and malformed arguments for one tool (its schema, its examples, everyone's example values). */
export function toolInputs(tool: AnyTool, examples: Map<string, unknown[]>, valid: readonly Json[] = []): fc.Arbitrary<FuzzCase> {
  const schema = JSON.parse(JSON.stringify(tool.inputSchema)) as Schema;
  const props = isObject(schema.properties) ? Object.keys(schema.properties) : [];
  const propKey = props.length > 0 ? fc.constantFrom(...props) : fc.constant('anything');
  const baseExamples = [...tool.examples.filter(isObject), ...valid];
  const tag = (kind: string) => (args: unknown): FuzzCase => ({ kind, args });
  return fc.oneof(
    { arbitrary: shapedObject(schema, examples, 0).map(tag('schema-shaped')), weight: 5 },
    { arbitrary: fc.tuple(shapedObject(schema, examples, 0), propKey, hostileValue()).map(([o, k, v]) => ({ kind: 'hostile-field', args: { ...(isObject(o) ? o : {}), [k]: v } })), weight: 6 },
    { arbitrary: (baseExamples.length > 0 ? fc.constantFrom(...baseExamples) : fc.constant({})).chain(mutateExample).map(tag('mutated-example')), weight: 5 },
    { arbitrary: fc.oneof(fc.array(hostileValue(), { maxLength: 4 }), fc.string({ maxLength: 30 }), fc.double(), fc.boolean(), fc.constant(null)).map(tag('not-an-object')), weight: 1 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 30 }), hostileValue(), { minKeys: 1, maxKeys: 6 }).map(tag('unknown-properties')), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...PROTO_KEYS), hostileValue(), fc.option(propKey)).map(([k, v, p]) => ({ kind: 'prototype-keys', args: p === null ? withOwn({}, k, v) : { [p]: withOwn({}, k, v) } })), weight: 1 },
    { arbitrary: fc.tuple(propKey, deepNesting()).map(([k, v]) => ({ kind: 'deep-nesting', args: { [k]: v } })), weight: 1 },
    { arbitrary: fc.tuple(propKey, hugeString()).map(([k, v]) => ({ kind: 'huge-string', args: { [k]: v } })), weight: 1 },
  );
}

export interface RawRequest {
  kind: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** REST garbage: invalid JSON, wrong content types, huge bodies, form bodies, odd URLs and methods. */
export function restGarbage(toolNames: readonly string[]): fc.Arbitrary<RawRequest> {
  const name = fc.oneof({ arbitrary: fc.constantFrom(...toolNames), weight: 4 }, { arbitrary: fc.constantFrom('no_such_tool', '%00', '..%2f..%2fetc', 'a'.repeat(5000), '__proto__', 'constructor', 'CHECK_TAG_COMPLIANCE', '%F0%9F%98%80'), weight: 1 });
  const json = (): Record<string, string> => ({ 'content-type': 'application/json' });
  const invalidJson = fc.oneof(
    fc.constantFrom('{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', '{"a":NaN}', '\u0000', '{"a":"\\u0000"}', '{"a": 1} trailing', '\ufeff{}', 'undefined', '"just a string"', '42', 'true', 'null', '[]'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.json().map((s) => s.slice(0, Math.max(1, Math.floor(s.length / 2)))),
  );
  return fc.oneof(
    fc.tuple(name, invalidJson).map(([n, b]): RawRequest => ({ kind: 'invalid-json', method: 'POST', url: `/tools/${n}`, headers: json(), body: b })),
    fc.tuple(name, fc.constantFrom(...POLLUTION_TEXTS)).map(([n, b]): RawRequest => ({ kind: 'pollution-json', method: 'POST', url: `/tools/${n}`, headers: json(), body: b })),
    fc.tuple(name, fc.constantFrom('application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'text/html', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain', 'application/vnd.api+json', 'image/png', ''), fc.oneof(invalidJson, fc.constant('{"limit": 5}'), fc.constant('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--')))
      .map(([n, ct, b]): RawRequest => ({ kind: 'content-type', method: 'POST', url: `/tools/${n}`, headers: ct === '' ? {} : { 'content-type': ct }, body: b })),
    fc.tuple(name, fc.constantFrom('a=1&b=2', 'account_ids=all&account_ids=production', '__proto__[polluted]=1&constructor[prototype][x]=1', 'limit=NaN', 'limit=1e9', '%zz=%zz', '=&=&&', 'resource_types=ec2:instance&resource_types=' + 'x'.repeat(300), '{"limit":', '[1,2,3]'))
      .map(([n, b]): RawRequest => ({ kind: 'form-body', method: 'POST', url: `/tools/${n}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: b })),
    fc.tuple(name, fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded')).map(([n, size, ct]): RawRequest => ({ kind: 'huge-body', method: 'POST', url: `/tools/${n}`, headers: { 'content-type': ct }, body: `{"a":"${'x'.repeat(size)}"}` })),
    fc.tuple(name, fc.constantFrom<RawRequest['method']>('GET', 'PUT', 'DELETE', 'PATCH')).map(([n, m]): RawRequest => ({ kind: 'wrong-method', method: m, url: `/tools/${n}`, headers: {} })),
    fc.tuple(name, fc.constantFrom('?limit=5', '?__proto__[x]=1', '?a=%zz', `?${'q'.repeat(3000)}=1`, '#frag', '/extra/segments', '//', '?account_ids=all')).map(([n, q]): RawRequest => ({ kind: 'odd-url', method: 'POST', url: `/tools/${n}${q}`, headers: { 'content-type': 'application/json' }, body: '{}' })),
    fc.tuple(name, fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown')).map(([n, enc]): RawRequest => ({ kind: 'content-encoding', method: 'POST', url: `/tools/${n}`, headers: { 'content-type': 'application/json', 'content-encoding': enc }, body: '{"garbage": true}' })),
    fc.tuple(name, hostileValue()).map(([n, a]): RawRequest => ({ kind: 'bridge-call', method: 'POST', url: '/mcp/tools/call', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: n, arguments: a }) })),
    fc.tuple(hostileValue(), hostileValue()).map(([n, a]): RawRequest => ({ kind: 'bridge-garbage', method: 'POST', url: '/mcp/tools/call', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: n, arguments: a }) ?? 'null' })),
  );
}

/** Malformed JSON-RPC bodies for POST /mcp inside a session (text, so invalid JSON is possible). */
export function jsonRpcGarbage(toolNames: readonly string[]): fc.Arbitrary<{ kind: string; body: string }> {
  const id = fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.constantFrom<unknown>(null, -1, 1.5, 2 ** 60, [], {}, true, 'x'.repeat(5000)));
  const method = fc.oneof(fc.constantFrom<unknown>('tools/call', 'tools/list', 'initialize', 'ping', 'resources/list', 'prompts/get', 'tools/destroy', 'notifications/initialized', 'notifications/cancelled', '', 42, null, ['tools/call'], 'rpc.discover', '__proto__'), fc.string({ maxLength: 20 }));
  const params = fc.oneof(fc.constant(undefined), hostileValue(), fc.tuple(fc.constantFrom(...toolNames, 'nope'), hostileValue()).map(([name, args]) => ({ name, arguments: args })));
  const message = fc.record({ jsonrpc: fc.constantFrom<unknown>('2.0', '2.0', '1.0', 2, undefined), id: fc.option(id, { nil: undefined }), method: fc.option(method, { nil: undefined }), params }, { requiredKeys: [] });
  const stringify = (v: unknown): string => JSON.stringify(v) ?? 'null';
  return fc.oneof(
    { arbitrary: message.map((m) => ({ kind: 'rpc-message', body: stringify(m) })), weight: 6 },
    { arbitrary: fc.array(message, { minLength: 0, maxLength: 12 }).map((b) => ({ kind: 'rpc-batch', body: stringify(b) })), weight: 2 },
    { arbitrary: fc.array(hostileValue(), { maxLength: 5 }).map((b) => ({ kind: 'batch-garbage', body: stringify(b) })), weight: 1 },
    { arbitrary: fc.constantFrom('{', '[', '', 'null', '1', '"x"', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_accounts","arguments":{}}', '{"jsonrpc":"2.0","result":{},"id":99}', '{"jsonrpc":"2.0","error":{"code":1,"message":"x"},"id":99}').map((b) => ({ kind: 'rpc-invalid-json', body: b })), weight: 1 },
    { arbitrary: fc.constantFrom(...POLLUTION_TEXTS).map((b) => ({ kind: 'rpc-pollution', body: `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_accounts","arguments":${b}}}` })), weight: 1 },
  );
}
