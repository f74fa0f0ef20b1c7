import t from 'tap';
import { ConfigError, loadConfig, parseHeaders, resolveServerUrl, type BridgeConfig } from '../src/config.js';
import { describeFailure, errorCodes, httpStatus, safeUrl } from '../src/errors.js';
import { requestIdsInBody } from '../src/remote.js';

function run(argv: string[], env: Record<string, string>): BridgeConfig {
  const action = loadConfig(argv, env);
  if (action.kind !== 'run') throw new Error(`expected a run config, got ${action.kind}`);
  return action.config;
}

t.test('server URL: base URL gets /mcp, /mcp and /sse are kept', async (t) => {
  const cases: [string, string, 'streamable-http' | 'sse', string | undefined][] = [
    ['http://mcp.acme.com:8080', 'http://mcp.acme.com:8080/mcp', 'streamable-http', 'http://mcp.acme.com:8080/sse'],
    ['http://mcp.acme.com:8080/', 'http://mcp.acme.com:8080/mcp', 'streamable-http', 'http://mcp.acme.com:8080/sse'],
    ['https://mcp.acme.com/mcp', 'https://mcp.acme.com/mcp', 'streamable-http', 'https://mcp.acme.com/sse'],
    ['https://mcp.acme.com/mcp/', 'https://mcp.acme.com/mcp', 'streamable-http', 'https://mcp.acme.com/sse'],
    ['https://gw.acme.com/finops', 'https://gw.acme.com/finops/mcp', 'streamable-http', 'https://gw.acme.com/finops/sse'],
    ['http://mcp.acme.com:8080/sse', 'http://mcp.acme.com:8080/sse', 'sse', undefined],
  ];
  for (const [input, url, transport, fallback] of cases) {
    const r = resolveServerUrl(input, 'MCP_SERVER_URL');
    t.equal(r.url.href, url, input);
    t.equal(r.transport, transport, `${input} transport`);
    t.equal(r.sseFallbackUrl?.href, fallback, `${input} fallback`);
  }
});

t.test('defaults match the existing bridge', async (t) => {
  const c = run([], { MCP_SERVER_URL: 'http://mcp-prod.acme.com:8080' });
  t.equal(c.url.href, 'http://mcp-prod.acme.com:8080/mcp');
  t.equal(c.timeoutMs, 120_000);
  t.equal(c.verifyTls, true);
  t.equal(c.logLevel, 'warn');
  t.same(c.headers, {});
});

t.test('environment settings', async (t) => {
  const c = run([], {
    MCP_SERVER_URL: 'https://mcp.acme.com',
    MCP_API_KEY: 'tok-123',
    MCP_TIMEOUT: '300',
    MCP_VERIFY_TLS: 'false',
    MCP_HEADERS: 'X-Team: finops\nX-Env: prod; X-Trace: a:b',
    MCP_BRIDGE_LOG_LEVEL: 'DEBUG',
  });
  t.same(c.headers, { 'X-Team': 'finops', 'X-Env': 'prod', 'X-Trace': 'a:b', Authorization: 'Bearer tok-123' });
  t.equal(c.timeoutMs, 300_000);
  t.equal(c.verifyTls, false);
  t.equal(c.logLevel, 'debug');
});

t.test('flags win over the environment', async (t) => {
  const c = run(['--url', 'http://other:9000', '--api-key=flag-key', '--timeout', '2.5', '--header', 'X-Team: platform', '--header', 'X-Extra: 1', '--insecure', '--log-level', 'info'], {
    MCP_SERVER_URL: 'http://mcp.acme.com:8080',
    MCP_API_KEY: 'env-key',
    MCP_TIMEOUT: '30',
    MCP_HEADERS: '{"x-team": "finops", "X-Env": "prod"}',
    MCP_BRIDGE_LOG_LEVEL: 'error',
  });
  t.equal(c.url.href, 'http://other:9000/mcp');
  t.same(c.headers, { 'X-Env': 'prod', 'X-Team': 'platform', 'X-Extra': '1', Authorization: 'Bearer flag-key' });
  t.equal(c.timeoutMs, 2500);
  t.equal(c.verifyTls, false);
  t.equal(c.logLevel, 'info');
});

t.test('MCP_API_KEY replaces an Authorization header from MCP_HEADERS', async (t) => {
  const c = run([], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: 'authorization: Basic abc', MCP_API_KEY: 'k' });
  t.same(c.headers, { Authorization: 'Bearer k' });
});

t.test('help and version', async (t) => {
  t.same(loadConfig(['--help'], {}), { kind: 'help' });
  t.same(loadConfig(['--version'], {}), { kind: 'version' });
});

