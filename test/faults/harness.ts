/**
 * Fault-matrix harness: one generated organization (4 accounts × 2 regions × 6 types, small
 * simulator page sizes so every listing pages), the whole app (buildApp, real SDK gateway)
 * pointed at the simulator with a capturing logger, a scan that follows next_cursor to the end,
 * and the independent expectation computed from the fixture with the policy module.
 */
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { generateOrganization, generatedAccountId, DEFAULT_ROLE_NAME } from '../../src/simulator/generate.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimFaults, SimFixture, Simulator } from '../../src/simulator/types.js';
import { visibleResources } from '../e2e/harness.js';
import { capturingLogger, secretScan, type SecretScan } from '../security/helpers.js';

export const ROLE = DEFAULT_ROLE_NAME;
export const REGIONS = ['us-east-1', 'eu-west-1'];
/** Direct listers (EC2, RDS, S3) and the Tagging API (lambda, dynamodb). */
export const TYPES = ['ec2:instance', 'ec2:volume', 'rds:db', 's3:bucket', 'lambda:function', 'dynamodb:table'];
export const ACCOUNTS = [0, 1, 2, 3].map(generatedAccountId);
export const MGMT = ACCOUNTS[0] ?? '';
export const MEMBERS = ACCOUNTS.slice(1);
/** Generation weights: enough EC2 instances and volumes per region for several pages. */
const WEIGHTED_TYPES = ['ec2:instance', 'ec2:instance', 'ec2:instance', 'ec2:volume', 'ec2:volume', 'rds:db', 's3:bucket', 'lambda:function', 'lambda:function', 'dynamodb:table'];
/** Small pages: every listing of a cell takes several calls. */
export const PAGE_SIZE = { ec2: 5, rds: 20, tagging: 5, s3: 5 };
/** Cells per account: regional types × 2 regions + the global S3 cell. */
export const CELLS_PER_ACCOUNT = (TYPES.length - 1) * REGIONS.length + 1;

/** The organization every case scans (deterministic: same seed, same resources). */
export function faultFixture(): SimFixture {
  return generateOrganization({ accounts: ACCOUNTS.length, regions: REGIONS, resourcesPerRegion: 36, seed: 20261122, types: WEIGHTED_TYPES, complianceRate: 0.6 });
}

/** One secret scan shared by every case of a file (responses and log lines). */
export const secrets: SecretScan = secretScan();

/** Log lines of every run of this file (scanned for secrets by `scanCapturedLogs` at the end). */
const captured: { label: string; lines: string[] }[] = [];

/** Secret-scan every log line captured so far (call in the file's last test, after the runs closed). */
export function scanCapturedLogs(t: Test): number {
  let n = 0;
  for (const c of captured) {
    secrets.check(t, `${c.lines.length} log lines of ${c.label}`, c.lines.join('\n'));
    n += c.lines.length;
  }
  return n;
}

export interface RunOptions {
  faults?: SimFaults;
  fixture?: SimFixture;
  config?: DeepPartial<AppConfig>;
  now?: () => Date;
  /** Watch the policy file (hot reload), default false. */
  watchPolicy?: boolean;
}

export interface Run {
  app: FastifyInstance;
  sim: Simulator;
  config: AppConfig;
  lines: string[];
  close(): Promise<void>;
}

/** Simulator + the whole app (static account list, memory cache unless configured, in-memory history). */
export async function startRun(t: Test, opts: RunOptions = {}): Promise<Run> {
  const sim = await startSimulator({ fixture: opts.fixture ?? faultFixture(), page_size: PAGE_SIZE, ...(opts.faults === undefined ? {} : { faults: opts.faults }) });
  const config = testConfig(
    merge<DeepPartial<AppConfig>>(
      {
        log_level: 'debug',
        aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, region: 'us-east-1', request_timeout_ms: 10_000 },
        multi_account: { enabled: true, discovery: 'static', role_name: ROLE, account_ids: ACCOUNTS, max_concurrent_accounts: ACCOUNTS.length },
      },
      opts.config ?? {},
    ),
  );
  const lines: string[] = [];
  captured.push({ label: `run ${captured.length + 1} (${t.name})`, lines });
  const app = await buildApp({
    config,
    logger: capturingLogger(lines),
    policy: { watch: opts.watchPolicy ?? false, debounceMs: 50 },
    ...(opts.now === undefined ? {} : { now: opts.now }),
  }).catch(async (err: unknown) => {
    await sim.stop();
    throw err;
  });
  await app.ready();
  let closed = false;
  const run: Run = {
    app,
    sim,
    config,
    lines,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await sim.stop();
    },
  };
  t.teardown(() => run.close());
  return run;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `extra` merged into `base` key by key (objects recursively, everything else replaced). */
function merge<T extends object>(base: T, extra: object): T {
  const out: Plain = { ...(base as Plain) };
  for (const [k, v] of Object.entries(extra)) {
    const prev = out[k];
    out[k] = isPlain(prev) && isPlain(v) ? merge(prev, v) : (v as unknown);
  }
  return out as T;
}

export interface Violation {
  resource_arn: string;
  resource_type: string;
  account_id: string;
  region: string;
  tag_name: string;
  violation_type: string;
}

