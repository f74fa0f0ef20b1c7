import t from 'tap';
import { API_KEY, transportApp } from '../mcp/fixtures.js';

t.test('GET /tools lists name, title, description, schemas and annotations', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/tools' });
  t.equal(res.statusCode, 200);
  const body = res.json() as { tools: { name: string; input_schema: { properties: Record<string, unknown> }; annotations: Record<string, unknown> }[] };
  t.same(body.tools.map((x) => x.name), ['echo_scope', 'explode', 'refuse', 'wait_for_cancel']);
  const echo = body.tools[0];
  t.same(Object.keys(echo?.input_schema.properties ?? {}), ['resource_types', 'account_ids', 'regions', 'mode', 'limit']);
  t.equal(echo?.annotations.readOnlyHint, true);
  t.equal(echo?.annotations.title, 'Echo scope');
});

t.test('POST /tools/:name with JSON returns the structured result (defaults applied)', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: { resource_types: ['ec2:instance'], regions: ['us-east-1'] } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { received: { resource_types: ['ec2:instance'], regions: ['us-east-1'], limit: 50 }, principal: 'anonymous' });
});

t.test('the deployment guide curl (urlencoded JSON with "accounts") works', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/tools/echo_scope',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '{"accounts": ["123456789012", "234567890123"]}',
  });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { received: { account_ids: ['123456789012', '234567890123'], limit: 50 }, principal: 'anonymous' });
});

t.test('JSON sent as text/plain and plain form fields are accepted', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const text = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { 'content-type': 'text/plain' }, payload: '{"mode": "full"}' });
  t.same(text.json(), { received: { mode: 'full', limit: 50 }, principal: 'anonymous' });
  const form = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'regions=us-east-1&regions=eu-west-1&limit=5' });
  t.same(form.json(), { received: { regions: ['us-east-1', 'eu-west-1'], limit: 5 }, principal: 'anonymous' });
});

t.test('empty bodies mean no arguments, for JSON and urlencoded', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
    const res = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { 'content-type': type }, payload: '' });
    t.equal(res.statusCode, 200, type);
    t.same(res.json(), { received: { limit: 50 }, principal: 'anonymous' }, type);
  }
});

t.test('common mistakes are normalised: region, single string, one-element array, numeric string', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: { region: 'eu-west-1', resource_types: 's3:bucket', mode: ['full'], limit: '7' } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { received: { regions: ['eu-west-1'], resource_types: ['s3:bucket'], mode: 'full', limit: 7 }, principal: 'anonymous' });
});

t.test('400 names the bad field and says what is allowed', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: { resource_types: ['ec2:spaceship'] } });
  t.equal(res.statusCode, 400);
  const body = res.json() as { error: string; message: string; field: string; request_id: string };
  t.equal(body.error, 'invalid_arguments');
  t.equal(body.field, '/resource_types/0');
  t.equal(body.message, 'Invalid arguments for echo_scope: resource_types/0: "ec2:spaceship" is not a supported resource type (allowed: ec2:instance, s3:bucket, rds:db)');
  t.equal(res.headers['x-request-id'], body.request_id);

  const extra = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: { resourcetypes: ['ec2:instance'] } });
  t.equal(extra.statusCode, 400);
  t.equal((extra.json() as { message: string }).message, 'Invalid arguments for echo_scope: unknown field "resourcetypes"; allowed fields: resource_types, account_ids, regions, mode, limit');

  const range = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: { limit: 900 } });
  t.equal(range.statusCode, 400);
  t.match((range.json() as { message: string }).message, /^Invalid arguments for echo_scope: limit: 900 must be at most 500$/);

  const notJson = await app.inject({ method: 'POST', url: '/tools/echo_scope', headers: { 'content-type': 'application/json' }, payload: '{"limit": ' });
  t.equal(notJson.statusCode, 400);
  t.match((notJson.json() as { message: string }).message, /^The request body is not valid JSON/);
});

t.test('unknown tool → 404 listing the valid names', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/check_everything', payload: {} });
  t.equal(res.statusCode, 404);
  t.equal((res.json() as { message: string }).message, 'Unknown tool "check_everything". Valid tools: echo_scope, explode, refuse, wait_for_cancel');
});

