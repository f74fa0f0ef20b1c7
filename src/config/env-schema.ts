/**
 * The environment, described once. Each variable carries its TypeBox schema (of the converted
 * value), its default, aliases and a description; `loadConfig` converts and validates against
 * the one `EnvSchema` built from this table, and `describeConfig` renders it for the README.
 */
import Type, { type TSchema } from 'typebox';

export type EnvKind = 'string' | 'int' | 'bool' | 'enum' | 'list' | 'url';

export interface EnvVar {
  name: string;
  aliases: string[];
  kind: EnvKind;
  /** Schema of the converted value (integer range, enum, array item pattern …). */
  schema: TSchema;
  /** Default as written in the environment ('' = unset / none). */
  default: string;
  description: string;
  /** What a valid value looks like, used verbatim in error messages. */
  expect: string;
}

const ACCOUNT_ID = '^[0-9]{12}$';
const REGION = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';
const OU_ID = '^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$';

function int(name: string, min: number, max: number, dflt: number, description: string, aliases: string[] = []): EnvVar {
  return { name, aliases, kind: 'int', schema: Type.Integer({ minimum: min, maximum: max }), default: String(dflt), description, expect: `an integer from ${min} to ${max}` };
}
function bool(name: string, dflt: boolean, description: string): EnvVar {
  return { name, aliases: [], kind: 'bool', schema: Type.Boolean(), default: String(dflt), description, expect: 'true, false, 1, 0, yes or no' };
}
function oneOf(name: string, values: string[], dflt: string, description: string): EnvVar {
  return { name, aliases: [], kind: 'enum', schema: Type.Enum(values), default: dflt, description, expect: `one of ${values.join(', ')}` };
}
function str(name: string, dflt: string, description: string, opts: { aliases?: string[]; pattern?: string; expect?: string } = {}): EnvVar {
  const schema = opts.pattern === undefined ? Type.String({ minLength: 1 }) : Type.String({ pattern: opts.pattern });
  return { name, aliases: opts.aliases ?? [], kind: 'string', schema, default: dflt, description, expect: opts.expect ?? 'a non-empty string' };
}
function list(name: string, itemPattern: string, description: string, expect: string, aliases: string[] = []): EnvVar {
  return { name, aliases, kind: 'list', schema: Type.Array(Type.String({ pattern: itemPattern })), default: '', description, expect };
}
function url(name: string, schemes: string[], description: string): EnvVar {
  const pattern = `^(${schemes.join('|')})://[^\\s]+$`;
  return { name, aliases: [], kind: 'url', schema: Type.String({ pattern }), default: '', description, expect: `a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` };
}

