import t from 'tap';
import { readFileSync } from 'node:fs';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer } from './helpers/test-server.js';
import { startBridge, within } from './helpers/bridge.js';

const T = { timeout: 30_000 };
const tls = {
  key: readFileSync(new URL('./fixtures/self-signed.key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('./fixtures/self-signed.cert.pem', import.meta.url), 'utf8'),
};

t.test('self-signed certificate: refused by default, with a message naming MCP_VERIFY_TLS', T, async (t) => {
  const server = await startTestServer({ tls });
  const bridge = startBridge({ MCP_SERVER_URL: server.url });
  t.teardown(async () => {
    await bridge.close();
    await server.close();
  });
  const err = await within(15_000, 'connect', bridge.client.connect(bridge.transport).then(() => undefined, (e: unknown) => e));
  t.ok(err instanceof McpError);
  t.match((err as McpError).message, /TLS error talking to https:\/\/127\.0\.0\.1:\d+\/mcp \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  t.match((err as McpError).message, /set MCP_VERIFY_TLS=false/);
  t.same(server.events, [], 'nothing reached the server');
});

t.test('self-signed certificate: accepted with MCP_VERIFY_TLS=false (and a warning)', T, async (t) => {
  const server = await startTestServer({ tls });
  const bridge = startBridge({ MCP_SERVER_URL: server.url, MCP_VERIFY_TLS: 'false' });
  t.teardown(async () => {
    await bridge.close();
    await server.close();
  });
  await within(15_000, 'connect', bridge.client.connect(bridge.transport));
  const result = await within(10_000, 'echo', bridge.client.callTool({ name: 'echo', arguments: { text: 'tls' } }));
  t.same(result.content, [{ type: 'text', text: 'echo: tls' }]);
  t.match(bridge.stderr(), /TLS certificate verification is OFF/);
});
