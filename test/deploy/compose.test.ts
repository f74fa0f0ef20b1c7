/**
 * docker-compose.yml: it parses, and references only services, ports, volumes, secrets,
 * profiles and env files that exist or are declared; the demo profile points the server at the
 * simulator with the simulator's own credentials; no API key is written inline.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY } from '../../src/simulator/state.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what} is not a mapping`);
  return v;
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const compose = obj(parse(text, { merge: true, strict: true, uniqueKeys: true }), 'compose file');
const services = obj(compose['services'], 'services');
const volumes = obj(compose['volumes'], 'volumes');
const secrets = obj(compose['secrets'], 'secrets');
const svc = (name: string): Obj => obj(services[name], `service ${name}`);
const envOf = (name: string): Obj => obj(svc(name)['environment'] ?? {}, `${name}.environment`);
const profilesOf = (name: string): string[] => list(svc(name)['profiles']).map(String);

t.test('the compose file declares the expected services and profiles', async (t) => {
  t.same(Object.keys(services).sort(), ['mcp', 'mcp-demo', 'mcp-postgres', 'postgres', 'redis', 'simulator']);
  t.same(profilesOf('mcp'), []);
  t.same(profilesOf('redis'), []);
  t.same(profilesOf('postgres'), ['postgres']);
  t.same(profilesOf('mcp-postgres'), ['postgres']);
  t.same(profilesOf('simulator'), ['demo']);
  t.same(profilesOf('mcp-demo'), ['demo']);
});

t.test('every reference resolves: depends_on, volumes, secrets, env files, ports', async (t) => {
  const hostPorts = new Set<string>();
  for (const [name, raw] of Object.entries(services)) {
    const s = obj(raw, name);
    const mine = profilesOf(name);
    const deps = isObj(s['depends_on']) ? Object.keys(s['depends_on']) : list(s['depends_on']).map(String);
    for (const d of deps) {
      t.ok(d in services, `${name} depends on the declared service ${d}`);
      // A dependency must be started whenever this service is: no profile, or one of ours.
      const theirs = profilesOf(d);
      t.ok(theirs.length === 0 || theirs.some((p) => mine.includes(p)), `${name} → ${d}: the dependency is active in ${name}'s profiles`);
    }
    for (const v of list(s['volumes'])) {
      const source = String(v).split(':')[0] ?? '';
      if (!source.startsWith('.') && !source.startsWith('/')) t.ok(source in volumes, `${name} uses the declared volume ${source}`);
    }
    for (const sec of list(s['secrets'])) t.ok(String(isObj(sec) ? sec['source'] : sec) in secrets, `${name} uses the declared secret ${String(sec)}`);
    for (const e of list(s['env_file'])) {
      const ef = obj(e, 'env_file entry');
      t.equal(ef['required'], false, `${name}: env file ${String(ef['path'])} is optional (created by the operator, never committed)`);
      t.match(String(ef['path']), /^(\.env|secrets\/[\w.-]+\.env)$/, 'env files are .env or under secrets/');
    }
    for (const p of list(s['ports'])) {
      const m = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(String(p));
      t.ok(m !== null, `${name} publishes ${String(p)} on loopback only`);
      if (m === null) continue;
      t.notOk(hostPorts.has(m[1] ?? ''), `host port ${m[1] ?? ''} used once`);
      hostPorts.add(m[1] ?? '');
      t.equal(m[2], '8080', 'the container port is the image\'s EXPOSE 8080');
      t.equal(envOf(name)['PORT'], '8080');
    }
  }
  for (const v of Object.keys(volumes)) t.ok(Object.values(services).some((s) => list(obj(s, 's')['volumes']).some((x) => String(x).startsWith(`${v}:`))), `volume ${v} is used`);
  for (const [name, sec] of Object.entries(secrets)) t.match(String(obj(sec, name)['file']), /^\.\/secrets\/[\w.-]+$/, `secret ${name} is a file under ./secrets/`);
});

t.test('server services: image env names are configuration variables, keys from the secret', async (t) => {
  const known = new Set(ENV_VARS.map((v) => v.name).concat(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']));
  for (const name of ['mcp', 'mcp-postgres', 'mcp-demo']) {
    const env = envOf(name);
    for (const k of Object.keys(env)) t.ok(known.has(k), `${name}: ${k} is known`);
    t.equal(env['HOST'], '0.0.0.0');
    t.equal(env['API_KEYS_FILE'], '/run/secrets/api_keys');
    t.notOk('API_KEYS' in env, `${name}: no inline API keys`);
    t.same(svc(name)['secrets'], ['api_keys']);
    t.same(svc(name)['volumes'], [name === 'mcp-demo' ? 'demo-history:/app/data' : 'history:/app/data'], 'history on a volume at /app/data');
    t.match(String(env['REDIS_URL']), /^redis:\/\/redis:6379\/\d$/);
  }
  t.notMatch(text, /API_KEYS:\s*\S/, 'API keys never inline');
});

t.test('the demo profile runs the simulator and points the server at it', async (t) => {
  t.same(svc('simulator')['command'], ['node', 'dist/src/simulator/cli.js', '--port', '4566', '--host', '0.0.0.0', '--fixture', 'demo']);
  t.same(envOf('mcp-demo'), {
    HOST: '0.0.0.0',
    PORT: '8080',
    API_KEYS_FILE: '/run/secrets/api_keys',
    REDIS_URL: 'redis://redis:6379/2',
    AWS_ENDPOINT_URL: 'http://simulator:4566',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: MANAGEMENT_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: MANAGEMENT_SECRET_ACCESS_KEY,
    MULTI_ACCOUNT_ENABLED: 'true',
    AWS_ACCOUNT_DISCOVERY: 'organizations',
  });
  t.same(Object.keys(obj(svc('mcp-demo')['depends_on'], 'depends_on')).sort(), ['redis', 'simulator']);
});
