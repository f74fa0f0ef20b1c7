/**
 * Auth matrix (issue 7): every refusal with its status. With API keys, every route the app has
 * (enumerated from the router, so a route added later is covered) but /health, /ready and the
 * API description demands a key: 401 + WWW-Authenticate without one or with a wrong one, over
 * REST, /mcp, /sse, /messages and /metrics. Wrong Host (DNS rebinding) and foreign Origin: 403
 * before authentication. AUTH_MODE=oauth with a local JWKS issuer: expired, wrong audience, wrong
 * issuer and foreign-key tokens 401, insufficient scope 403. Off loopback without keys the
 * server refuses to start.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { FastifyInstance } from 'fastify';
import { loadConfig, startupRefusal } from '../../src/config/index.js';
import { redactUrl } from '../../src/logging.js';
import { fileSecretGuard } from '../helpers/secret-guard.js';
import { isolateNetwork } from '../helpers/network.js';
import { API_KEYS, KEYS, bearer, securedApp } from './helpers.js';

isolateNetwork();

interface Route {
  method: string;
  url: string;
}

/** Every route of `app` with a concrete URL (parameters filled in), from its route tree. */
export function routesOf(app: FastifyInstance): Route[] {
  const out: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?) \(([^)]*)\)$/.exec(line.replace(/\s+$/, ''));
    if (m === null) continue;
    const depth = Math.round((m[1] ?? '').length / 4);
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method === '-' || method === '' || method === 'HEAD') continue;
      out.push({ method, url: path.replace(/:name/g, 'list_accounts').replace(/\*/g, 'json') });
    }
  }
  return out;
}

/** Routes anyone may call (documented in plugins/auth.ts: probes and the API description). */
const isPublic = (url: string): boolean => url === '/health' || url === '/ready' || url === '/docs' || url.startsWith('/docs/');

const WRONG = 'wrong-key-0000000000000000';

