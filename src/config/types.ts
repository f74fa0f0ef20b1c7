/**
 * The validated configuration. Only src/config/ reads process.env; everything else receives
 * an AppConfig (tests build one directly with `testConfig()` overrides).
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AwsConfig {
  /** AWS_REGION / AWS_DEFAULT_REGION (default us-east-1): home region for STS, CE, Organizations. */
  region: string;
  /** AWS_ENDPOINT_URL: one endpoint for every service (simulator, LocalStack …); null = real AWS. */
  endpoint_url: string | null;
  /** ALLOWED_REGIONS: narrows the enabled regions; null = every enabled region. */
  allowed_regions: string[] | null;
  /** AWS_REQUEST_TIMEOUT_MS: per-call limit (the SDK has none by default). */
  request_timeout_ms: number;
  /** AWS_MAX_ATTEMPTS: SDK retry attempts (adaptive mode). */
  max_attempts: number;
  /** AWS_MAX_SOCKETS: keep-alive agent size shared by every client. */
  max_sockets: number;
  /** Static base credentials (tests, demo); null = the SDK default chain. Never logged. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
}

export interface MultiAccountConfig {
  /** MULTI_ACCOUNT_ENABLED */
  enabled: boolean;
  /** AWS_ACCOUNT_IDS (alias AWS_ACCOUNTS) */
  account_ids: string[];
  /** AWS_ACCOUNTS_EXCLUDE */
  exclude: string[];
  /** AWS_ASSUME_ROLE_NAME (alias CROSS_ACCOUNT_ROLE_NAME), default FinOpsTagComplianceReadOnly */
  role_name: string;
  /** AWS_ASSUME_ROLE_ARN_TEMPLATE, default arn:aws:iam::{account_id}:role/{role_name} */
  role_arn_template: string;
  /** AWS_ASSUME_ROLE_EXTERNAL_ID (alias CROSS_ACCOUNT_EXTERNAL_ID) */
  external_id: string | null;
  /** AWS_ASSUME_ROLE_SESSION_DURATION 900–43200, default 3600 */
  session_duration_seconds: number;
  /** MAX_CONCURRENT_ACCOUNTS 1–20, default 5 */
  max_concurrent_accounts: number;
  /** ACCOUNT_SCAN_TIMEOUT_SECONDS 30–600, default 120 */
  account_scan_timeout_seconds: number;
  /** AWS_ACCOUNT_DISCOVERY: static (the list) | organizations */
  discovery: 'static' | 'organizations';
  /** AWS_ORGANIZATION_UNIT_IDS */
  organization_unit_ids: string[];
  /** ACCOUNT_DISCOVERY_TTL_SECONDS, default 900 */
  discovery_ttl_seconds: number;
}

export interface ScanConfig {
  /** MAX_CONCURRENT_CELLS_PER_ACCOUNT: region × type cells read at once inside one account (default 8). */
  max_concurrent_cells_per_account: number;
}

export interface CacheConfig {
  /** REDIS_URL; null = in-process LRU. */
  redis_url: string | null;
  /** COMPLIANCE_CACHE_TTL_SECONDS, default 3600 */
  ttl_seconds: number;
  /** COST_CACHE_TTL_SECONDS, default 86400 */
  cost_ttl_seconds: number;
  /** CACHE_MAX_MB: in-process cache bound, default 256 */
  max_bytes: number;
  /** REDIS_CONNECT_TIMEOUT_MS, default 2000 */
  redis_connect_timeout_ms: number;
  /** REDIS_COMMAND_TIMEOUT_MS, default 1000 */
  redis_command_timeout_ms: number;
  /** REDIS_KEY_PREFIX, default `finops-tag-compliance:` */
  redis_key_prefix: string;
}

export interface HistoryConfig {
  /** HISTORY_DB_PATH, default ./data/history.db */
  db_path: string;
  /** HISTORY_DATABASE_URL (postgres://…); null = SQLite */
  database_url: string | null;
  /** HISTORY_RETENTION_DAYS, default 90 */
  retention_days: number;
}

export interface McpConfig {
  /** MCP_SESSION_IDLE_SECONDS, default 1800 */
  session_idle_seconds: number;
  /** MCP_MAX_SESSIONS, default 500 */
  max_sessions: number;
  /** MCP_STATELESS */
  stateless: boolean;
}

