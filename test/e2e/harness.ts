/**
 * End-to-end harness for the tool tests: the REAL app (buildApp, every plugin) over the
 * simulator's demo organization, plus expected figures computed independently from the fixture
 * with the policy engine (what a complete scan must see).
 */
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { buildApp } from '../../src/app.js';
import { getResourceType } from '../../src/aws/registry.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { loadPolicyFile } from '../../src/policy/index.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { resourceArn } from '../../src/simulator/arn.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimFixture, SimResource, Simulator } from '../../src/simulator/types.js';
import type { AnyTool } from '../../src/tools/types.js';
import { loggerOptions } from '../../src/logging.js';
import { fileSecretGuard, type SecretGuard } from '../helpers/secret-guard.js';

export { DEMO_ACCOUNTS };

export interface Demo {
  app: FastifyInstance;
  sim: Simulator;
  config: AppConfig;
  policy: CompiledPolicy;
  /** Scans every response and log line of the app (checked when the test file ends). */
  secrets: SecretGuard;
  close(): Promise<void>;
}

/** Simulator + full app (organizations discovery, in-memory history, no policy watcher). */
export async function startDemo(overrides: DeepPartial<AppConfig> = {}): Promise<Demo> {
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'organizations' },
    ...overrides,
  });
  const secrets = fileSecretGuard();
  secrets.addLiterals(...config.auth.api_keys.map((k) => k.key));
  const app = await buildApp({ config, logger: secrets.loggerOptions(loggerOptions({ log_level: 'debug' })), policy: { watch: false } });
  secrets.watch(app);
  await app.ready();
  const policy = await loadPolicyFile(config.policy_path);
  return {
    app,
    sim,
    config,
    policy,
    secrets,
    async close() {
      await app.close();
      await sim.stop();
    },
  };
}

/** Validation problems of `value` against `schema`, as "path: message" lines (empty = valid). */
export function schemaErrors(schema: TSchema, value: unknown): string[] {
  return Value.Errors(schema, value).map((e) => `${e.instancePath}: ${e.message}`);
}

export function toolNamed(tools: readonly AnyTool[], name: string): AnyTool {
  const tool = tools.find((x) => x.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  return tool;
}

/** A fixture resource as a scan sees it. */
export interface FixtureResource {
  account_id: string;
  resource: SimResource;
  arn: string;
}

/**
 * Resources a complete scan of these accounts can see: direct listers (EC2, RDS, S3) see
 * everything; Tagging-API types only resources that were ever tagged.
 */
export function visibleResources(fixture: SimFixture, accountIds: readonly string[]): FixtureResource[] {
  const out: FixtureResource[] = [];
  for (const account of fixture.accounts) {
    if (!accountIds.includes(account.id)) continue;
    const regions = account.regions ?? fixture.regions;
    for (const r of account.resources) {
      const info = getResourceType(r.type);
      if (info === undefined || !regions.includes(r.region)) continue;
      const everTagged = r.ever_tagged ?? Object.keys(r.tags).length > 0;
      if (info.lister === 'tagging' && !everTagged) continue;
      out.push({ account_id: account.id, resource: r, arn: r.arn ?? resourceArn(r, account.id) });
    }
  }
  return out;
}

export interface ExpectedCompliance {
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  /** ARNs of in-scope resources missing at least one required tag. */
  missing_arns: string[];
  /** ARNs of in-scope non-compliant resources. */
  noncompliant_arns: string[];
  /** ARNs of in-scope resources with at least one violation (errors or warnings). */
  violating_arns: string[];
}

/**
 * What check_tag_compliance must report for these accounts (every type the policy covers;
 * with `region`, that region plus the global types, which are always included).
 */
export function expectedCompliance(policy: CompiledPolicy, fixture: SimFixture, accountIds: readonly string[], region?: string): ExpectedCompliance {
  const out: ExpectedCompliance = { total_resources: 0, compliant_resources: 0, violation_count: 0, missing_arns: [], noncompliant_arns: [], violating_arns: [] };
  for (const v of visibleResources(fixture, accountIds)) {
    if (region !== undefined && v.resource.region !== region && getResourceType(v.resource.type)?.global !== true) continue;
    const ev = policy.evaluate(v.resource.type, v.resource.tags);
    if (!ev.in_scope) continue;
    out.total_resources += 1;
    if (ev.compliant) out.compliant_resources += 1;
    else out.noncompliant_arns.push(v.arn);
    out.violation_count += ev.violations.length;
    if (ev.violations.length > 0) out.violating_arns.push(v.arn);
    if (ev.violations.some((x) => x.violation_type === 'missing_required_tag')) out.missing_arns.push(v.arn);
  }
  return out;
}

/**
 * Cost Explorer spend of these accounts over `days` days for the services of `types`, as the
 * simulator reports it (monthly_cost × days / 30; Cost Explorer sees never-tagged resources too).
 */
export function expectedSpend(fixture: SimFixture, accountIds: readonly string[], types: readonly string[], days: number): number {
  const services = new Set(types.map((t) => getResourceType(t)?.cost_service));
  let monthly = 0;
  for (const account of fixture.accounts) {
    if (!accountIds.includes(account.id)) continue;
    for (const r of account.resources) if (services.has(getResourceType(r.type)?.cost_service)) monthly += r.monthly_cost;
  }
  return Math.round(((monthly * days) / 30) * 100) / 100;
}

/** Every account id of the demo that AssumeRole works for (legacy refuses the scanner). */
export const READABLE_ACCOUNTS: string[] = Object.values(DEMO_ACCOUNTS).filter((id) => id !== DEMO_ACCOUNTS.legacy);
export const ALL_ACCOUNTS: string[] = Object.values(DEMO_ACCOUNTS);

/** Drop fields that legitimately differ between two calls (none should, thanks to the cache). */
export function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'duration_ms') out[k] = withoutVolatile(v);
    return out;
  }
  return value;
}