export const ENV_VARS: readonly EnvVar[] = [
  int('PORT', 1, 65535, 8080, 'TCP port the HTTP server listens on.'),
  str('HOST', '127.0.0.1', 'Interface to bind. Anything but loopback requires API keys (or AUTH_MODE=none).'),
  oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'Log level (JSON logs on stdout; case-insensitive).'),
  str('POLICY_PATH', 'policies/tagging_policy.json', 'Tagging policy file (JSON or YAML).'),
  bool('POLICY_IMPORT_WRITES', false, 'Let import_aws_tag_policy save converted policies into the policies directory and activate them (changes the policy every caller is checked against). Listing and previews work without it.'),
  str('AWS_REGION', 'us-east-1', 'Home region for STS, Cost Explorer and Organizations.', { aliases: ['AWS_DEFAULT_REGION'], pattern: REGION, expect: 'an AWS region name such as us-east-1' }),
  url('AWS_ENDPOINT_URL', ['http', 'https'], 'One endpoint for every AWS service (the bundled simulator, LocalStack); unset = real AWS.'),
  list('ALLOWED_REGIONS', REGION, 'Comma-separated regions to scan; unset = every enabled region.', 'a comma-separated list of AWS region names such as us-east-1,eu-west-1'),
  int('AWS_REQUEST_TIMEOUT_MS', 1000, 300000, 30000, 'Time limit of one AWS API call, in milliseconds.'),
  int('AWS_MAX_ATTEMPTS', 1, 10, 3, 'AWS SDK attempts per call (adaptive retry mode).'),
  int('AWS_MAX_SOCKETS', 1, 1000, 50, 'Size of the keep-alive socket pool shared by every AWS client.'),
  bool('MULTI_ACCOUNT_ENABLED', false, 'Scan other accounts of the organization through AssumeRole.'),
  list('AWS_ACCOUNT_IDS', ACCOUNT_ID, 'Comma-separated 12-digit account ids to scan (static discovery).', 'a comma-separated list of 12-digit AWS account ids', ['AWS_ACCOUNTS']),
  list('AWS_ACCOUNTS_EXCLUDE', ACCOUNT_ID, 'Comma-separated 12-digit account ids never to scan.', 'a comma-separated list of 12-digit AWS account ids'),
  str('AWS_ASSUME_ROLE_NAME', 'FinOpsTagComplianceReadOnly', 'Read-only role assumed in every member account.', { aliases: ['CROSS_ACCOUNT_ROLE_NAME'], pattern: '^[\\w+=,.@-]{1,64}$', expect: 'an IAM role name (letters, digits and +=,.@_-, at most 64 characters)' }),
  str('AWS_ASSUME_ROLE_ARN_TEMPLATE', 'arn:aws:iam::{account_id}:role/{role_name}', 'Role ARN template; {account_id} and {role_name} are replaced.', { pattern: '\\{account_id\\}', expect: 'a role ARN template containing {account_id} (and optionally {role_name})' }),
  str('AWS_ASSUME_ROLE_EXTERNAL_ID', '', 'ExternalId passed to AssumeRole (when the member roles require one).', { aliases: ['CROSS_ACCOUNT_EXTERNAL_ID'], pattern: '^[\\w+=,.@:/-]{2,1224}$', expect: 'an external id of 2 to 1224 characters (letters, digits and +=,.@:/_-)' }),
  int('AWS_ASSUME_ROLE_SESSION_DURATION', 900, 43200, 3600, 'AssumeRole session duration in seconds.'),
  int('MAX_CONCURRENT_ACCOUNTS', 1, 20, 5, 'Accounts scanned in parallel.'),
  int('ACCOUNT_SCAN_TIMEOUT_SECONDS', 30, 600, 120, 'Time limit for scanning one account.'),
  oneOf('AWS_ACCOUNT_DISCOVERY', ['static', 'organizations'], 'static', 'Where the account list comes from: AWS_ACCOUNT_IDS (static) or AWS Organizations.'),
  list('AWS_ORGANIZATION_UNIT_IDS', OU_ID, 'Comma-separated OU (or root) ids: discovery only scans accounts below them.', 'a comma-separated list of OU ids (ou-xxxx-yyyyyyyy) or root ids (r-xxxx)'),
  int('ACCOUNT_DISCOVERY_TTL_SECONDS', 60, 86400, 900, 'How long a discovered account list is reused.'),
  int('MAX_CONCURRENT_CELLS_PER_ACCOUNT', 1, 64, 8, 'Region × resource-type cells read at once inside one account.'),
  url('REDIS_URL', ['redis', 'rediss'], 'Redis result cache shared by replicas (rediss:// = TLS; password as redis://:password@host:6379/0). Unset = in-process LRU. While Redis is unreachable requests load without cache and /health says degraded.'),
  int('REDIS_CONNECT_TIMEOUT_MS', 100, 60000, 2000, 'Time limit for connecting to Redis, in milliseconds (reconnects continue with backoff).'),
  int('REDIS_COMMAND_TIMEOUT_MS', 50, 60000, 1000, 'Time limit of one Redis command, in milliseconds; a slower answer counts as a cache miss.'),
  str('REDIS_KEY_PREFIX', 'finops-tag-compliance:', 'Prefix of every Redis key this service writes (share one Redis between deployments by giving each its own).', { pattern: '^[\\w:.-]{1,64}$', expect: 'letters, digits and _:.- (at most 64 characters)' }),
  int('COMPLIANCE_CACHE_TTL_SECONDS', 0, 604800, 3600, 'How long scanned inventory is reused (0 = no caching).'),
  int('COST_CACHE_TTL_SECONDS', 0, 604800, 86400, 'How long Cost Explorer answers are reused (0 = no caching).'),
  int('CACHE_MAX_MB', 1, 65536, 256, 'Upper bound of the in-process cache, in MB.'),
  str('HISTORY_DB_PATH', './data/history.db', 'SQLite file of the compliance history.'),
  url('HISTORY_DATABASE_URL', ['postgres', 'postgresql'], 'PostgreSQL history backend (several replicas share one history); when set it replaces SQLite and start-up stops if the database cannot be reached. Unset: SQLite at HISTORY_DB_PATH.'),
  int('HISTORY_RETENTION_DAYS', 1, 3650, 90, 'Snapshots older than this are pruned.'),
  bool('SCHEDULER_ENABLED', true, 'Run scheduled compliance audits (schedule_compliance_audit) in this process. Every replica may: each occurrence runs once (Redis lock and a claim row in the history store).'),
  int('SCHEDULER_TICK_SECONDS', 1, 3600, 30, 'How often the scheduler looks for due audits.'),
  int('SCHEDULER_GRACE_MINUTES', 0, 1440, 60, 'An audit occurrence missed while no replica was running is run once at start-up when it is at most this old; older ones are skipped.'),
  int('SCHEDULER_MAX_AUDITS_PER_PRINCIPAL', 1, 10000, 50, 'Scheduled audits one API key (principal) may have.'),
  int('WEBHOOK_TIMEOUT_MS', 500, 120000, 10000, 'Time limit of one audit notification (webhook POST or SMTP delivery), in milliseconds.'),
  list('AUDIT_WEBHOOK_ALLOWED_HOSTS', '^(\\*\\.)?[A-Za-z0-9.-]{1,253}$', 'Host names audit webhooks may post to (`*.example.com` = any subdomain). Unset = any public host over https.', 'a comma-separated list of host names such as hooks.slack.com,*.example.com'),
  bool('AUDIT_WEBHOOK_ALLOW_LOOPBACK', false, 'Accept http:// audit webhooks on loopback addresses (a local receiver, tests). Otherwise webhooks must be https:// to a non-private host.'),
  url('AUDIT_SMTP_URL', ['smtp', 'smtps'], 'SMTP server for e-mail audit recipients (smtp://user:pass@host:587 with STARTTLS when offered, smtps:// = TLS). Unset = e-mail recipients are refused.'),
  str('AUDIT_EMAIL_FROM', 'finops-tag-compliance@localhost', 'Sender address of audit e-mails.', { pattern: '^[^\\s@<>]+@[^\\s@<>]+$', expect: 'an e-mail address' }),
  bool('METRICS_PUBLIC', false, 'Serve GET /metrics without authentication (for a Prometheus scraper on a private network).'),
  int('METRICS_ACCOUNT_LABEL_LIMIT', 0, 10000, 50, 'Accounts labelled by id in AssumeRole metrics; accounts beyond this many share the label "other" (bounded cardinality).'),
  int('MCP_SESSION_IDLE_SECONDS', 10, 86400, 1800, 'An MCP session unused for this long is closed.'),
  int('MCP_MAX_SESSIONS', 1, 100000, 500, 'Open MCP sessions (Streamable HTTP + SSE) allowed at once.'),
  bool('MCP_STATELESS', false, 'Serve /mcp without sessions (every request stands alone; for replicas without sticky sessions).'),
  oneOf('AUTH_MODE', ['api_key', 'none', 'oauth'], '', 'api_key: Bearer API keys required; oauth: Bearer JWTs of OAUTH_ISSUER required; none: no authentication. Default: api_key when keys are configured.'),
  url('OAUTH_ISSUER', ['https', 'http'], 'AUTH_MODE=oauth: the authorization server (JWT iss).'),
  str('OAUTH_AUDIENCE', '', 'AUTH_MODE=oauth: the audience tokens must carry (this server\'s resource URL).'),
  url('OAUTH_JWKS_URL', ['https', 'http'], 'AUTH_MODE=oauth: the issuer\'s JWKS. Default: OAUTH_ISSUER + /.well-known/jwks.json.'),
  str('API_KEYS', '', 'Comma-separated API keys, each `id:key` or a bare key (id derived). Never logged.'),
  str('API_KEYS_FILE', '', 'File with one API key entry per line (`id:key` or bare key; # comments).'),
  str('API_KEY_ACCOUNTS', '', 'Accounts each API key may scan: `keyid=111111111111|222222222222;keyid2=*` or JSON {"keyid": ["111111111111"], "keyid2": "*"}. When set, every key must be listed.'),
  list('ALLOWED_HOSTS', '^[A-Za-z0-9.\\[\\]:_-]{1,255}$', 'Host header values accepted (DNS-rebinding protection). Default: loopback names when HOST is loopback; unset off-loopback = Host not checked.', 'a comma-separated list of host names (optionally with :port)'),
  list('ALLOWED_ORIGINS', '^https?://[^\\s/]{1,255}$', 'Browser origins allowed to call the server (Origin header check and CORS). Default: none (requests with another Origin are refused).', 'a comma-separated list of origins such as https://app.example.com'),
  int('RATE_LIMIT_PER_MINUTE', 0, 1000000, 120, 'Tool calls per minute per principal (API key id; client IP when anonymous); 0 = no limit.'),
  int('RATE_LIMIT_SCANS_PER_MINUTE', 0, 1000000, 30, 'Calls per minute per principal of tools that read AWS (tighter); 0 = no limit.'),
  int('MCP_SESSION_TOOL_CALL_BUDGET', 0, 1000000, 500, 'Tool calls one MCP session may make; 0 = unlimited.'),
  int('MCP_REPEAT_CALL_LIMIT', 0, 1000, 5, 'The same tool with the same arguments more than this many times in MCP_REPEAT_WINDOW_SECONDS gets an error telling the model to stop repeating; 0 = off.'),
  int('MCP_REPEAT_WINDOW_SECONDS', 1, 86400, 600, 'Window of MCP_REPEAT_CALL_LIMIT.'),
  str('AUDIT_LOG_PATH', '', 'File for audit events (one JSON line per tool call). Default: the main log, with audit: true.'),
  int('MAX_EVENT_LOOP_DELAY_MS', 0, 60000, 1000, 'Event-loop delay above which requests get 503 with Retry-After (/health exempt); 0 = off.'),
];

/** The one schema over the (converted) environment. */
export const EnvSchema = Type.Object(
  Object.fromEntries(ENV_VARS.map((v) => [v.name, Type.Optional(v.schema)])),
  { additionalProperties: false },
);
