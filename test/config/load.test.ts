import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { describeConfig, envTableMarkdown, loadConfig, testConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

t.test('defaults of an empty environment', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.log_level, 'info');
  t.equal(c.policy_path, 'policies/tagging_policy.json');
  t.same(c.aws, { region: 'us-east-1', endpoint_url: null, allowed_regions: null, request_timeout_ms: 30000, max_attempts: 3, max_sockets: 50, credentials: null });
  t.same(c.multi_account, {
    enabled: false,
    account_ids: [],
    exclude: [],
    role_name: 'FinOpsTagComplianceReadOnly',
    role_arn_template: 'arn:aws:iam::{account_id}:role/{role_name}',
    external_id: null,
    session_duration_seconds: 3600,
    max_concurrent_accounts: 5,
    account_scan_timeout_seconds: 120,
    discovery: 'static',
    organization_unit_ids: [],
    discovery_ttl_seconds: 900,
  });
  t.same(c.scan, { max_concurrent_cells_per_account: 8 });
  t.same(c.cache, { redis_url: null, ttl_seconds: 3600, cost_ttl_seconds: 86400, max_bytes: 256 * 1024 * 1024, redis_connect_timeout_ms: 2000, redis_command_timeout_ms: 1000, redis_key_prefix: 'finops-tag-compliance:' });
  t.same(c.history, { db_path: './data/history.db', database_url: null, retention_days: 90 });
  t.same(c.mcp, { session_idle_seconds: 1800, max_sessions: 500, stateless: false });
  t.same(c.auth, { mode: 'none', api_keys: [] });
});

t.test('the seeds: canonical names and the deployment guide aliases', async (t) => {
  const plan = loadConfig({
    MULTI_ACCOUNT_ENABLED: 'true',
    AWS_ACCOUNT_IDS: '111111111111,222222222222,333333333333',
    AWS_ASSUME_ROLE_NAME: 'FinOpsTagComplianceReadOnly',
    MAX_CONCURRENT_ACCOUNTS: '3',
    ACCOUNT_SCAN_TIMEOUT_SECONDS: '180',
    LOG_LEVEL: 'DEBUG',
  });
  t.equal(plan.multi_account.enabled, true);
  t.same(plan.multi_account.account_ids, ['111111111111', '222222222222', '333333333333']);
  t.equal(plan.multi_account.max_concurrent_accounts, 3);
  t.equal(plan.multi_account.account_scan_timeout_seconds, 180);
  t.equal(plan.log_level, 'debug');

  const guide = loadConfig({
    MULTI_ACCOUNT_ENABLED: 'yes',
    AWS_ACCOUNTS: '123456789012, 234567890123,345678901234,456789012345',
    CROSS_ACCOUNT_ROLE_NAME: 'CrossAccountTagAuditRole',
    CROSS_ACCOUNT_EXTERNAL_ID: 'finops-mcp-cross-account-v1',
    AWS_ACCOUNTS_EXCLUDE: '456789012345',
  });
  t.equal(guide.multi_account.enabled, true);
  t.same(guide.multi_account.account_ids, ['123456789012', '234567890123', '345678901234', '456789012345']);
  t.equal(guide.multi_account.role_name, 'CrossAccountTagAuditRole');
  t.equal(guide.multi_account.external_id, 'finops-mcp-cross-account-v1');
  t.same(guide.multi_account.exclude, ['456789012345']);

  const both = loadConfig({ AWS_ACCOUNT_IDS: '111111111111', AWS_ACCOUNTS: '222222222222' });
  t.same(both.multi_account.account_ids, ['111111111111'], 'the canonical name wins');
  t.equal(loadConfig({ AWS_DEFAULT_REGION: 'eu-west-1' }).aws.region, 'eu-west-1');
});

t.test('booleans accept true/false/1/0/yes/no', async (t) => {
  for (const [text, value] of [['true', true], ['1', true], ['yes', true], ['TRUE', true], ['false', false], ['0', false], ['no', false]] as const) {
    t.equal(loadConfig({ MCP_STATELESS: text }).mcp.stateless, value, text);
  }
});

