/**
 * Hand-built ToolContext for tool handler tests: fixed inventory (with one failing account and an
 * optional failing cell), a real compiled policy (the shared vectors' base policy), fixed Cost
 * Explorer lines, an in-memory history store and a four-account directory.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import Value from 'typebox/value';
import type { TSchema } from 'typebox';
import { AwsAccessError } from '../../src/aws/gateway.js';
import { UserError } from '../../src/core/errors.js';
import type { AccountInfo, CellFailure, ProgressUpdate, ResourceRecord } from '../../src/core/types.js';
import { compilePolicy } from '../../src/policy/compile.js';
import type { CompiledPolicy, PolicyStore, TaggingPolicyDocument } from '../../src/policy/types.js';
import type { AccountDirectory, AccountScanOutcome, CostLine, CostReport, CostService, Inventory, InventoryRequest, InventoryService } from '../../src/scan/types.js';
import type { HistoryQuery, HistoryStore, SnapshotInput, SnapshotResourceState, SnapshotSummary } from '../../src/store/types.js';
import type { ToolContext } from '../../src/tools/types.js';
import { vectorsPath } from '../policy/helpers.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const D = '444444444444';
export const NOW = new Date('2026-11-22T12:00:00.000Z');
export const SCANNED_AT = '2026-11-22T11:55:00.000Z';

const vectors = JSON.parse(readFileSync(vectorsPath(), 'utf8')) as {
  policies: Record<string, TaggingPolicyDocument>;
};

export function basePolicyDocument(): TaggingPolicyDocument {
  const doc = vectors.policies.base;
  if (doc === undefined) throw new Error('vectors: base policy missing');
  return structuredClone(doc);
}

export function basePolicy(): CompiledPolicy {
  return compilePolicy(basePolicyDocument());
}

function rec(p: Partial<ResourceRecord> & Pick<ResourceRecord, 'id' | 'type' | 'account_id' | 'region' | 'arn'>): ResourceRecord {
  return { name: null, tags: {}, created_at: null, attributes: {}, ...p };
}

/** The fixture organization. Expected numbers in the tests are computed from these by hand. */
export function fixtureResources(): ResourceRecord[] {
  return [
    rec({
      id: 'i-a1', type: 'ec2:instance', account_id: A, region: 'us-east-1', arn: `arn:aws:ec2:us-east-1:${A}:instance/i-a1`, name: 'web-1',
      tags: { Owner: 'ann.lee@example.com', Environment: 'prod', CostCenter: 'CC-1234', Name: 'web-1', 'aws:cloudformation:stack-name': 'web' },
      created_at: '2026-11-12T12:00:00.000Z', attributes: { instance_type: 'm5.xlarge' },
    }),
    rec({
      id: 'i-a2', type: 'ec2:instance', account_id: A, region: 'us-east-1', arn: `arn:aws:ec2:us-east-1:${A}:instance/i-a2`, name: 'web-2',
      tags: { Owner: 'bob@example.com', Environment: 'production', Name: 'web-2', 'aws:cloudformation:stack-name': 'web' },
      created_at: '2026-10-23T00:00:00.000Z', attributes: { instance_type: 'm5.large' },
    }),
    rec({
      id: 'vol-a1', type: 'ec2:volume', account_id: A, region: 'us-east-1', arn: `arn:aws:ec2:us-east-1:${A}:volume/vol-a1`,
      tags: {}, created_at: null, attributes: { size_gb: 100, attached_instance_id: 'i-a1' },
    }),
    rec({
      id: 'bucket-a', type: 's3:bucket', account_id: A, region: 'us-east-1', arn: 'arn:aws:s3:::bucket-a', name: 'bucket-a',
      tags: { Owner: 'ann.lee@example.com', environment: 'dev' }, created_at: '2025-11-22T12:00:00.000Z',
    }),
    rec({
      id: 'i-a3', type: 'ec2:instance', account_id: A, region: 'eu-west-1', arn: `arn:aws:ec2:eu-west-1:${A}:instance/i-a3`, name: 'batch-1',
      tags: { Owner: 'carl@example.com', Environment: 'dev', CostCenter: 'CC-9' }, attributes: { instance_type: 't3.micro' },
    }),
    rec({
      id: 'i-b1', type: 'ec2:instance', account_id: B, region: 'us-east-1', arn: `arn:aws:ec2:us-east-1:${B}:instance/i-b1`,
      tags: { Owner: 'dee@example.com', Environment: 'staging', CostCenter: 'CC-2222' }, attributes: { instance_type: 't3.medium' },
    }),
    rec({
      id: 'db-b1', type: 'rds:db', account_id: B, region: 'us-east-1', arn: `arn:aws:rds:us-east-1:${B}:db:db-b1`,
      tags: { Owner: 'dee@example.com', Environment: 'staging', CostCenter: 'CC-2222' }, attributes: { db_instance_class: 'db.m5.large' },
    }),
  ];
}