t.test('bad values are refused with a message naming the setting', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [[], {}, /^MCP_SERVER_URL is not set/],
    [[], { MCP_SERVER_URL: '  ' }, /^MCP_SERVER_URL is not set/],
    [['--url', 'nope'], {}, /^--url is not a valid URL/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_TIMEOUT: '-1' }, /^MCP_TIMEOUT must be a positive number/],
    [['--timeout', 'soon'], { MCP_SERVER_URL: 'http://x' }, /^--timeout must be a positive number/],
    [['--timeout'], { MCP_SERVER_URL: 'http://x' }, /^option --timeout needs a value/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: '{"X-A": 1}' }, /the value of header "X-A" must be a string/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: '{broken' }, /looks like JSON but does not parse/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: '["a"]' }, /must be a JSON object/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: 'Bad Name: v' }, /"Bad Name" is not a valid HTTP header name/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_HEADERS: 'Mcp-Session-Id: x' }, /managed by the bridge/],
    [[], { MCP_SERVER_URL: 'http://x', MCP_BRIDGE_LOG_LEVEL: 'trace' }, /^MCP_BRIDGE_LOG_LEVEL must be one of/],
  ];
  for (const [argv, env, expected] of cases) {
    t.throws(() => loadConfig(argv, env), ConfigError, `${argv.join(' ')} ${JSON.stringify(env)}`);
    try {
      loadConfig(argv, env);
    } catch (e) {
      t.match((e as Error).message, expected);
    }
  }
});

t.test('parseHeaders: empty text is no headers', async (t) => {
  t.same(parseHeaders('  ', 'MCP_HEADERS'), {});
  t.same(parseHeaders('A: 1;;\n', 'MCP_HEADERS'), { A: '1' });
});

t.test('error classification walks the cause chain', async (t) => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  t.same(errorCodes(refused), ['ECONNREFUSED']);
  const aggregate = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]) });
  t.same(errorCodes(aggregate), ['ECONNREFUSED']);
  t.same(errorCodes(new Error('SSE error: TypeError: fetch failed: getaddrinfo ENOTFOUND nohost.invalid')), ['ENOTFOUND']);
  const ctx = { url: 'http://h/mcp', hasApiKey: false };
  t.match(describeFailure(new Error('SSE error: TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9'), ctx).message, /connection refused/);
  t.match(describeFailure(new Error('SSE error: TypeError: fetch failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)'), ctx).message, /MCP_VERIFY_TLS=false/);
  t.match(describeFailure(aggregate, ctx).message, /connection refused/);
  t.match(describeFailure(Object.assign(new Error('x'), { code: 403 }), ctx).message, /HTTP 403\): check that the token in MCP_API_KEY/);
  t.match(describeFailure(Object.assign(new Error('x'), { code: 404 }), ctx).message, /answered HTTP 404: check MCP_SERVER_URL/);
  t.match(describeFailure(Object.assign(new Error('too many sessions'), { code: 503 }), ctx).message, /could not handle the request \(HTTP 503\); retry later.*Detail: too many sessions/);
  t.match(describeFailure(Object.assign(new Error('bad'), { code: 400 }), ctx).message, /refused the request \(HTTP 400\)\. Detail: bad/);
  t.equal(describeFailure(refused, ctx).code, -32000);
});

t.test('httpStatus reads the SDK error codes and the SSE transport text', async (t) => {
  t.equal(httpStatus(Object.assign(new Error('Streamable HTTP error: x'), { code: 404 })), 404);
  t.equal(httpStatus(new Error('Error POSTing to endpoint (HTTP 401): unauthorized')), 401);
  t.equal(httpStatus(Object.assign(new Error('x'), { code: -1 })), undefined);
  t.equal(httpStatus(new Error('fetch failed')), undefined);
});

t.test('safeUrl drops credentials and query', async (t) => {
  t.equal(safeUrl(new URL('https://user:pw@h:1/mcp?token=x')), 'https://h:1/mcp');
});

t.test('requestIdsInBody finds request ids in single and batch bodies', async (t) => {
  t.same(requestIdsInBody(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' })), [7]);
  t.same(requestIdsInBody(JSON.stringify([{ jsonrpc: '2.0', id: 'a', method: 'x' }, { jsonrpc: '2.0', method: 'n' }, { jsonrpc: '2.0', id: 3, result: {} }])), ['a']);
  t.same(requestIdsInBody('not json'), []);
  t.same(requestIdsInBody(undefined), []);
});
