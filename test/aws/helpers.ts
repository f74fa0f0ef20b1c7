/** Shared fixtures for the AWS gateway tests: hand-built simulator organizations and configs. */
import pino from 'pino';
import type { AwsConfig, MultiAccountConfig } from '../../src/config/types.js';
import { createAwsGateway, type CreateAwsGatewayOptions } from '../../src/aws/create-gateway.js';
import type { AwsGateway } from '../../src/aws/gateway.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimAccount, SimFaults, SimFixture, SimResource, Simulator } from '../../src/simulator/types.js';

export const MGMT = '111111111111';
export const MEMBER_A = '222222222222';
export const MEMBER_B = '333333333333';
export const ROLE = 'FinOpsTagComplianceReadOnly';
export const REGIONS = ['us-east-1', 'eu-west-1'];

export function account(id: string, resources: SimResource[] = [], extra: Partial<SimAccount> = {}): SimAccount {
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

export function resource(type: string, id: string, region: string, tags: Record<string, string> = {}, extra: Partial<SimResource> = {}): SimResource {
  return { type, id, region, tags, monthly_cost: 10, created_at: '2025-01-02T03:04:05.000Z', ...extra };
}

export function fixture(accounts: SimAccount[], regions: string[] = REGIONS): SimFixture {
  return {
    organization: { id: 'o-test', root_id: 'r-root', management_account_id: MGMT },
    regions,
    organizational_units: [],
    accounts,
  };
}

export function awsConfig(sim: Simulator, overrides: Partial<AwsConfig> = {}): AwsConfig {
  return {
    region: 'us-east-1',
    endpoint_url: sim.endpoint,
    allowed_regions: null,
    request_timeout_ms: 5000,
    max_attempts: 3,
    max_sockets: 32,
    credentials: { ...sim.credentials },
    ...overrides,
  };
}

export function multiAccountConfig(overrides: Partial<MultiAccountConfig> = {}): MultiAccountConfig {
  return {
    enabled: true,
    account_ids: [],
    exclude: [],
    role_name: ROLE,
    role_arn_template: 'arn:aws:iam::{account_id}:role/{role_name}',
    external_id: null,
    session_duration_seconds: 3600,
    max_concurrent_accounts: 5,
    account_scan_timeout_seconds: 120,
    discovery: 'static',
    organization_unit_ids: [],
    discovery_ttl_seconds: 900,
    ...overrides,
  };
}

export const silentLogger = pino({ level: 'silent' });

export interface Harness {
  sim: Simulator;
  gateway: AwsGateway;
  close(): Promise<void>;
}

/** Start a simulator and a gateway on it; `close` stops both. */
export async function harness(
  fx: SimFixture,
  opts: {
    faults?: SimFaults;
    page_size?: Partial<Record<string, number>>;
    aws?: Partial<AwsConfig>;
    multiAccount?: Partial<MultiAccountConfig>;
    gateway?: Partial<Omit<CreateAwsGatewayOptions, 'aws' | 'multiAccount'>>;
  } = {},
): Promise<Harness> {
  const sim = await startSimulator({ fixture: fx, ...(opts.faults ? { faults: opts.faults } : {}), ...(opts.page_size ? { page_size: opts.page_size } : {}) });
  const gateway = createAwsGateway({
    aws: awsConfig(sim, opts.aws),
    multiAccount: multiAccountConfig(opts.multiAccount),
    logger: silentLogger,
    now: () => sim.now(),
    ...opts.gateway,
  });
  return {
    sim,
    gateway,
    async close() {
      await gateway.close();
      await sim.stop();
    },
  };
}

export const signal = (): AbortSignal => new AbortController().signal;

export { isolateNetwork } from '../helpers/network.js';