export const COST_LINES: CostLine[] = [
  { account_id: A, service: 'Amazon Elastic Compute Cloud - Compute', amount: 130 },
  { account_id: A, service: 'EC2 - Other', amount: 50 },
  { account_id: A, service: 'Amazon Simple Storage Service', amount: 10 },
  { account_id: A, service: 'Tax', amount: 5 },
  { account_id: B, service: 'Amazon Elastic Compute Cloud - Compute', amount: 20 },
  { account_id: B, service: 'Amazon Relational Database Service', amount: 70 },
  { account_id: B, service: 'Amazon DynamoDB', amount: 9 },
];

export const ACCOUNTS: AccountInfo[] = [
  { account_id: A, name: 'Production', alias: 'prod', ou: 'ou-prod', status: 'ACTIVE', is_local: true },
  { account_id: B, name: 'Staging', alias: 'staging', ou: 'ou-nonprod', status: 'ACTIVE', is_local: false },
  { account_id: C, name: 'Sandbox', alias: 'sandbox', ou: 'ou-nonprod', status: 'ACTIVE', is_local: false },
  { account_id: D, name: 'Old', alias: 'old', ou: null, status: 'SUSPENDED', is_local: false },
];

export const ROLE_C = `arn:aws:iam::${C}:role/FinOpsTagComplianceReadOnly`;

export interface FakeInventory extends InventoryService {
  requests: InventoryRequest[];
}

/** Accounts in `failAccounts` fail with AssumeRoleFailed; `cellFailures` make their accounts partial. */
export function fakeInventory(opts: { resources?: ResourceRecord[]; failAccounts?: string[]; cellFailures?: CellFailure[] } = {}): FakeInventory {
  const all = opts.resources ?? fixtureResources();
  const failAccounts = new Set(opts.failAccounts ?? [C]);
  const cellFailures = opts.cellFailures ?? [];
  const requests: InventoryRequest[] = [];
  return {
    requests,
    async collect(req: InventoryRequest): Promise<Inventory> {
      requests.push(req);
      req.progress?.({ progress: 1, total: 1, message: 'done' });
      const ids = req.account_ids ?? [A];
      const types = new Set(req.resource_types);
      const regionOk = (region: string, type: string): boolean => req.regions === null || req.regions.includes(region) || type === 's3:bucket';
      const resources = all.filter((r) => ids.includes(r.account_id) && !failAccounts.has(r.account_id) && types.has(r.type) && regionOk(r.region, r.type));
      const regions = req.regions ?? ['eu-west-1', 'us-east-1'];
      const failed: CellFailure[] = [];
      const accounts: AccountScanOutcome[] = ids.map((id) => {
        const info = ACCOUNTS.find((a) => a.account_id === id);
        const count = resources.filter((r) => r.account_id === id).length;
        if (failAccounts.has(id)) {
          for (const t of req.resource_types) for (const region of regions) failed.push({ account_id: id, region, resource_type: t, error_code: 'AssumeRoleFailed', message: `Could not assume ${ROLE_C}` });
          return { account_id: id, account_name: info?.name ?? null, account_alias: info?.alias ?? null, status: 'failed', error: { code: 'AssumeRoleFailed', message: 'AccessDenied when assuming the role', role_arn: ROLE_C }, duration_ms: 42, resource_count: 0 };
        }
        const mine = cellFailures.filter((f) => f.account_id === id && types.has(f.resource_type));
        failed.push(...mine);
        return {
          account_id: id,
          account_name: info?.name ?? null,
          account_alias: info?.alias ?? null,
          status: mine.length > 0 ? 'partial' : 'succeeded',
          error: mine.length > 0 ? { code: mine[0]?.error_code ?? 'Unknown', message: 'some cells failed', role_arn: null } : null,
          duration_ms: 10,
          resource_count: count,
        };
      });
      for (const s of req.skipped_accounts ?? []) {
        const info = ACCOUNTS.find((a) => a.account_id === s.account_id);
        accounts.push({ account_id: s.account_id, account_name: info?.name ?? null, account_alias: info?.alias ?? null, status: 'skipped', error: { code: 'Skipped', message: s.reason, role_arn: null }, duration_ms: 0, resource_count: 0 });
      }
      const requested = ids.length * regions.length * req.resource_types.length;
      return {
        multi_account: req.account_ids !== null,
        resources: structuredClone(resources),
        accounts,
        regions: [...regions].sort(),
        resource_types: [...req.resource_types].sort(),
        data_quality: { status: failed.length > 0 ? 'partial' : 'complete', cells_requested: requested, cells_complete: requested - failed.length, failed, coverage_notes: [] },
        scanned_at: SCANNED_AT,
        cells_from_cache: 0,
        cells_scanned: requested,
      };
    },
    async invalidate(): Promise<void> {},
  };
}

export interface FakeCosts extends CostService {
  calls: { account_ids: string[]; start: string; end: string }[];
}