t.test('AWS credentials in the environment are never copied into the config', async (t) => {
  const c = loadConfig({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  t.equal(c.aws.credentials, null);
  t.notMatch(JSON.stringify(c), /AKIAEXAMPLE|secret|token/);
});

t.test('every validation error names the variable, the allowed values and the value given', async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ MAX_CONCURRENT_ACCOUNTS: '50' }, 'MAX_CONCURRENT_ACCOUNTS', 'MAX_CONCURRENT_ACCOUNTS must be an integer from 1 to 20 (got "50")'],
    [{ MAX_CONCURRENT_ACCOUNTS: 'five' }, 'MAX_CONCURRENT_ACCOUNTS', 'MAX_CONCURRENT_ACCOUNTS must be an integer from 1 to 20 (got "five")'],
    [{ ACCOUNT_SCAN_TIMEOUT_SECONDS: '10' }, 'ACCOUNT_SCAN_TIMEOUT_SECONDS', 'ACCOUNT_SCAN_TIMEOUT_SECONDS must be an integer from 30 to 600 (got "10")'],
    [{ AWS_ASSUME_ROLE_SESSION_DURATION: '60' }, 'AWS_ASSUME_ROLE_SESSION_DURATION', 'AWS_ASSUME_ROLE_SESSION_DURATION must be an integer from 900 to 43200 (got "60")'],
    [{ PORT: '70000' }, 'PORT', 'PORT must be an integer from 1 to 65535 (got "70000")'],
    [{ MULTI_ACCOUNT_ENABLED: 'maybe' }, 'MULTI_ACCOUNT_ENABLED', 'MULTI_ACCOUNT_ENABLED must be true, false, 1, 0, yes or no (got "maybe")'],
    [{ AWS_ACCOUNT_IDS: '111111111111,12345' }, 'AWS_ACCOUNT_IDS', 'AWS_ACCOUNT_IDS must be a comma-separated list of 12-digit AWS account ids (got "12345")'],
    [{ AWS_ACCOUNTS: 'prod' }, 'AWS_ACCOUNTS', 'AWS_ACCOUNTS (alias of AWS_ACCOUNT_IDS) must be a comma-separated list of 12-digit AWS account ids (got "prod")'],
    [{ AWS_ASSUME_ROLE_ARN_TEMPLATE: 'arn:aws:iam::111111111111:role/x' }, 'AWS_ASSUME_ROLE_ARN_TEMPLATE', 'AWS_ASSUME_ROLE_ARN_TEMPLATE must be a role ARN template containing {account_id} (and optionally {role_name}) (got "arn:aws:iam::111111111111:role/x")'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
    [{ AWS_ACCOUNT_DISCOVERY: 'ldap' }, 'AWS_ACCOUNT_DISCOVERY', 'AWS_ACCOUNT_DISCOVERY must be one of static, organizations (got "ldap")'],
    [{ AUTH_MODE: 'saml' }, 'AUTH_MODE', 'AUTH_MODE must be one of api_key, none, oauth (got "saml")'],
    [{ AWS_ENDPOINT_URL: '127.0.0.1:4566' }, 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL must be a URL starting with http:// or https:// (got "127.0.0.1:4566")'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL', 'REDIS_URL must be a URL starting with redis:// or rediss:// (got "http://cache:6379")'],
    [{ ALLOWED_REGIONS: 'us-east-1,Europe' }, 'ALLOWED_REGIONS', 'ALLOWED_REGIONS must be a comma-separated list of AWS region names such as us-east-1,eu-west-1 (got "Europe")'],
    [{ AWS_REGION: 'virginia' }, 'AWS_REGION', 'AWS_REGION must be an AWS region name such as us-east-1 (got "virginia")'],
    [{ CROSS_ACCOUNT_ROLE_NAME: 'bad role' }, 'CROSS_ACCOUNT_ROLE_NAME', 'CROSS_ACCOUNT_ROLE_NAME (alias of AWS_ASSUME_ROLE_NAME) must be an IAM role name (letters, digits and +=,.@_-, at most 64 characters) (got "bad role")'],
    [{ AWS_ORGANIZATION_UNIT_IDS: 'engineering' }, 'AWS_ORGANIZATION_UNIT_IDS', 'AWS_ORGANIZATION_UNIT_IDS must be a comma-separated list of OU ids (ou-xxxx-yyyyyyyy) or root ids (r-xxxx) (got "engineering")'],
    [{ MCP_MAX_SESSIONS: '0' }, 'MCP_MAX_SESSIONS', 'MCP_MAX_SESSIONS must be an integer from 1 to 100000 (got "0")'],
    [{ AUTH_MODE: 'api_key' }, 'AUTH_MODE', 'AUTH_MODE=api_key requires API_KEYS or API_KEYS_FILE (got no keys)'],
  ];
  for (const [env, variable, message] of cases) {
    const err = configError(env);
    t.equal(err.variable, variable, variable);
    t.equal(err.message, message, variable);
  }
});

