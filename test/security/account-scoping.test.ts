/**
 * API_KEY_ACCOUNTS: a key scoped to some accounts is refused (403, no AssumeRole at all) for the
 * others, over REST and MCP, while its own accounts scan normally. Every body and log line is
 * scanned for credentials.
 */
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { startSimulator } from '../../src/simulator/server.js';
import { COMPLIANT, MGMT, ROLE, UNTAGGED, acct, org, policyPath, res } from '../e2e/helpers.js';
import { isolateNetwork } from '../helpers/network.js';
import { API_KEYS, KEYS, bearer, capturingLogger, secretScan } from './helpers.js';

isolateNetwork();

const A = '200000000001';
const B = '200000000002';
const fixture = org([
  acct(A, [res('ec2:instance', 'i-0a0000000000000a1', 'us-east-1', COMPLIANT)]),
  acct(B, [res('ec2:instance', 'i-0b0000000000000b1', 'us-east-1', UNTAGGED)]),
]);

t.test('a key scoped to one account: other accounts 403 before any AssumeRole; its own account scans', async (t) => {
  const sim = await startSimulator({ fixture });
  const lines: string[] = [];
  const config = testConfig({
    policy_path: policyPath(),
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, region: 'us-east-1', request_timeout_ms: 10_000, max_attempts: 2 },
    multi_account: { enabled: true, discovery: 'static', role_name: ROLE, account_ids: [MGMT, A, B] },
    auth: { mode: 'api_key', api_keys: API_KEYS, key_accounts: { alice: [A], admin: null } },
  });
  const app = await buildApp({ config, logger: capturingLogger(lines), policy: { watch: false } });
  t.teardown(async () => {
    await app.close();
    await sim.stop();
  });
  const scan = secretScan();
  sim.resetStats();

  const denied = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: bearer(KEYS.alice), payload: { account_ids: [B] } });
  scan.check(t, 'denied body', denied.body);
  t.equal(denied.statusCode, 403);
  t.equal(denied.json().error, 'forbidden');
  t.equal(denied.json().message, `You may not scan account ${B}: remove it from account_ids (list_accounts shows the accounts you may scan).`);
  const mixed = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: bearer(KEYS.alice), payload: { account_ids: [A, B] } });
  t.equal(mixed.statusCode, 403);
  const own = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: bearer(KEYS.alice), payload: {} });
  t.equal(own.statusCode, 403, "the server's own account is not in alice's list");
  t.same(sim.stats().assume_role, {}, 'zero AssumeRole for refused calls');

  // Over MCP the same refusal is an isError result, still without AssumeRole.
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'scoping', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: bearer(KEYS.alice) } }));
  t.teardown(() => client.close());
  const mcpDenied = await client.callTool({ name: 'check_tag_compliance', arguments: { account_ids: [B] } });
  t.equal(mcpDenied.isError, true);
  t.same(mcpDenied.content, [{ type: 'text', text: `You may not scan account ${B}: remove it from account_ids (list_accounts shows the accounts you may scan).` }]);
  t.same(sim.stats().assume_role, {}, 'still zero AssumeRole');

  const allowed = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: bearer(KEYS.alice), payload: { account_ids: [A] } });
  scan.check(t, 'allowed body', allowed.body);
  t.equal(allowed.statusCode, 200);
  t.equal(allowed.json().total_resources, 1);
  t.equal(allowed.json().compliant_resources, 1);
  t.equal(sim.stats().assume_role[B], undefined, 'B never assumed');
  t.ok((sim.stats().assume_role[A] ?? 0) >= 1, 'A assumed');

  // The unrestricted key reads B.
  const admin = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: bearer(KEYS.admin), payload: { account_ids: [B] } });
  t.equal(admin.statusCode, 200);
  t.equal(admin.json().total_resources, 1);
  t.equal(admin.json().compliant_resources, 0);

  for (const [i, line] of lines.entries()) scan.check(t, `log line ${i}`, line);
  t.ok(scan.scanned() > 10, 'log lines were scanned');
});