t.test('API keys: every route but the probes and the API description demands a key', async (t) => {
  const { app } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => app.close());
  const routes = routesOf(app);
  t.comment(`routes: ${routes.map((r) => `${r.method} ${r.url}`).join(', ')}`);
  for (const expected of ['POST /tools/list_accounts', 'GET /tools', 'POST /mcp', 'GET /mcp', 'DELETE /mcp', 'GET /sse', 'POST /messages', 'GET /metrics', 'GET /health', 'POST /mcp/tools/call']) {
    t.ok(routes.some((r) => `${r.method} ${r.url}` === expected), `the route list has ${expected}`);
  }
  let protectedCount = 0;
  for (const r of routes) {
    const label = `${r.method} ${r.url}`;
    const payload = r.method === 'POST' ? { payload: {} } : {};
    if (isPublic(r.url)) {
      const res = await app.inject({ method: r.method as 'GET', url: r.url, ...payload });
      t.not(res.statusCode, 401, `${label} is public`);
      continue;
    }
    protectedCount += 1;
    for (const [why, headers] of [
      ['no key', {}],
      ['a wrong key', bearer(WRONG)],
      ['Basic auth', { authorization: `Basic ${Buffer.from(`alice:${KEYS.alice}`).toString('base64')}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['two tokens', { authorization: `Bearer ${KEYS.alice} ${KEYS.admin}` }],
      ['the key in the query', {}],
    ] as const) {
      const url = why === 'the key in the query' ? `${r.url}?api_key=${KEYS.alice}&token=${KEYS.alice}` : r.url;
      const res = await app.inject({ method: r.method as 'GET', url, headers, ...payload });
      t.equal(res.statusCode, 401, `${label} with ${why}: 401`);
      t.equal(res.headers['www-authenticate'], 'Bearer', `${label} with ${why}: WWW-Authenticate`);
      t.match(res.json(), { error: 'unauthorized', message: /.+/ });
    }
  }
  t.ok(protectedCount >= 10, `${protectedCount} protected routes checked`);

  // A valid key gets past authentication everywhere (the stream routes are opened over a listener below).
  for (const r of routes.filter((x) => !isPublic(x.url) && x.url !== '/sse')) {
    const res = await app.inject({ method: r.method as 'GET', url: r.url, headers: bearer(KEYS.alice), ...(r.method === 'POST' ? { payload: {} } : {}) });
    t.not(res.statusCode, 401, `${r.method} ${r.url} with a valid key is not refused as unauthenticated`);
    t.not(res.statusCode, 403, `${r.method} ${r.url} with a valid key is not forbidden`);
  }
});

t.test('API keys over the MCP transports on a listener: /mcp and /sse refuse without a key, open with one', async (t) => {
  const { app } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => app.close());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'auth', version: '1' } } });
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  for (const [why, headers, status] of [
    ['no key', {}, 401],
    ['a wrong key', bearer(WRONG), 401],
    ['a valid key', bearer(KEYS.alice), 200],
  ] as const) {
    const res = await fetch(new URL('/mcp', base), { method: 'POST', headers: { ...mcpHeaders, ...headers }, body: init });
    await res.text();
    t.equal(res.status, status, `POST /mcp initialize with ${why}: ${status}`);
    if (status === 401) t.equal(res.headers.get('www-authenticate'), 'Bearer');
    const controller = new AbortController();
    const sse = await fetch(new URL('/sse', base), { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    t.equal(sse.status, status, `GET /sse with ${why}: ${status}`);
    controller.abort();
    await sse.body?.cancel().catch(() => undefined);
  }
});

t.test('Host and Origin: DNS rebinding and foreign origins are refused with 403 before authentication', async (t) => {
  const { app } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => app.close());
  for (const headers of [{}, bearer(KEYS.alice)]) {
    const keyed = 'authorization' in headers ? 'with a key' : 'without a key';
    const host = await app.inject({ method: 'POST', url: '/tools/list_accounts', headers: { ...headers, host: 'evil.example.com' }, payload: {} });
    t.equal(host.statusCode, 403, `wrong Host ${keyed}: 403`);
    t.equal(host.json().error, 'forbidden_host');
    const rebound = await app.inject({ method: 'POST', url: '/mcp', headers: { ...headers, host: 'attacker.example:8080' }, payload: {} });
    t.equal(rebound.statusCode, 403, `wrong Host on /mcp ${keyed}: 403`);
    const origin = await app.inject({ method: 'POST', url: '/tools/list_accounts', headers: { ...headers, origin: 'https://evil.example.com' }, payload: {} });
    t.equal(origin.statusCode, 403, `foreign Origin ${keyed}: 403`);
    t.equal(origin.json().error, 'forbidden_origin');
    t.equal(origin.headers['access-control-allow-origin'], undefined, 'no CORS header for a foreign origin');
  }
  const own = await app.inject({ method: 'POST', url: '/tools/list_accounts', headers: { ...bearer(KEYS.alice), host: 'localhost:8080', origin: 'http://localhost:8080' }, payload: {} });
  t.not(own.statusCode, 403, 'the server\'s own origin on an allowed Host passes');
  const probe = await app.inject({ method: 'GET', url: '/health', headers: { host: 'evil.example.com' } });
  t.equal(probe.statusCode, 200, '/health answers any Host (probes use the pod address)');
});

t.test('/metrics demands a key unless METRICS_PUBLIC', async (t) => {
  const closed = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => closed.app.close());
  t.equal((await closed.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  t.equal((await closed.app.inject({ method: 'GET', url: '/metrics', headers: bearer(KEYS.admin) })).statusCode, 200);
  const open = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS }, metrics: { public: true, account_label_limit: 50 } });
  t.teardown(() => open.app.close());
  t.equal((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, 'METRICS_PUBLIC=true: public');
  t.equal((await open.app.inject({ method: 'POST', url: '/tools/list_accounts', payload: {} })).statusCode, 401, 'the tools still demand a key');
});

async function jwksIssuer(): Promise<{ url: string; key: CryptoKey; server: Server }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key: privateKey, server };
}

t.test('AUTH_MODE=oauth: each bad token 401 with the resource metadata, a missing scope 403', async (t) => {
  const iss = await jwksIssuer();
  const stranger = await jwksIssuer();
  t.teardown(() => {
    iss.server.close();
    stranger.server.close();
  });
  const audience = 'http://localhost/finops-mcp';
  const cfg = loadConfig({ AUTH_MODE: 'oauth', OAUTH_ISSUER: iss.url, OAUTH_AUDIENCE: audience });
  const { app } = await securedApp({ auth: cfg.auth });
  t.teardown(() => app.close());
  const guard = fileSecretGuard();
  const sign = async (scope: string, o: { aud?: string; iss?: string; exp?: number | string; key?: CryptoKey } = {}): Promise<string> => {
    const token = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('analyst-7')
      .setIssuer(o.iss ?? iss.url)
      .setAudience(o.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .sign(o.key ?? iss.key);
    guard.addLiterals(token);
    return token;
  };
  const metadata = 'http://localhost:80/.well-known/oauth-protected-resource';
  const call = (url: string, token: string | null, method: 'GET' | 'POST' = 'POST') =>
    app.inject({ method, url, headers: token === null ? {} : { authorization: `Bearer ${token}` }, ...(method === 'POST' ? { payload: {} } : {}) });

  const cases: [string, string | null, RegExp][] = [
    ['no token', null, /Authentication required/],
    ['an expired token', await sign('finops:scan', { exp: Math.floor(Date.now() / 1000) - 300 }), /expired/],
    ['a token for another audience', await sign('finops:scan', { aud: 'https://other.example/api' }), /audience must be/],
    ['a token from another issuer', await sign('finops:scan', { iss: 'https://evil-idp.example' }), /not issued by/],
    ['a token signed by a foreign key', await sign('finops:scan', { key: stranger.key }), /not valid/],
    ['garbage', 'not.a.jwt', /not valid/],
    ['an API key', KEYS.alice, /not valid/],
  ];
  for (const url of ['/tools/echo_scope', '/mcp', '/metrics']) {
    for (const [why, token, message] of cases) {
      const res = await call(url, token, url === '/metrics' ? 'GET' : 'POST');
      t.equal(res.statusCode, 401, `${url} with ${why}: 401`);
      t.match(res.json().message, message);
      t.match(res.headers['www-authenticate'], new RegExp(`^Bearer resource_metadata="${metadata.replace(/[.?/]/g, '\\$&')}"`), `${url} with ${why}: WWW-Authenticate points at the resource metadata`);
    }
  }
  const readOnly = await sign('finops:read');
  const scan = await call('/tools/echo_scope', readOnly);
  t.equal(scan.statusCode, 403, 'finops:read calling a scanning tool: 403');
  t.match(scan.json(), { error: 'forbidden', message: /lacks the scope finops:scan/ });
  const noScope = await call('/tools/echo_scope', await sign(''));
  t.equal(noScope.statusCode, 403, 'no scope at all: 403');
  const allowed = await call('/tools/echo_scope', await sign('finops:read finops:scan'));
  t.equal(allowed.statusCode, 200, 'finops:scan: 200');
  const meta = await call('/.well-known/oauth-protected-resource', null, 'GET');
  t.equal(meta.statusCode, 200, 'the resource metadata is public');
  t.same(meta.json().authorization_servers, [iss.url]);
  t.equal((await call('/health', null, 'GET')).statusCode, 200, '/health is public');
});

t.test('credentials put in a query string are redacted from the log', async (t) => {
  t.equal(redactUrl('/tools/x?api_key=abc&limit=5&token=t%20u&Access-Token=z'), '/tools/x?api_key=[redacted]&limit=5&token=[redacted]&Access-Token=[redacted]');
  t.equal(redactUrl('/tools/x?%zz=1&key'), '/tools/x?%zz=1&key', 'malformed escapes and bare names are left alone');
  t.equal(redactUrl('/health'), '/health');
  const { app, lines } = await securedApp({ auth: { mode: 'api_key', api_keys: API_KEYS } });
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: `/tools?api_key=${KEYS.admin}` });
  t.ok(lines.some((l) => l.includes('/tools?api_key=[redacted]')), 'the request line shows the redacted URL');
  t.notOk(lines.some((l) => l.includes(KEYS.admin)), 'the key is in no log line');
});

t.test('off loopback without keys the server refuses to start; AUTH_MODE=none is an explicit opt-out', async (t) => {
  const offLoopback = loadConfig({ HOST: '0.0.0.0' });
  t.equal(offLoopback.auth.mode, 'api_key', 'off loopback the default mode is api_key');
  t.match(startupRefusal(offLoopback), /no API keys are configured/);
  t.equal(startupRefusal(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'ops:0123456789abcdef0123' })), null, 'with keys it starts');
  t.equal(startupRefusal(loadConfig({ HOST: '0.0.0.0', AUTH_MODE: 'none' })), null, 'AUTH_MODE=none starts (with a warning)');
  t.equal(startupRefusal(loadConfig({ HOST: '127.0.0.1' })), null, 'loopback without keys starts');
  t.throws(() => loadConfig({ AUTH_MODE: 'api_key' }), { message: /requires API_KEYS/ }, 'AUTH_MODE=api_key without keys is a configuration error');

  // The real entry point: started on 0.0.0.0 without keys, the process exits 1 without listening.
  // The environment of this test (the TypeScript loader's settings) minus anything about auth.
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (/^(API_KEY|AUTH_|OAUTH_|ALLOWED_)/.test(k)) delete env[k];
  const child = spawn(process.execPath, [...process.execArgv, 'src/server.ts'], {
    cwd: process.cwd(),
    env: { ...env, HOST: '0.0.0.0', PORT: '18080', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 1, 'exit code 1');
  t.match(stderr, /Refusing to start: HOST=0\.0\.0\.0 is reachable from other machines but no API keys are configured/);
  t.notMatch(stdout, /Server listening/, 'it never listened');
});
