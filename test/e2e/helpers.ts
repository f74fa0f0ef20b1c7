/**
 * End-to-end harness for the UAT scenarios: the bundled simulator plus the whole app (every
 * plugin, the real SDK gateway) on a small hand-built organization whose answers are known,
 * a tagging policy written for these tests, and an MCP client connect helper.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildApp } from '../../src/app.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimAccount, SimFaults, SimFixture, SimResource, Simulator } from '../../src/simulator/types.js';

export const ROLE = 'FinOpsTagComplianceReadOnly';
export const REGIONS = ['us-east-1', 'eu-west-1'];
export const MGMT = '100000000000';
/** The two resource types the UAT policy applies to (so `{}` scans exactly these). */
export const TYPES = ['ec2:instance', 's3:bucket'];
/** Monthly cost of every resource of a type (equal within account × service, so allocation is exact). */
export const COST: Record<string, number> = { 'ec2:instance': 10, 's3:bucket': 2.5 };
export const ENVIRONMENTS = ['production', 'staging'];

/**
 * The policy every UAT runs with: Owner (any value) and Environment (production | staging),
 * both on ec2:instance and s3:bucket only.
 */
export const UAT_POLICY = {
  version: '1.0',
  required_tags: [
    { name: 'Owner', description: 'Who owns the resource', allowed_values: null, validation_regex: null, applies_to: TYPES },
    { name: 'Environment', description: 'Deployment stage', allowed_values: ENVIRONMENTS, validation_regex: null, applies_to: TYPES },
  ],
  optional_tags: [],
  tag_naming_rules: { case_sensitivity: false, allow_special_characters: false, max_key_length: 128, max_value_length: 256 },
};

let policyDir: string | null = null;

/** Path of the UAT policy file (written once per process, removed at exit). */
export function policyPath(): string {
  if (policyDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'uat-policy-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(UAT_POLICY));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    policyDir = dir;
  }
  return join(policyDir, 'policy.json');
}

export const COMPLIANT = { Owner: 'alice', Environment: 'production' };
export const BAD_ENV = { Owner: 'bob', Environment: 'qa' };
export const UNTAGGED: Record<string, string> = {};

export function res(type: string, id: string, region: string, tags: Record<string, string>): SimResource {
  const cost = COST[type];
  if (cost === undefined) throw new Error(`no UAT cost for ${type}`);
  return { type, id, region, tags: { ...tags }, monthly_cost: cost, created_at: '2025-01-02T03:04:05.000Z' };
}

export function acct(id: string, resources: SimResource[], extra: Partial<SimAccount> = {}): SimAccount {
  return {
    id,
    name: `acct-${id}`,
    email: `${id}@example.com`,
    status: 'ACTIVE',
    parent_id: 'r-root',
    role: { name: ROLE, external_id: null, state: 'ok' },
    resources,
    ...extra,
  };
}

export function org(members: SimAccount[], mgmtResources: SimResource[] = []): SimFixture {
  return {
    organization: { id: 'o-uat', root_id: 'r-root', management_account_id: MGMT },
    regions: REGIONS,
    organizational_units: [],
    accounts: [acct(MGMT, mgmtResources), ...members],
  };
}

/** One expected violation, worked out by hand from UAT_POLICY. */
export interface ExpectedViolation {
  account_id: string;
  region: string;
  resource_id: string;
  tag_name: string;
  violation_type: 'missing_required_tag' | 'invalid_value';
}

export interface Expected {
  total_resources: number;
  compliant_resources: number;
  compliance_score: number;
  violation_count: number;
  cost_attribution_gap: number;
  violations: ExpectedViolation[];
}