export interface CellFailure {
  account_id: string;
  region: string;
  resource_type: string;
  error_code: string;
  message: string;
  cells?: number;
}

export interface DataQuality {
  status: 'complete' | 'partial';
  cells_requested: number;
  cells_complete: number;
  failed: CellFailure[];
  coverage_notes: string[];
}

export interface Answer {
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  violations: Violation[];
  violations_by_tag: Record<string, number>;
  violations_by_type: Record<string, number>;
  regional_breakdown: Record<string, unknown>;
  data_quality: DataQuality;
  account_metadata: { total_accounts: number; successful_accounts: string[]; failed_accounts: string[]; skipped_accounts: string[]; partial_accounts: string[] };
  account_breakdown: Record<string, { total_resources: number; compliant_resources: number; violation_count: number }>;
  account_errors: { account_id: string; status: string; code: string; role_arn: string | null; message: string }[];
  next_cursor: string | null;
}

export interface Scan {
  /** The first page, with `violations` replaced by every page's violations. */
  answer: Answer;
  /** Per resource ARN: its violations as sorted `tag|type` strings. */
  byResource: Map<string, string[]>;
  /** HTTP answers (all pages). */
  requests: number;
  duration_ms: number;
}

/** POST /tools/<tool>; the body is secret-scanned; anything but 200 throws. */
export async function post(t: Test, app: FastifyInstance, tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await app.inject({ method: 'POST', url: `/tools/${tool}`, payload: args });
  secrets.check(t, `${tool} response`, res.body);
  if (res.statusCode !== 200) throw new Error(`${tool} answered ${res.statusCode}: ${res.body}`);
  return res.json<Record<string, unknown>>();
}

/** check_tag_compliance over every account, every page (limit 500, cursor to the end). */
export async function fullScan(t: Test, app: FastifyInstance, args: Record<string, unknown> = {}): Promise<Scan> {
  const started = performance.now();
  const base = { account_ids: ACCOUNTS, limit: 500, ...args };
  const first = (await post(t, app, 'check_tag_compliance', base)) as unknown as Answer;
  const duration_ms = Math.round(performance.now() - started);
  const violations = [...first.violations];
  let cursor = first.next_cursor;
  let requests = 1;
  while (cursor !== null) {
    const page = (await post(t, app, 'check_tag_compliance', { ...base, cursor })) as unknown as Answer;
    violations.push(...page.violations);
    cursor = page.next_cursor;
    requests += 1;
  }
  return { answer: { ...first, violations }, byResource: byResource(violations), requests, duration_ms };
}

export function byResource(violations: readonly Violation[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of violations) out.set(v.resource_arn, [...(out.get(v.resource_arn) ?? []), `${v.tag_name}|${v.violation_type}`]);
  for (const list of out.values()) list.sort();
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** find_untagged_resources over every account: the ARNs it lists (limit 500, one page expected). */
export async function untaggedArns(t: Test, app: FastifyInstance, args: Record<string, unknown> = {}): Promise<string[]> {
  const out = await post(t, app, 'find_untagged_resources', { account_ids: ACCOUNTS, limit: 500, ...args });
  const list = Array.isArray(out['resources']) ? (out['resources'] as { resource_arn?: string; arn?: string }[]) : [];
  if (out['next_cursor'] !== null && out['next_cursor'] !== undefined) throw new Error('find_untagged_resources: more than one page');
  return list.map((r) => r.resource_arn ?? r.arn ?? '').sort();
}

export interface Expectation {
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  byResource: Map<string, string[]>;
  /** Every in-scope ARN of these accounts. */
  arns: string[];
}

/** What a complete scan of `accounts` must report, from the fixture and the policy module. */
export function expectation(policy: CompiledPolicy, fixture: SimFixture, accounts: readonly string[], skip: (accountId: string, region: string, type: string) => boolean = () => false): Expectation {
  const out: Expectation = { total_resources: 0, compliant_resources: 0, violation_count: 0, byResource: new Map(), arns: [] };
  const violations: Violation[] = [];
  for (const v of visibleResources(fixture, accounts)) {
    if (!TYPES.includes(v.resource.type) || skip(v.account_id, v.resource.region, v.resource.type)) continue;
    const ev = policy.evaluate(v.resource.type, v.resource.tags);
    if (!ev.in_scope) continue;
    out.total_resources += 1;
    out.arns.push(v.arn);
    if (ev.compliant) out.compliant_resources += 1;
    out.violation_count += ev.violations.length;
    for (const x of ev.violations) violations.push({ resource_arn: v.arn, resource_type: v.resource.type, account_id: v.account_id, region: v.resource.region, tag_name: x.tag_name, violation_type: x.violation_type });
  }
  out.byResource = byResource(violations);
  out.arns.sort();
  return out;
}

/** Every resource ARN of the last inventory of these accounts (served from the cache the scan filled). */
export async function inventoryArns(app: FastifyInstance, accounts: readonly string[] = ACCOUNTS): Promise<string[]> {
  const inv = await app.inventory.collect({ account_ids: [...accounts], regions: null, resource_types: TYPES, force_refresh: false, signal: AbortSignal.timeout(30_000) });
  return inv.resources.map((r) => r.arn).sort();
}