export interface AuthConfig {
  /** AUTH_MODE: api_key (default when keys exist) | none */
  mode: 'api_key' | 'none' | 'oauth';
  /** API_KEYS / API_KEYS_FILE: entries `id:key` or bare keys (id derived). Never logged. */
  api_keys: { id: string; key: string }[];
  /** API_KEY_ACCOUNTS: key id → accounts it may scan (null = every account); absent = unrestricted. */
  key_accounts?: Record<string, string[] | null>;
  /** AUTH_MODE=oauth: OAUTH_ISSUER, OAUTH_AUDIENCE, OAUTH_JWKS_URL. */
  oauth?: { issuer: string; audience: string; jwks_url: string };
}

export interface SecurityConfig {
  /** ALLOWED_HOSTS (with defaults applied); null = Host not checked. */
  allowed_hosts: string[] | null;
  /** ALLOWED_ORIGINS: browser origins allowed (CORS); others are refused. */
  allowed_origins: string[];
  /** RATE_LIMIT_PER_MINUTE (0 = off) */
  rate_limit_per_minute: number;
  /** RATE_LIMIT_SCANS_PER_MINUTE (0 = off) */
  rate_limit_scans_per_minute: number;
  /** MCP_SESSION_TOOL_CALL_BUDGET (0 = unlimited) */
  session_tool_call_budget: number;
  /** MCP_REPEAT_CALL_LIMIT (0 = off) */
  repeat_call_limit: number;
  /** MCP_REPEAT_WINDOW_SECONDS */
  repeat_window_seconds: number;
  /** AUDIT_LOG_PATH; null = the main log */
  audit_log_path: string | null;
  /** MAX_EVENT_LOOP_DELAY_MS (0 = off) */
  max_event_loop_delay_ms: number;
}

export interface MetricsConfig {
  /** METRICS_PUBLIC: GET /metrics without authentication (default false). */
  public: boolean;
  /** METRICS_ACCOUNT_LABEL_LIMIT: accounts labelled by id in metrics; later ones share "other" (default 50). */
  account_label_limit: number;
}

export interface SchedulerConfig {
  /** SCHEDULER_ENABLED, default true */
  enabled: boolean;
  /** SCHEDULER_TICK_SECONDS, default 30 */
  tick_seconds: number;
  /** SCHEDULER_GRACE_MINUTES, default 60 */
  grace_minutes: number;
  /** SCHEDULER_MAX_AUDITS_PER_PRINCIPAL, default 50 */
  max_audits_per_principal: number;
  /** WEBHOOK_TIMEOUT_MS, default 10000 */
  webhook_timeout_ms: number;
  /** AUDIT_WEBHOOK_ALLOWED_HOSTS; null = any public host. Entries may start with `*.`. */
  webhook_allowed_hosts: string[] | null;
  /** AUDIT_WEBHOOK_ALLOW_LOOPBACK, default false */
  webhook_allow_loopback: boolean;
  /** AUDIT_SMTP_URL; null = e-mail recipients refused. Never logged (may hold a password). */
  smtp_url: string | null;
  /** AUDIT_EMAIL_FROM */
  email_from: string;
}

export interface AppConfig {
  /** PORT, default 8080 */
  port: number;
  /** HOST, default 127.0.0.1 */
  host: string;
  /** LOG_LEVEL, default info */
  log_level: LogLevel;
  /** POLICY_PATH, default policies/tagging_policy.json */
  policy_path: string;
  /** POLICY_IMPORT_WRITES, default false: import_aws_tag_policy may save and activate policies. */
  policy_import_writes?: boolean;
  /** DEFAULT_PAGE_LIMIT is fixed by the tools (50, max 500). */
  aws: AwsConfig;
  multi_account: MultiAccountConfig;
  scan: ScanConfig;
  cache: CacheConfig;
  history: HistoryConfig;
  mcp: McpConfig;
  auth: AuthConfig;
  /** Host/Origin checks, rate limits, session budgets, audit, load shedding (defaults when absent). */
  security?: SecurityConfig;
  /** /metrics access and label bounds (defaults when absent). */
  metrics?: MetricsConfig;
  /** Scheduled compliance audits (defaults when absent: see src/scheduler/config.ts). */
  scheduler?: SchedulerConfig;
}
