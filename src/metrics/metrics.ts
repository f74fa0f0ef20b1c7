/**
 * The service's Prometheus instruments, on a registry of their own (one per app: tests build many
 * apps in one process, and nothing leaks into prom-client's global registry). Every label set is
 * bounded: routes are route patterns, tools and AWS operations are finite lists, accounts are
 * capped by METRICS_ACCOUNT_LABEL_LIMIT.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AwsCallEvent } from '../aws/gateway.js';
import type { CacheCounters, CacheHealth } from '../cache/types.js';
import type { ScanEvent } from '../scan/types.js';
import type { HistoryWriteCounters } from '../store/types.js';
import { accountLabeler } from './account-labels.js';
import { toolOutcome } from './outcomes.js';

/** Seconds; HTTP and tool calls range from a millisecond (health) to minutes (an organization scan). */
const SLOW_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds; one AWS API attempt. */
const AWS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What is read when Prometheus scrapes (state owned by other parts of the app). */
export interface MetricsSources {
  cache?: () => { counters: CacheCounters | null; health: CacheHealth } | null;
  historyWrites?: () => HistoryWriteCounters | null;
  sessions?: () => Record<string, number>;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  streamOpened(route: string): void;
  streamClosed(route: string): void;
  toolCall(tool: string, error: unknown, seconds: number): void;
  scan(event: ScanEvent): void;
  awsCall(event: AwsCallEvent): void;
  assumeRole(accountId: string, ok: boolean): void;
  /** Plug in what is read at scrape time (later calls add to / replace earlier sources). */
  setSources(sources: MetricsSources): void;
  render(): Promise<string>;
}

/** Counter fed from a monotonic total read at scrape time (adds the difference since the last scrape). */
function syncCounter(counter: Counter<string>, labels: Record<string, string>, seen: Map<string, number>, total: number): void {
  const key = JSON.stringify(labels);
  const before = seen.get(key) ?? 0;
  if (total > before) counter.inc(labels, total - before);
  seen.set(key, Math.max(before, total));
}