t.test('API_KEYS: id:key entries, bare keys with derived ids, never echoed in errors', async (t) => {
  const c = loadConfig({ API_KEYS: 'ops:aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbb' });
  t.same(c.auth.api_keys, [
    { id: 'ops', key: 'aaaaaaaaaaaaaaaaaaaa' },
    // sha256("bbbbbbbbbbbbbbbbbbbb") starts with efbe42…
    { id: 'key-efbe42', key: 'bbbbbbbbbbbbbbbbbbbb' },
  ]);
  t.equal(c.auth.mode, 'api_key');
  const short = configError({ API_KEYS: 'ops:short-secret' });
  t.equal(short.variable, 'API_KEYS');
  t.notMatch(short.message, /short-secret/);
  const dup = configError({ API_KEYS: 'a:aaaaaaaaaaaaaaaaaaaa,a:cccccccccccccccccccc' });
  t.equal(dup.message, 'API_KEYS must not repeat a key id (duplicate id "a")');
  t.equal(loadConfig({ API_KEYS: 'ops:aaaaaaaaaaaaaaaaaaaa', AUTH_MODE: 'none' }).auth.mode, 'none');
  t.equal(loadConfig({ HOST: '0.0.0.0' }).auth.mode, 'api_key', 'non-loopback without keys still requires auth (the server refuses to start)');
});

t.test('API_KEYS_FILE is read at load', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keys');
  writeFileSync(file, '# team keys\nci:cccccccccccccccccccc\n\ndddddddddddddddddddd\n');
  const c = loadConfig({ API_KEYS_FILE: file });
  t.same(c.auth.api_keys.map((k) => k.id), ['ci', 'key-76b7e4']);
  t.equal(c.auth.api_keys[1]?.key, 'dddddddddddddddddddd');
  const missing = configError({ API_KEYS_FILE: join(dir, 'nope') });
  t.equal(missing.message, `API_KEYS_FILE must name a readable file (got "${join(dir, 'nope')}": ENOENT)`);
});

t.test('testConfig deep-merges overrides over quiet defaults', async (t) => {
  const c = testConfig({ multi_account: { enabled: true, account_ids: ['111111111111'] }, aws: { endpoint_url: 'http://127.0.0.1:1' } });
  t.equal(c.log_level, 'silent');
  t.equal(c.history.db_path, ':memory:');
  t.equal(c.multi_account.enabled, true);
  t.same(c.multi_account.account_ids, ['111111111111']);
  t.equal(c.multi_account.role_name, 'FinOpsTagComplianceReadOnly');
  t.equal(c.aws.endpoint_url, 'http://127.0.0.1:1');
  t.equal(c.aws.region, 'us-east-1');
});

t.test('describeConfig lists every variable with its default; the table renders it', async (t) => {
  const vars = describeConfig();
  const byName = new Map(vars.map((v) => [v.name, v]));
  t.equal(byName.get('MAX_CONCURRENT_ACCOUNTS')?.default, '5');
  t.same(byName.get('AWS_ACCOUNT_IDS')?.aliases, ['AWS_ACCOUNTS']);
  t.equal(byName.get('REDIS_URL')?.default, null);
  for (const name of ['PORT', 'HOST', 'LOG_LEVEL', 'POLICY_PATH', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'MULTI_ACCOUNT_ENABLED', 'AWS_ASSUME_ROLE_ARN_TEMPLATE', 'HISTORY_DB_PATH', 'MCP_SESSION_IDLE_SECONDS', 'API_KEYS_FILE']) {
    t.ok(byName.has(name), name);
  }
  const table = envTableMarkdown().split('\n');
  t.equal(table[0], '| Variable | Default | Description |');
  t.equal(table.length, vars.length + 2);
  t.ok(table.includes('| `MAX_CONCURRENT_ACCOUNTS` | `5` | Accounts scanned in parallel. Allowed: an integer from 1 to 20. |'));
});

t.test('startupRefusal: non-loopback HOST needs keys unless AUTH_MODE=none', async (t) => {
  const { startupRefusal } = await import('../../src/config/index.js');
  t.equal(startupRefusal(loadConfig({})), null);
  t.equal(
    startupRefusal(loadConfig({ HOST: '0.0.0.0' })),
    'HOST=0.0.0.0 is reachable from other machines but no API keys are configured: set API_KEYS or API_KEYS_FILE, or AUTH_MODE=none to run without authentication (not recommended).',
  );
  t.equal(startupRefusal(loadConfig({ HOST: '0.0.0.0', AUTH_MODE: 'none' })), null);
  t.equal(startupRefusal(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'ops:aaaaaaaaaaaaaaaaaaaa' })), null);
});
