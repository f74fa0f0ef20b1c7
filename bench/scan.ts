/**
 * Scan benchmark: a generated organization in the bundled simulator, one full multi-account
 * check_tag_compliance through the app (force_refresh, account_ids ["all"]), and beside it the
 * floors it is judged against: the critical-path floor (latency-bound) and, without latency,
 * the bare-SDK CPU floor measured in this same process. Prints figures; asserts nothing.
 *
 *   node dist/bench/scan.js --accounts 50 --regions 4 --per-region 500 --latency-ms 100
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { loadPolicyFile } from '../src/policy/index.js';
import { DEFAULT_ROLE_NAME, generateOrganization } from '../src/simulator/generate.js';
import { startSimulator } from '../src/simulator/server.js';
import type { SimFixture, SimStats, SimulatorOptions } from '../src/simulator/types.js';
import { Flags } from './lib/args.js';
import { POLICY_PATH } from './lib/paths.js';
import { startSimulatorThread, type SimHandle } from './lib/sim-thread.js';
import { bareSdkScan } from './lib/bare-sdk.js';
import { criticalPath } from './lib/floor.js';
import { figure, fmt, heading, maxRssBytes, mb, ms, rssSampler, target } from './lib/print.js';

const REGION_POOL = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1', 'ap-northeast-1', 'us-east-2', 'ca-central-1', 'sa-east-1', 'ap-south-1'];
const BUCKET_CALL_CONCURRENCY = 8; // the gateway's default (src/aws/create-gateway.ts)

interface Options {
  accounts: number;
  regions: string[];
  perRegion: number;
  latencyMs: number;
  types: string[] | null;
  maxAccounts: number;
  maxCells: number;
  pageSize: number | null;
  warmup: number;
  seed: number;
  simInProcess: boolean;
}

function readOptions(flags: Flags): Options {
  const regionCount = flags.int('regions', 2, 1);
  if (regionCount > REGION_POOL.length) throw new Error(`--regions is at most ${REGION_POOL.length}`);
  const latencyMs = flags.num('latency-ms', 0);
  return {
    accounts: flags.int('accounts', 10, 1),
    regions: REGION_POOL.slice(0, regionCount),
    perRegion: flags.int('per-region', 100, 0),
    latencyMs,
    types: flags.list('types', null),
    maxAccounts: flags.int('max-concurrent-accounts', 5, 1),
    maxCells: flags.int('cells-per-account', 8, 1),
    pageSize: flags.has('page-size') ? flags.int('page-size', 100, 1) : null,
    // One unmeasured pass first (with its own fresh app): the measured scan then runs with loaded
    // modules and JIT-warm code, as every scan but the first of a long-running server does
    // (the first pass loads the SDK's modules: ≈ 1 s of CPU on this machine). --warmup 0 measures
    // the first scan of a fresh process.
    warmup: flags.int('warmup', 1, 0),
    seed: flags.int('seed', 1, 0),
    // Default: the simulator on its own thread, so its XML rendering does not run on the app's loop.
    simInProcess: flags.has('sim-in-process'),
  };
}

async function startApp(sim: SimHandle, o: Options): Promise<FastifyInstance> {
  const config = testConfig({
    policy_path: POLICY_PATH,
    aws: { region: 'us-east-1', endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: {
      enabled: true,
      discovery: 'organizations',
      account_ids: [],
      role_name: DEFAULT_ROLE_NAME,
      external_id: null,
      max_concurrent_accounts: o.maxAccounts,
      account_scan_timeout_seconds: 600,
    },
    scan: { max_concurrent_cells_per_account: o.maxCells },
    auth: { mode: 'none', api_keys: [] },
    cache: { redis_url: null },
  });
  const app = await buildApp({ config, logger: false, policy: { watch: false } });
  await app.ready();
  return app;
}

interface ScanRun {
  wallMs: number;
  /** Share of the wall time the app's event loop was busy (main thread). */
  loopBusy: number;
  body: { total_resources?: number; violation_count?: number; data_quality?: { status?: string; cells_requested?: number; cells_complete?: number }; account_metadata?: { total_accounts?: number } };
  peakRss: number;
}