t.test('a UserError keeps its status and message', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/refuse', payload: {} });
  t.equal(res.statusCode, 400);
  t.same(res.json(), {
    error: 'invalid_input',
    message: 'Account 999999999999 is not configured: use one of 111111111111, 222222222222',
    field: 'account_ids',
    request_id: res.headers['x-request-id'],
  });
});

t.test('unexpected errors → generic 500, no detail', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/tools/explode', payload: {}, headers: { 'x-request-id': 'req-abc-123' } });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { error: 'internal_error', message: 'An internal error occurred', request_id: 'req-abc-123' });
  t.notMatch(res.body, /hunter2/);
  t.equal(res.headers['x-request-id'], 'req-abc-123');
});

t.test('a request id that is not a plain token is replaced', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/tools', headers: { 'x-request-id': 'bad id\twith spaces' } });
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
});

t.test('compatibility routes: GET /mcp/tools and POST /mcp/tools/call', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const list = await app.inject({ method: 'GET', url: '/mcp/tools' });
  t.equal(list.statusCode, 200);
  const tools = (list.json() as { tools: { name: string; inputSchema: { type: string } }[] }).tools;
  t.equal(tools[0]?.name, 'echo_scope');
  t.equal(tools[0]?.inputSchema.type, 'object');

  const ok = await app.inject({ method: 'POST', url: '/mcp/tools/call', payload: { name: 'echo_scope', arguments: { limit: 3 } } });
  t.equal(ok.statusCode, 200);
  const okBody = ok.json() as { content: { type: string; text: string }[]; is_error: boolean };
  t.equal(okBody.is_error, false);
  t.same(JSON.parse(okBody.content[0]?.text ?? ''), { received: { limit: 3 }, principal: 'anonymous' });

  const bad = await app.inject({ method: 'POST', url: '/mcp/tools/call', payload: { name: 'echo_scope', arguments: { mode: 'loud' } } });
  const badBody = bad.json() as { content: { text: string }[]; is_error: boolean };
  t.equal(badBody.is_error, true);
  t.equal(badBody.content[0]?.text, 'Invalid arguments for echo_scope: mode: "loud" is not a supported mode (allowed: summary, full)');

  const boom = await app.inject({ method: 'POST', url: '/mcp/tools/call', payload: { name: 'explode' } });
  const boomBody = boom.json() as { content: { text: string }[]; is_error: boolean };
  t.equal(boomBody.is_error, true);
  t.equal(boomBody.content[0]?.text, 'An internal error occurred; the server log has the details.');

  const noName = await app.inject({ method: 'POST', url: '/mcp/tools/call', payload: { arguments: {} } });
  t.equal(noName.statusCode, 400);
  t.equal((noName.json() as { field: string }).field, '/name');
});

t.test('unknown route → 404 JSON', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
  t.equal(res.statusCode, 404);
  t.equal((res.json() as { message: string }).message, 'No route GET /nope. See GET /tools for the tool list, /mcp for MCP.');
});

t.test('auth: 401 with WWW-Authenticate when keys are configured; key accepted; /health public', async (t) => {
  const app = await transportApp({ auth: { mode: 'api_key', api_keys: [{ id: 'ci', key: API_KEY }] } });
  t.teardown(() => app.close());
  const none = await app.inject({ method: 'GET', url: '/tools' });
  t.equal(none.statusCode, 401);
  t.equal(none.headers['www-authenticate'], 'Bearer');
  t.equal((none.json() as { error: string }).error, 'unauthorized');

  const wrong = await app.inject({ method: 'GET', url: '/tools', headers: { authorization: 'Bearer wrong-key-0123456789' } });
  t.equal(wrong.statusCode, 401);
  t.equal((wrong.json() as { message: string }).message, 'The API key is not valid.');

  const ok = await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: {}, headers: { authorization: `Bearer ${API_KEY}` } });
  t.equal(ok.statusCode, 200);
  t.equal((ok.json() as { principal: string }).principal, 'ci');

  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200);
  const mcp = await app.inject({ method: 'POST', url: '/mcp', payload: {} });
  t.equal(mcp.statusCode, 401);
});

t.test('/ready is 503 while no policy is loaded', async (t) => {
  const app = await transportApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { ready: false, reason: 'policy not loaded' });
});
