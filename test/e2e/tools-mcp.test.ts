/**
 * Every tool over MCP on the real app listening on 127.0.0.1: Streamable HTTP (initialize,
 * tools/list, tools/call for every tool, progress, isError) and the same basics over HTTP+SSE.
 */
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allTools } from '../../src/app.js';
import { isolateNetwork } from '../aws/helpers.js';
import { DEMO_ACCOUNTS, demoArguments, expectedCompliance, schemaErrors, startDemo, toolNamed } from './harness.js';

isolateNetwork();

const demo = await startDemo();
t.teardown(() => demo.close());
const base = await demo.app.listen({ host: '127.0.0.1', port: 0 });

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}

t.test('Streamable HTTP: initialize, tools/list and tools/call for every tool', async (t) => {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base));
  await client.connect(transport);
  t.teardown(() => client.close());
  t.equal(client.getServerVersion()?.name, 'finops-tag-compliance');
  t.type(transport.sessionId, 'string', 'a session was opened');
  t.ok(client.getServerCapabilities()?.tools, 'tools capability');

  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), allTools.map((x) => x.name), 'every tool, in order');
  for (const listed of tools) {
    const tool = toolNamed(allTools, listed.name);
    t.same(listed.inputSchema, JSON.parse(JSON.stringify(tool.inputSchema)), `${listed.name} inputSchema is the TypeBox schema`);
    t.same(listed.outputSchema, JSON.parse(JSON.stringify(tool.outputSchema)), `${listed.name} outputSchema is the TypeBox schema`);
    t.same(listed.annotations, tool.annotations, `${listed.name} annotations as declared`);
    t.equal(listed.title, tool.title);
  }

  const args = demoArguments(demo);
  for (const tool of allTools) {
    const result = (await client.callTool({ name: tool.name, arguments: args[tool.name] ?? {} })) as CallToolResult;
    t.equal(result.isError, undefined, `${tool.name} succeeded: ${result.isError === true ? textOf(result) : ''}`);
    t.same(schemaErrors(tool.outputSchema, result.structuredContent), [], `${tool.name} structuredContent matches outputSchema`);
    t.same(JSON.parse(textOf(result)) as unknown, result.structuredContent, `${tool.name} text copy equals structuredContent`);
  }

  // Figures over MCP are the same as the fixture says.
  const check = (await client.callTool({ name: 'check_tag_compliance', arguments: { account_ids: ['production', 'staging'] } })) as CallToolResult;
  const exp = expectedCompliance(demo.policy, demo.sim.fixture, [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging]);
  t.equal((check.structuredContent as { total_resources: number }).total_resources, exp.total_resources);
  t.equal((check.structuredContent as { compliant_resources: number }).compliant_resources, exp.compliant_resources);
  const rest = await demo.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { account_ids: ['production', 'staging'] } });
  t.same(check.structuredContent, rest.json(), 'MCP and REST give the same answer (same cached inventory)');
});

t.test('Streamable HTTP: progress notifications during a multi-account scan', async (t) => {
  const client = new Client({ name: 'e2e-progress', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
  t.teardown(() => client.close());
  const updates: { progress: number; total?: number; message?: string }[] = [];
  const result = (await client.callTool({ name: 'check_tag_compliance', arguments: { account_ids: ['all'], force_refresh: true } }, undefined, {
    onprogress: (p) => updates.push(p),
    resetTimeoutOnProgress: true,
    timeout: 30_000,
  })) as CallToolResult;
  t.equal(result.isError, undefined);
  const out = result.structuredContent as { data_quality: { cells_requested: number }; account_metadata: { total_accounts: number } };
  t.equal(out.account_metadata.total_accounts, 7);
  t.ok(updates.length > 1, `several progress notifications (${updates.length})`);
  const values = updates.map((u) => u.progress);
  t.ok(values.every((v, i) => i === 0 || v > (values[i - 1] ?? Infinity)), 'progress strictly increases');
  const last = updates[updates.length - 1];
  t.equal(last?.total, last?.progress, 'the last update says every planned cell is done');
  t.ok(updates.some((u) => typeof u.message === 'string' && u.message.length > 0), 'updates carry a message');
});

t.test('Streamable HTTP: bad input is an isError result with a clear message', async (t) => {
  const client = new Client({ name: 'e2e-errors', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
  t.teardown(() => client.close());
  const bad = (await client.callTool({ name: 'check_tag_compliance', arguments: { limit: 0 } })) as CallToolResult;
  t.equal(bad.isError, true);
  t.match(textOf(bad), /^Invalid arguments for check_tag_compliance: limit/);
  t.equal(bad.structuredContent, undefined);

  const account = (await client.callTool({ name: 'compare_accounts', arguments: { account_ids: ['production', 'nosuchaccount'] } })) as CallToolResult;
  t.equal(account.isError, true);
  t.match(textOf(account), /Unknown account\(s\): nosuchaccount/);

  const arn = (await client.callTool({ name: 'validate_resource_tags', arguments: { resource_arns: 'not-an-arn' } })) as CallToolResult;
  t.equal(arn.isError, undefined, 'a single string is accepted as a one-element list');
  t.equal((arn.structuredContent as { results: { status: string }[] }).results[0]?.status, 'invalid_arn');

  const unknown = (await client.callTool({ name: 'no_such_tool', arguments: {} })) as CallToolResult;
  t.equal(unknown.isError, true);
  t.match(textOf(unknown), /Unknown tool "no_such_tool"/);
});

t.test('HTTP+SSE (GET /sse): initialize, tools/list and a tools/call', async (t) => {
  const client = new Client({ name: 'e2e-sse', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL('/sse', base)));
  t.teardown(() => client.close());
  t.equal(client.getServerVersion()?.name, 'finops-tag-compliance');
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), allTools.map((x) => x.name));
  t.ok(tools.every((x) => x.outputSchema !== undefined));

  const result = (await client.callTool({ name: 'list_accounts', arguments: {} })) as CallToolResult;
  t.equal(result.isError, undefined);
  t.same(schemaErrors(toolNamed(allTools, 'list_accounts').outputSchema, result.structuredContent), []);
  const out = result.structuredContent as { total_accounts: number; accounts: { account_id: string }[] };
  t.equal(out.total_accounts, 7);
  t.same(out.accounts.map((a) => a.account_id).sort(), Object.values(DEMO_ACCOUNTS).sort());
  t.same(JSON.parse(textOf(result)) as unknown, result.structuredContent);
});