export function fakeCosts(opts: { fail?: boolean; lines?: CostLine[]; fromCache?: boolean } = {}): FakeCosts {
  const calls: FakeCosts['calls'] = [];
  return {
    calls,
    async serviceCosts(req): Promise<CostReport> {
      calls.push({ account_ids: [...req.account_ids], start: req.start, end: req.end });
      if (opts.fail === true) throw new AwsAccessError('Cost Explorer is not enabled for this account', { code: 'AccessDenied' });
      const lines = (opts.lines ?? COST_LINES).filter((l) => req.account_ids.includes(l.account_id));
      return { start: req.start, end: req.end, currency: 'USD', lines, cost_explorer_requests: opts.fromCache === true ? 0 : 1, from_cache: opts.fromCache === true };
    },
  };
}

export interface MemoryHistory extends HistoryStore {
  saved: SnapshotInput[];
}

export function memoryHistory(): MemoryHistory {
  const saved: SnapshotInput[] = [];
  const key = (s: SnapshotInput): string => JSON.stringify(s.scope);
  return {
    backend: 'memory',
    saved,
    async saveSnapshot(snapshot): Promise<SnapshotSummary> {
      saved.push(structuredClone(snapshot));
      const { resources: _r, ...rest } = snapshot;
      return { ...rest, id: `snap-${saved.length}`, scope_key: key(snapshot) };
    },
    async listSnapshots(q: HistoryQuery): Promise<SnapshotSummary[]> {
      return saved.filter((s) => s.taken_at >= q.since).map((s, i) => {
        const { resources: _r, ...rest } = s;
        return { ...rest, id: `snap-${i + 1}`, scope_key: key(s) };
      });
    },
    async snapshotResources(id: string): Promise<SnapshotResourceState[]> {
      return saved[Number(id.replace('snap-', '')) - 1]?.resources ?? [];
    },
    async prune(): Promise<number> {
      return 0;
    },
    async health() {
      return { ok: true };
    },
    async close(): Promise<void> {},
  };
}

export function fakeAccounts(multi = true): AccountDirectory {
  return {
    multiAccountEnabled: multi,
    async list(): Promise<AccountInfo[]> {
      return structuredClone(ACCOUNTS);
    },
    async resolve(names: string[]) {
      const accounts: AccountInfo[] = [];
      const skipped: { account_id: string; reason: string }[] = [];
      const push = (a: AccountInfo): void => {
        if (a.status !== 'ACTIVE') {
          if (!skipped.some((s) => s.account_id === a.account_id)) skipped.push({ account_id: a.account_id, reason: `account is ${a.status}` });
        } else if (!accounts.some((x) => x.account_id === a.account_id)) accounts.push(a);
      };
      for (const n of names) {
        if (n.toLowerCase() === 'all') {
          ACCOUNTS.forEach(push);
          continue;
        }
        const hit = ACCOUNTS.find((a) => a.account_id === n || a.name?.toLowerCase() === n.toLowerCase() || a.alias?.toLowerCase() === n.toLowerCase());
        if (hit === undefined) throw new UserError(`Unknown account ${JSON.stringify(n)}`, { field: '/account_ids' });
        push(hit);
      }
      return { accounts, skipped };
    },
    lastAssumeRole(id: string) {
      if (id === B) return { ok: true, at: '2026-11-22T11:00:00.000Z', error: null };
      if (id === C) return { ok: false, at: '2026-11-22T11:00:00.000Z', error: 'AccessDenied' };
      return null;
    },
  };
}

export function policyStore(policy: CompiledPolicy = basePolicy()): PolicyStore {
  let current = policy;
  return {
    path: 'memory',
    current: () => current,
    async reload(doc?: TaggingPolicyDocument): Promise<CompiledPolicy> {
      if (doc !== undefined) current = compilePolicy(doc);
      return current;
    },
  };
}

export interface TestContext extends ToolContext {
  fakeInventory: FakeInventory;
  fakeCosts: FakeCosts;
  memoryHistory: MemoryHistory;
  progressUpdates: ProgressUpdate[];
}

export function makeContext(over: { inventory?: FakeInventory; costs?: FakeCosts; policy?: CompiledPolicy; allowed_accounts?: string[] | null; multi?: boolean } = {}): TestContext {
  const inventory = over.inventory ?? fakeInventory();
  const costs = over.costs ?? fakeCosts();
  const history = memoryHistory();
  const progressUpdates: ProgressUpdate[] = [];
  return {
    inventory,
    costs,
    policy: policyStore(over.policy),
    history,
    accounts: fakeAccounts(over.multi ?? true),
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    progress: (u) => progressUpdates.push(u),
    principal: { id: 'test', allowed_accounts: over.allowed_accounts ?? null },
    now: () => NOW,
    fakeInventory: inventory,
    fakeCosts: costs,
    memoryHistory: history,
    progressUpdates,
  };
}

/** Validation errors of `value` against `schema`, as readable strings (empty = valid). */
export function schemaErrors(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].map((e) => `${e.instancePath} ${e.message}`);
}