async function runScan(app: FastifyInstance, types: string[] | null): Promise<ScanRun> {
  const sampler = rssSampler();
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/tools/check_tag_compliance',
    payload: { account_ids: ['all'], force_refresh: true, limit: 1, ...(types === null ? {} : { resource_types: types }) },
  });
  const wallMs = performance.now() - started;
  const loopBusy = performance.eventLoopUtilization(elu).utilization;
  const peakRss = sampler.stop();
  if (res.statusCode !== 200) throw new Error(`check_tag_compliance answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
  return { wallMs, loopBusy, body: res.json(), peakRss };
}

function sumWhere(calls: Record<string, number>, pred: (k: string) => boolean): number {
  return Object.entries(calls).reduce((n, [k, v]) => (pred(k) ? n + v : n), 0);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const o = readOptions(new Flags(argv));
  const fixture = generateOrganization({ accounts: o.accounts, regions: o.regions, resourcesPerRegion: o.perRegion, seed: o.seed, ...(o.types === null ? {} : { types: o.types }) });
  const pageSize = o.pageSize === null ? {} : { ec2: o.pageSize, rds: o.pageSize, tagging: o.pageSize, s3: o.pageSize, organizations: o.pageSize, ce: o.pageSize };
  const sim = await startSim({ fixture, faults: { latency_ms: o.latencyMs }, page_size: pageSize }, o.simInProcess);
  try {
    const resources = fixture.accounts.reduce((n, a) => n + a.resources.length, 0);
    heading(`scan: ${o.accounts} accounts × ${o.regions.length} regions × ${o.perRegion}/region, latency ${o.latencyMs} ms`);
    figure('simulated resources', resources);
    figure('MAX_CONCURRENT_ACCOUNTS / CELLS_PER_ACCOUNT', `${o.maxAccounts} / ${o.maxCells}`);
    figure('simulator', o.simInProcess ? 'in this thread (--sim-in-process)' : 'own worker thread');

    const scanTypes = o.types ?? [...(await loadPolicyFile(POLICY_PATH)).applicableTypes].sort();
    for (let i = 0; i < o.warmup; i++) {
      const warm = await startApp(sim, o);
      await runScan(warm, o.types);
      await warm.close();
      // The bare-SDK floor is only measured without latency (sequential calls would take calls × latency).
      if (o.latencyMs === 0) await bareSdkScan(bareInput(sim, fixture, o, scanTypes));
    }

    // Measured app run: a fresh app (cold credentials and caches), statistics from zero.
    const app = await startApp(sim, o);
    await sim.resetStats();
    const gwBefore = app.aws.stats();
    const run = await runScan(app, o.types);
    const stats: SimStats = await sim.stats();
    const gw = app.aws.stats();
    await app.close();

    const dq = run.body.data_quality ?? {};
    figure('resources scanned (total_resources)', run.body.total_resources ?? 0);
    figure('violations', run.body.violation_count ?? 0);
    figure('data_quality', `${dq.status ?? '?'} (${dq.cells_complete ?? 0}/${dq.cells_requested ?? 0} cells)`);
    figure('wall time', ms(run.wallMs));
    figure('app event loop busy during the scan', `${(run.loopBusy * 100).toFixed(1)} % (${ms(run.loopBusy * run.wallMs)})`);

    // Critical-path floor (see bench/lib/floor.ts for the formula).
    const prologue = sumWhere(stats.calls, (k) => k === 'sts:GetCallerIdentity' || k.startsWith('organizations:'));
    const epilogue = sumWhere(stats.calls, (k) => k.startsWith('ce:'));
    const cp = criticalPath({
      fixture, resourceTypes: scanTypes, pageSize, maxConcurrentAccounts: o.maxAccounts, maxConcurrentCells: o.maxCells,
      bucketCallConcurrency: BUCKET_CALL_CONCURRENCY, prologueCalls: prologue, epilogueCalls: epilogue,
    });
    heading('critical-path floor inputs');
    figure('accounts scanned (ACTIVE)', cp.accounts);
    figure('cells per account (regions × types + global)', `${cp.cellsPerAccount} (${scanTypes.length} types)`);
    figure('longest cell (sequential round trips)', cp.longestCell);
    figure('cell round trips, all accounts', cp.totalCellCalls);
    figure('account chain min/max (pool) round trips', `${Math.min(...cp.accountChainPool)} / ${Math.max(...cp.accountChainPool)}`);
    figure('prologue + epilogue round trips', `${prologue} + ${epilogue}`);
    figure('critical path, waves model (round trips)', cp.stepsWaves);
    figure('critical path, pool model (round trips)', cp.stepsPool);
    const floorMs = cp.stepsPool * o.latencyMs;
    figure('critical-path floor (pool × latency)', o.latencyMs > 0 ? ms(floorMs) : '0 ms (no latency: see CPU floor)');

    heading('AWS calls (simulator view)');
    for (const [k, v] of Object.entries(stats.calls).sort()) figure(k, v);
    figure('total', sumWhere(stats.calls, () => true));
    figure('most requests in flight', stats.max_in_flight);
    figure('most accounts in flight', stats.max_accounts_in_flight);
    const assume = Object.values(stats.assume_role);
    const assumeMax = assume.length === 0 ? 0 : Math.max(...assume);
    const assumeTotal = assume.reduce((a, b) => a + b, 0);
    figure('AssumeRole per account max / total', `${assumeMax} / ${assumeTotal} (${o.accounts - 1} member accounts)`);
    const ceRequests = sumWhere(stats.calls, (k) => k.startsWith('ce:'));
    figure('Cost Explorer requests (sim / gateway)', `${ceRequests} / ${gw.cost_explorer_requests - gwBefore.cost_explorer_requests}`);
    figure('throttled', stats.throttled);
    figure('peak RSS sampled during scan', mb(run.peakRss));
    figure('process maxRSS (resourceUsage)', mb(maxRssBytes()));

    let cpuRatio: number | null = null;
    if (o.latencyMs === 0) {
      const bare = await bareSdkScan(bareInput(sim, fixture, o, scanTypes));
      cpuRatio = bare.ms / run.wallMs;
      heading('CPU floor (bare SDK, sequential, same process and simulator)');
      figure('bare SDK calls / items', `${bare.calls} / ${fmt(bare.items)}`);
      figure('bare SDK time', ms(bare.ms));
      figure('bare SDK time / app wall time', `${(cpuRatio * 100).toFixed(1)} %`);
    }

    heading('targets');
    if (o.latencyMs > 0) {
      const ratio = run.wallMs / floorMs;
      target('latency-bound wall / floor', `${ratio.toFixed(3)}×`, '≤ 1.25×', ratio <= 1.25);
    }
    if (cpuRatio !== null) target('CPU-bound: bare-SDK time / wall', `${(cpuRatio * 100).toFixed(1)} %`, '≥ 90 %', cpuRatio >= 0.9);
    target('AssumeRole per account (max)', String(assumeMax), '≤ 1', assumeMax <= 1);
    target('Cost Explorer requests per scan', String(ceRequests), '≤ 1', ceRequests <= 1);
  } finally {
    await sim.stop();
  }
}

/** The simulator on its own thread (default) or in this one, behind the same handle. */
async function startSim(options: SimulatorOptions, inProcess: boolean): Promise<SimHandle> {
  if (!inProcess) return startSimulatorThread(options);
  const sim = await startSimulator(options);
  return {
    endpoint: sim.endpoint,
    credentials: sim.credentials,
    stats: async () => sim.stats(),
    resetStats: async () => sim.resetStats(),
    stop: () => sim.stop(),
  };
}

function bareInput(sim: SimHandle, fixture: SimFixture, o: Options, types: string[]): Parameters<typeof bareSdkScan>[0] {
  const active = fixture.accounts.filter((a) => a.status === 'ACTIVE').map((a) => a.id);
  return { endpoint: sim.endpoint, credentials: sim.credentials, accountIds: active, managementAccountId: fixture.organization.management_account_id, regions: o.regions, resourceTypes: types, roleName: DEFAULT_ROLE_NAME, homeRegion: 'us-east-1' };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`scan benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