/** A visible in-scope resource of this account and type whose compliance is `compliant`. */
export function pickResource(policy: CompiledPolicy, fixture: SimFixture, accountId: string, type: string, compliant: boolean): FixtureResource {
  const found = visibleResources(fixture, [accountId]).find((v) => {
    if (v.resource.type !== type) return false;
    const ev = policy.evaluate(type, v.resource.tags);
    return ev.in_scope && ev.compliant === compliant;
  });
  if (found === undefined) throw new Error(`no ${compliant ? 'compliant' : 'non-compliant'} ${type} in ${accountId}`);
  return found;
}

/**
 * Arguments for every tool that make sense on the demo organization (a realistic call each;
 * the tools' own `examples` are exercised separately).
 */
export function demoArguments(demo: Pick<Demo, 'policy' | 'sim'>): Record<string, Record<string, unknown>> {
  const broken = pickResource(demo.policy, demo.sim.fixture, DEMO_ACCOUNTS.production, 'ec2:instance', false);
  return {
    check_tag_compliance: { account_ids: ['production', 'staging'] },
    find_untagged_resources: { account_ids: ['development'], include_costs: true },
    validate_resource_tags: { resource_arns: [broken.arn] },
    get_cost_attribution_gap: { account_ids: ['production', 'staging'], group_by: 'account' },
    suggest_tags: { resource_arn: broken.arn },
    get_tagging_policy: {},
    list_accounts: {},
    compare_accounts: { account_ids: ['production', 'staging'] },
    generate_compliance_report: { format: 'markdown', account_ids: ['production'] },
    get_violation_history: { days_back: 7 },
    // issue 5 tools: one line each
    detect_tag_drift: { account_ids: ['production', 'staging'], lookback_days: 7 },
    export_violations_csv: { account_ids: ['production', 'staging'], columns: ['account_name', 'resource_arn', 'tag_name', 'violation_type', 'current_value', 'cost_impact_monthly'] },
    import_aws_tag_policy: {},
    schedule_compliance_audit: { schedule: 'daily', time: '06:00', timezone: 'Europe/Paris', account_ids: ['production'], name: 'e2e-daily-audit' },
    list_compliance_audits: { recent_runs: 1 },
    delete_compliance_audit: { name: 'e2e-daily-audit' },
    generate_custodian_policy: { resource_types: ['ec2:instance', 's3:bucket'], dry_run: true },
    generate_openops_workflow: { resource_types: ['ec2:instance'], remediation_strategy: 'notify', threshold: 0.8 },
  };
}