export function createServiceMetrics(options: { accountLabelLimit: number; defaultMetrics?: boolean }): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  const accountLabel = accountLabeler(options.accountLabelLimit);
  const sources: MetricsSources = {};
  const streams = new Map<string, number>();
  const seen = new Map<string, number>();

  const httpRequests = new Counter({ name: 'finops_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'], registers });
  const httpDuration = new Histogram({ name: 'finops_http_request_duration_seconds', help: 'HTTP request duration (until the response ended), by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'], buckets: SLOW_BUCKETS, registers });
  new Gauge({
    name: 'finops_sse_streams_active',
    help: 'Open server-to-client event streams (GET /sse, GET /mcp).',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const [route, n] of streams) this.set({ route }, n);
    },
  });
  const toolCalls = new Counter({ name: 'finops_tool_calls_total', help: 'Tool calls (REST and MCP) by tool and outcome (ok, client_error, cancelled, aws_error, error).', labelNames: ['tool', 'outcome'], registers });
  const toolDuration = new Histogram({ name: 'finops_tool_call_duration_seconds', help: 'Tool call duration by tool and outcome.', labelNames: ['tool', 'outcome'], buckets: SLOW_BUCKETS, registers });
  const scans = new Counter({ name: 'finops_scans_total', help: 'Inventory scans by outcome (complete, partial, cancelled, rejected, error).', labelNames: ['outcome'], registers });
  const scanDuration = new Histogram({ name: 'finops_scan_duration_seconds', help: 'Inventory scan duration by outcome.', labelNames: ['outcome'], buckets: SLOW_BUCKETS, registers });
  const scanAccounts = new Counter({ name: 'finops_scan_accounts_total', help: 'Accounts scanned (summed over scans).', registers });
  const awsCalls = new Counter({ name: 'finops_aws_calls_total', help: 'AWS API attempts (retries included) by service, operation and outcome (ok, throttled, access_denied, timeout, error).', labelNames: ['service', 'operation', 'outcome'], registers });
  const awsDuration = new Histogram({ name: 'finops_aws_call_duration_seconds', help: 'AWS API attempt latency by service and operation.', labelNames: ['service', 'operation'], buckets: AWS_BUCKETS, registers });
  const assumeRoles = new Counter({ name: 'finops_aws_assume_role_total', help: 'STS AssumeRole calls by account (accounts beyond METRICS_ACCOUNT_LABEL_LIMIT share "other").', labelNames: ['account'], registers });
  const assumeRoleFailures = new Counter({ name: 'finops_aws_assume_role_failures_total', help: 'Failed STS AssumeRole calls by account (accounts beyond METRICS_ACCOUNT_LABEL_LIMIT share "other").', labelNames: ['account'], registers });
  const costExplorer = new Counter({ name: 'finops_cost_explorer_requests_total', help: 'Cost Explorer API requests made (billed by AWS per request).', registers });
  new Counter({
    name: 'finops_cache_requests_total',
    help: 'Result cache lookups by result: hit (served from cache), miss (loaded from AWS), joined (shared a load in flight).',
    labelNames: ['result'],
    registers,
    collect() {
      const c = sources.cache?.()?.counters;
      if (c == null) return;
      syncCounter(this, { result: 'hit' }, seen, c.hits);
      syncCounter(this, { result: 'miss' }, seen, c.misses);
      syncCounter(this, { result: 'joined' }, seen, c.joined);
    },
  });
  new Gauge({
    name: 'finops_cache_backend_up',
    help: 'Result cache backend status: 1 ok, 0 degraded (by backend).',
    labelNames: ['backend'],
    registers,
    collect() {
      this.reset();
      const h = sources.cache?.()?.health;
      if (h !== undefined) this.set({ backend: h.backend }, h.status === 'ok' ? 1 : 0);
    },
  });
  new Counter({
    name: 'finops_history_writes_total',
    help: 'Compliance history snapshot writes by outcome (ok, failed).',
    labelNames: ['outcome'],
    registers,
    collect() {
      const w = sources.historyWrites?.();
      if (w == null) return;
      syncCounter(this, { outcome: 'ok' }, seen, w.ok);
      syncCounter(this, { outcome: 'failed' }, seen, w.failed);
    },
  });
  new Gauge({
    name: 'finops_mcp_sessions_active',
    help: 'Open MCP sessions by transport (streamable-http, sse).',
    labelNames: ['transport'],
    registers,
    collect() {
      this.reset();
      for (const [transport, n] of Object.entries(sources.sessions?.() ?? {})) this.set({ transport }, n);
    },
  });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  return {
    registry,
    contentType: registry.contentType,
    httpRequest(method, route, status, seconds) {
      const labels = { method, route, status_code: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    streamOpened(route) {
      streams.set(route, (streams.get(route) ?? 0) + 1);
    },
    streamClosed(route) {
      streams.set(route, Math.max(0, (streams.get(route) ?? 0) - 1));
    },
    toolCall(tool, error, seconds) {
      const labels = { tool, outcome: toolOutcome(error) };
      toolCalls.inc(labels);
      toolDuration.observe(labels, seconds);
    },
    scan(event) {
      scans.inc({ outcome: event.outcome });
      scanDuration.observe({ outcome: event.outcome }, event.duration_ms / 1000);
      scanAccounts.inc(event.accounts);
    },
    awsCall(event) {
      awsCalls.inc({ service: event.service, operation: event.operation, outcome: event.outcome });
      awsDuration.observe({ service: event.service, operation: event.operation }, event.duration_ms / 1000);
      if (event.service === 'ce') costExplorer.inc();
    },
    assumeRole(accountId, ok) {
      const account = accountLabel(accountId);
      assumeRoles.inc({ account });
      if (!ok) assumeRoleFailures.inc({ account });
    },
    setSources(more) {
      Object.assign(sources, more);
    },
    render: () => registry.metrics(),
  };
}
