/**
 * /docs: an OpenAPI 3 document generated from the tools' own TypeBox schemas (one operation per
 * tool, request body = inputSchema, 200 = outputSchema, the tool's examples), and the UI page.
 */
import t from 'tap';
import { allTools, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import Value from 'typebox/value';
import { isolateNetwork } from '../helpers/network.js';

isolateNetwork();

interface Operation {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: unknown; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

const keys = { mode: 'api_key' as const, api_keys: [{ id: 'ops', key: 'k-0123456789abcdef' }] };

t.test('/docs/json is OpenAPI 3 and documents every tool from its own schemas', async (t) => {
  const app = await buildApp({ config: testConfig({ auth: keys }), logger: false, policy: { watch: false } });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(res.statusCode, 200, 'public: the description holds no data');
  const doc = JSON.parse(res.body) as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components?: { securitySchemes?: Record<string, unknown> } };
  t.match(doc.openapi, /^3\.\d+\.\d+$/);
  t.type(doc.info.title, 'string');
  t.type(doc.info.version, 'string');
  t.same(doc.components?.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS' } });

  const toolPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/tools/')).sort();
  t.same(toolPaths, allTools.map((x) => `/tools/${x.name}`).sort(), 'one path per tool, no generic /tools/{name}');
  for (const p of ['/tools', '/health', '/ready', '/metrics']) t.ok(doc.paths[p]?.get, `GET ${p} documented`);
  for (const hidden of ['/mcp', '/sse', '/messages', '/mcp/tools', '/mcp/tools/call', '/docs']) t.notOk(doc.paths[hidden], `${hidden} left out`);

  for (const tool of allTools) {
    const op = doc.paths[`/tools/${tool.name}`]?.post;
    if (op === undefined) {
      t.fail(`no POST /tools/${tool.name}`);
      continue;
    }
    t.equal(op.operationId, tool.name);
    const body = op.requestBody?.content['application/json'];
    t.same(body?.schema, JSON.parse(JSON.stringify(tool.inputSchema)), `${tool.name}: request body is its inputSchema`);
    t.same(op.responses['200']?.content?.['application/json']?.schema, JSON.parse(JSON.stringify(tool.outputSchema)), `${tool.name}: 200 is its outputSchema`);
    const examples = Object.values(body?.examples ?? {}).map((e) => e.value);
    t.same(examples, tool.examples, `${tool.name}: the tool's examples`);
    t.ok(examples.length > 0, `${tool.name} has at least one example`);
    for (const ex of examples) t.ok(Value.Check(tool.inputSchema, Value.Default(tool.inputSchema, structuredClone(ex))), `${tool.name}: example is valid input`);
  }
});

t.test('/docs serves the browsable page; tool calls from it still need a key', async (t) => {
  const app = await buildApp({ config: testConfig({ auth: keys }), logger: false, policy: { watch: false } });
  t.teardown(() => app.close());
  const page = await app.inject({ method: 'GET', url: '/docs' });
  const html = page.statusCode === 302 ? await app.inject({ method: 'GET', url: String(page.headers.location) }) : page;
  t.equal(html.statusCode, 200);
  t.match(html.headers['content-type'], /text\/html/);
  t.match(html.body, /swagger-ui/i);
  t.equal((await app.inject({ method: 'POST', url: '/tools/get_tagging_policy', payload: {} })).statusCode, 401);
});
