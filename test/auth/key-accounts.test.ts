/** API_KEY_ACCOUNTS parsing and the principal each key gets; authentication refusals. */
import t from 'tap';
import { loadConfig } from '../../src/config/index.js';
import { parseKeyAccounts } from '../../src/config/security.js';
import { bearer, secretScan, securedApp } from '../security/helpers.js';

const KEYS_ENV = 'ci:ci-key-0123456789abcdef,admin:admin-key-0123456789abcdef';

t.test('both forms parse to the same mapping', async (t) => {
  const expected = { ci: ['111111111111', '222222222222'], admin: null };
  t.same(parseKeyAccounts('ci=222222222222|111111111111; admin=*', ['ci', 'admin']), expected);
  t.same(parseKeyAccounts('{"ci": ["111111111111", "222222222222"], "admin": "*"}', ['ci', 'admin']), expected);
  t.same(loadConfig({ API_KEYS: KEYS_ENV, API_KEY_ACCOUNTS: 'ci=111111111111;admin=*' }).auth.key_accounts, { ci: ['111111111111'], admin: null });
  t.equal(loadConfig({ API_KEYS: KEYS_ENV }).auth.key_accounts, undefined);
});

t.test('mistakes are refused with a message naming what to fix', async (t) => {
  const ids = ['ci', 'admin'];
  t.throws(() => parseKeyAccounts('ci=111111111111', ids), { message: 'API_KEY_ACCOUNTS must list every API key (missing: admin); use keyid=* for a key that may scan every account' });
  t.throws(() => parseKeyAccounts('ci=111111111111;admin=*;bob=*', ids), { message: 'API_KEY_ACCOUNTS names key id "bob", which is not in API_KEYS or API_KEYS_FILE (key ids: ci, admin)' });
  t.throws(() => parseKeyAccounts('ci=12345;admin=*', ids), { message: 'API_KEY_ACCOUNTS must give each key "*" or one or more 12-digit account ids (key id "ci" has "12345")' });
  t.throws(() => parseKeyAccounts('ci;admin=*', ids), { message: 'API_KEY_ACCOUNTS entries must look like keyid=111111111111|222222222222 or keyid=* (got "ci")' });
  t.throws(() => parseKeyAccounts('{"ci": [], "admin": "*"}', ids), { message: 'API_KEY_ACCOUNTS must give each key "*" or one or more 12-digit account ids (key id "ci" has [])' });
  t.throws(() => parseKeyAccounts('{"ci": ', ids), { message: 'API_KEY_ACCOUNTS must be valid JSON when it starts with "{" (e.g. {"ci": ["111111111111"], "admin": "*"})' });
  t.throws(() => parseKeyAccounts('ci=*;ci=*;admin=*', ids), { message: 'API_KEY_ACCOUNTS lists key id "ci" twice' });
});

t.test('each key gets its accounts as principal.allowed_accounts; refusals are 401 without leaking keys', async (t) => {
  const cfg = loadConfig({ API_KEYS: KEYS_ENV, API_KEY_ACCOUNTS: 'ci=111111111111;admin=*' });
  const { app, lines } = await securedApp({ auth: cfg.auth });
  t.teardown(() => app.close());
  const scan = secretScan(['ci-key-0123456789abcdef']);
  const ci = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: bearer('ci-key-0123456789abcdef'), payload: {} });
  t.equal(ci.statusCode, 200);
  t.equal(ci.json().principal, 'ci');
  const none = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: {} });
  t.equal(none.statusCode, 401);
  t.equal(none.headers['www-authenticate'], 'Bearer');
  t.equal(none.json().message, 'Authentication required: send "Authorization: Bearer <API key>".');
  const wrong = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: bearer('ci-key-0123456789abcdeX'), payload: {} });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().message, 'The API key is not valid.');
  const mcp = await app.inject({ method: 'POST', url: '/mcp', payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
  t.equal(mcp.statusCode, 401, 'MCP demands a key too');
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.not(health.statusCode, 401, '/health is public');
  for (const text of [ci.body, none.body, wrong.body, mcp.body, ...lines]) scan.check(t, 'text', text);
});