/** What UAT_POLICY says about one resource (independent of src/policy). */
export function violationsOf(accountId: string, r: SimResource): ExpectedViolation[] {
  const out: ExpectedViolation[] = [];
  const base = { account_id: accountId, region: r.region, resource_id: r.id };
  const owner = r.tags['Owner'];
  if (owner === undefined || owner.trim() === '') out.push({ ...base, tag_name: 'Owner', violation_type: 'missing_required_tag' });
  const env = r.tags['Environment'];
  if (env === undefined || env.trim() === '') out.push({ ...base, tag_name: 'Environment', violation_type: 'missing_required_tag' });
  else if (!ENVIRONMENTS.includes(env)) out.push({ ...base, tag_name: 'Environment', violation_type: 'invalid_value' });
  return out;
}

/** Totals over the given accounts' resources (score rounded to 4 decimals, money to cents). */
export function expected(accounts: readonly SimAccount[]): Expected {
  let total = 0;
  let compliant = 0;
  let gap = 0;
  const violations: ExpectedViolation[] = [];
  for (const a of accounts) {
    for (const r of a.resources) {
      total += 1;
      const v = violationsOf(a.id, r);
      if (v.length === 0) compliant += 1;
      else gap += r.monthly_cost;
      violations.push(...v);
    }
  }
  return {
    total_resources: total,
    compliant_resources: compliant,
    compliance_score: total === 0 ? 1 : Math.round((compliant / total) * 10_000) / 10_000,
    violation_count: violations.length,
    cost_attribution_gap: Math.round(gap * 100) / 100,
    violations: sortViolations(violations),
  };
}

export function violationKey(v: { account_id: string; region: string; resource_id: string; tag_name: string; violation_type: string }): string {
  return [v.account_id, v.region, v.resource_id, v.tag_name, v.violation_type].join('|');
}

export function sortViolations<T extends ExpectedViolation>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (violationKey(a) < violationKey(b) ? -1 : violationKey(a) > violationKey(b) ? 1 : 0));
}

/** Accounts of a fixture by id (throws when absent, so a typo fails the test). */
export function accountsOf(fixture: SimFixture, ids: readonly string[]): SimAccount[] {
  return ids.map((id) => {
    const a = fixture.accounts.find((x) => x.id === id);
    if (a === undefined) throw new Error(`account ${id} is not in the fixture`);
    return a;
  });
}

export interface UatOptions {
  fixture: SimFixture;
  faults?: SimFaults;
  /** multi_account overrides (enabled: true and account_ids are the usual ones). */
  multi_account?: DeepPartial<AppConfig['multi_account']>;
  /** Other top-level overrides (e.g. policy_path); a key given here replaces the harness's value for it. */
  config?: DeepPartial<AppConfig>;
  now?: () => Date;
}

export interface UatHarness {
  app: FastifyInstance;
  sim: Simulator;
  close(): Promise<void>;
}

/** Start the simulator and the whole app pointed at it (real gateway, memory cache, in-memory history). */
export async function startUat(opts: UatOptions): Promise<UatHarness> {
  const sim = await startSimulator({ fixture: opts.fixture, ...(opts.faults === undefined ? {} : { faults: opts.faults }) });
  const config = testConfig({
    policy_path: policyPath(),
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials }, region: 'us-east-1', request_timeout_ms: 10_000, max_attempts: 2 },
    multi_account: { enabled: true, discovery: 'static', role_name: ROLE, ...opts.multi_account },
    ...opts.config,
  });
  let app: FastifyInstance;
  try {
    app = await buildApp({ config, logger: false, policy: { watch: false }, ...(opts.now === undefined ? {} : { now: opts.now }) });
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    app,
    sim,
    async close() {
      await app.close();
      await sim.stop();
    },
  };
}

export interface ToolAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POST /tools/check_tag_compliance with a JSON body. */
export async function checkCompliance(app: FastifyInstance, args: Record<string, unknown>): Promise<ToolAnswer> {
  const res = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: args });
  return { status: res.statusCode, body: res.json() };
}

/** Listen on 127.0.0.1:0 and connect an MCP client over Streamable HTTP; `close` ends the client. */
export async function connectMcp(app: FastifyInstance): Promise<{ client: Client; close(): Promise<void> }> {
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'uat', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
  return { client, close: () => client.close() };
}
