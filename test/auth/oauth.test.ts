/**
 * AUTH_MODE=oauth: JWTs from a local issuer (JWKS served on 127.0.0.1, keys made by jose):
 * valid token accepted; missing, expired, wrong-audience, wrong-issuer and foreign-key tokens
 * refused with 401 and WWW-Authenticate resource_metadata; scopes decide the tools.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { isolateNetwork } from '../helpers/network.js';
import { secretScan, securedApp } from '../security/helpers.js';

isolateNetwork();

const AUDIENCE = 'http://localhost/mcp-resource';

async function issuer(): Promise<{ url: string; key: CryptoKey; server: Server }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, key: privateKey, server };
}

t.test('config: AUTH_MODE=oauth needs issuer and audience; JWKS defaults under the issuer', async (t) => {
  t.same(loadConfig({ AUTH_MODE: 'oauth', OAUTH_ISSUER: 'https://id.example.com/', OAUTH_AUDIENCE: 'https://mcp.example.com' }).auth.oauth, {
    issuer: 'https://id.example.com/',
    audience: 'https://mcp.example.com',
    jwks_url: 'https://id.example.com/.well-known/jwks.json',
  });
  t.throws(() => loadConfig({ AUTH_MODE: 'oauth' }), { message: "AUTH_MODE=oauth requires OAUTH_ISSUER (the authorization server URL) and OAUTH_AUDIENCE (this server's resource URL)" });
});

t.test('tokens are verified against the JWKS; scopes map to tools', async (t) => {
  const iss = await issuer();
  const other = await issuer();
  t.teardown(() => {
    iss.server.close();
    other.server.close();
  });
  const cfg = loadConfig({ AUTH_MODE: 'oauth', OAUTH_ISSUER: iss.url, OAUTH_AUDIENCE: AUDIENCE });
  const { app, lines } = await securedApp({ auth: cfg.auth });
  t.teardown(() => app.close());
  const sign = (claims: Record<string, unknown>, opts: { aud?: string; iss?: string; exp?: string | number; key?: CryptoKey } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('user-1')
      .setIssuer(opts.iss ?? iss.url)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? iss.key);
  const call = (tool: string, token?: string) =>
    app.inject({ method: 'POST', url: `/tools/${tool}`, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, payload: {} });
  const metadata = 'http://localhost:80/.well-known/oauth-protected-resource';

  const scanToken = await sign({ scope: 'finops:read finops:scan' });
  const ok = await call('echo_scope', scanToken);
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().principal, 'sub:user-1');

  const none = await call('echo_scope');
  t.equal(none.statusCode, 401);
  t.equal(none.headers['www-authenticate'], `Bearer resource_metadata="${metadata}"`);

  const expired = await call('echo_scope', await sign({ scope: 'finops:scan' }, { exp: Math.floor(Date.now() / 1000) - 120 }));
  t.equal(expired.statusCode, 401);
  t.equal(expired.json().message, 'The access token has expired: get a new one from the authorization server.');
  t.equal(expired.headers['www-authenticate'], `Bearer resource_metadata="${metadata}", error="invalid_token"`);

  const wrongAud = await call('echo_scope', await sign({ scope: 'finops:scan' }, { aud: 'https://other.example' }));
  t.equal(wrongAud.statusCode, 401);
  t.equal(wrongAud.json().message, `The access token is not for this server: its audience must be ${AUDIENCE}.`);

  const wrongIss = await call('echo_scope', await sign({ scope: 'finops:scan' }, { iss: 'https://evil.example' }));
  t.equal(wrongIss.statusCode, 401);
  t.equal(wrongIss.json().message, `The access token was not issued by ${iss.url}.`);

  const forged = await call('echo_scope', await sign({ scope: 'finops:scan' }, { key: other.key }));
  t.equal(forged.statusCode, 401);
  t.equal(forged.json().message, 'The access token is not valid.');

  const readOnly = await sign({ scope: 'finops:read' });
  const denied = await call('echo_scope', readOnly);
  t.equal(denied.statusCode, 403);
  t.equal(denied.json().message, 'The access token lacks the scope finops:scan that echo_scope needs (token scopes: finops:read).');
  const readOk = await call('refuse', readOnly);
  t.equal(readOk.statusCode, 400, 'a non-scanning tool runs with finops:read (refuse answers its own 400)');

  const meta = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
  t.equal(meta.statusCode, 200);
  t.same(meta.json(), {
    resource: AUDIENCE,
    authorization_servers: [iss.url],
    scopes_supported: ['finops:read', 'finops:scan'],
    bearer_methods_supported: ['header'],
    resource_documentation: 'http://localhost:80/tools',
  });
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.not(health.statusCode, 401);

  const scan = secretScan([scanToken, readOnly]);
  for (const text of [ok.body, none.body, expired.body, denied.body, ...lines]) scan.check(t, 'text', text);
});
