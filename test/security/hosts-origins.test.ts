/** DNS-rebinding protection (Host / Origin) and CORS only for configured origins. */
import t from 'tap';
import { hostAllowed, hostName, originAllowed } from '../../src/auth/origin.js';
import { loadConfig } from '../../src/config/index.js';
import { bearer, secretScan, securedApp } from './helpers.js';

t.test('hostName and the allow-list rules', async (t) => {
  t.equal(hostName('LocalHost:8080'), 'localhost');
  t.equal(hostName('[::1]:8080'), '[::1]');
  t.equal(hostName('127.0.0.1'), '127.0.0.1');
  t.equal(hostAllowed('localhost:8080', ['localhost']), true);
  t.equal(hostAllowed('evil.example:8080', ['localhost']), false);
  t.equal(hostAllowed('api.example.com:8443', ['api.example.com:8443']), true);
  t.equal(hostAllowed('api.example.com:9999', ['api.example.com:8443']), false);
  t.equal(hostAllowed(undefined, ['localhost']), false);
  t.equal(originAllowed('https://app.example.com', ['https://app.example.com'], 'x', false), true);
  t.equal(originAllowed('http://localhost:8080', [], 'localhost:8080', true), true, 'own origin once Host is checked');
  t.equal(originAllowed('http://evil.example:8080', [], 'evil.example:8080', false), false, 'own origin not trusted when Host is unchecked');
  t.equal(originAllowed('null', [], 'localhost', true), false);
});

t.test('defaults: loopback HOST checks Host; other HOST without ALLOWED_HOSTS does not', async (t) => {
  t.same(loadConfig({}).security?.allowed_hosts, ['localhost', '127.0.0.1', '[::1]']);
  t.same(loadConfig({ HOST: '127.0.0.2' }).security?.allowed_hosts, ['localhost', '127.0.0.1', '[::1]', '127.0.0.2']);
  t.equal(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'a:0123456789abcdefgh' }).security?.allowed_hosts, null);
  t.same(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'a:0123456789abcdefgh', ALLOWED_HOSTS: 'API.example.com,10.0.0.5:8080' }).security?.allowed_hosts, ['api.example.com', '10.0.0.5:8080']);
  t.same(loadConfig({ ALLOWED_ORIGINS: 'https://App.example.com' }).security?.allowed_origins, ['https://app.example.com']);
  t.throws(() => loadConfig({ ALLOWED_ORIGINS: 'app.example.com' }), { message: 'ALLOWED_ORIGINS must be a comma-separated list of origins such as https://app.example.com (got "app.example.com")' });
});

t.test('a foreign Host or Origin is refused with 403 and a clear message; /health stays open', async (t) => {
  const { app, lines } = await securedApp({ auth: { mode: 'api_key', api_keys: [{ id: 'alice', key: 'alice-key-0123456789abcdef' }] } });
  t.teardown(() => app.close());
  const scan = secretScan();
  const key = bearer('alice-key-0123456789abcdef');

  const rebinding = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, host: 'evil.example:8080' }, payload: {} });
  t.equal(rebinding.statusCode, 403);
  t.same(rebinding.json(), {
    error: 'forbidden_host',
    message: 'Host "evil.example:8080" is not allowed (DNS-rebinding protection): this server answers to localhost, 127.0.0.1, [::1]. Use one of these names, or add yours to ALLOWED_HOSTS.',
    request_id: rebinding.headers['x-request-id'],
  });
  const noAuthNeeded = await app.inject({ method: 'GET', url: '/tools', headers: { host: 'evil.example' } });
  t.equal(noAuthNeeded.statusCode, 403, 'Host is checked before authentication');

  const origin = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, origin: 'https://evil.example' }, payload: {} });
  t.equal(origin.statusCode, 403);
  t.equal(origin.json().error, 'forbidden_origin');
  t.equal(origin.json().message, 'Origin "https://evil.example" is not allowed: browser requests are only accepted from the server\'s own origin (ALLOWED_ORIGINS).');
  t.equal(origin.headers['access-control-allow-origin'], undefined, 'no CORS headers without ALLOWED_ORIGINS');

  const own = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, origin: 'http://localhost:80' }, payload: {} });
  t.equal(own.statusCode, 200, 'the server\'s own origin is accepted');

  const ok = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, host: '127.0.0.1:8080' }, payload: {} });
  t.equal(ok.statusCode, 200);
  const health = await app.inject({ method: 'GET', url: '/health', headers: { host: 'evil.example' } });
  t.not(health.statusCode, 403, '/health is not Host-checked (load balancer probes use the pod address)');
  for (const r of [rebinding, origin, own, ok, health]) scan.check(t, 'body', r.body);
  for (const l of lines) scan.check(t, 'log', l);
});

t.test('CORS headers only for ALLOWED_ORIGINS; preflight answered without a key', async (t) => {
  const { app } = await securedApp({
    auth: { mode: 'api_key', api_keys: [{ id: 'alice', key: 'alice-key-0123456789abcdef' }] },
    security: { allowed_origins: ['https://app.example.com'] },
  });
  t.teardown(() => app.close());
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/tools/echo_scope',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
  const call = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...bearer('alice-key-0123456789abcdef'), origin: 'https://app.example.com' }, payload: {} });
  t.equal(call.statusCode, 200);
  t.equal(call.headers['access-control-allow-origin'], 'https://app.example.com');
  t.equal(call.headers['access-control-expose-headers'], 'mcp-session-id, retry-after, x-request-id');
  const other = await app.inject({ method: 'OPTIONS', url: '/tools/echo_scope', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  t.equal(other.statusCode, 403);
  t.equal(other.headers['access-control-allow-origin'], undefined);
});

t.test('HOST off loopback without ALLOWED_HOSTS: any Host, but foreign origins are still refused', async (t) => {
  const cfg = loadConfig({ HOST: '0.0.0.0', API_KEYS: 'alice:alice-key-0123456789abcdef' });
  const { app } = await securedApp({ host: '0.0.0.0', auth: cfg.auth, security: { allowed_hosts: null } });
  t.teardown(() => app.close());
  const key = bearer('alice-key-0123456789abcdef');
  const anyHost = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, host: '10.1.2.3:8080' }, payload: {} });
  t.equal(anyHost.statusCode, 200);
  const sameOrigin = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { ...key, host: 'evil.example', origin: 'http://evil.example' }, payload: {} });
  t.equal(sameOrigin.statusCode, 403, 'own-origin trust needs a checked Host');
  t.equal(sameOrigin.json().error, 'forbidden_origin');
});

t.test('a public /metrics (METRICS_PUBLIC) is scraped by pod address: no Host check; otherwise checked', async (t) => {
  const open = await securedApp({ metrics: { public: true } });
  t.teardown(() => open.app.close());
  t.equal((await open.app.inject({ method: 'GET', url: '/metrics', headers: { host: '10.1.2.3:8080' } })).statusCode, 200);
  const closed = await securedApp({});
  t.teardown(() => closed.app.close());
  t.equal((await closed.app.inject({ method: 'GET', url: '/metrics', headers: { host: '10.1.2.3:8080' } })).statusCode, 403);
});
