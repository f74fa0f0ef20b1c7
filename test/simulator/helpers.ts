/** Shared test helpers: a small hand-written fixture and a simulator started per test. */
import type { Test } from 'tap';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimFixture, SimResource, Simulator, SimulatorOptions } from '../../src/simulator/types.js';

export { isolateNetwork } from '../helpers/network.js';

export const MGMT = '111111111111';
export const PROD = '222222222222';
export const LEGACY = '333333333333';
export const GHOST = '444444444444';

function instances(region: string, n: number, prefix: string): SimResource[] {
  const out: SimResource[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      type: 'ec2:instance',
      region,
      id: `i-${prefix}${String(i).padStart(12, '0')}`,
      tags: i % 4 === 3 ? {} : { Owner: `dev${i}@example.com`, Environment: 'prod' },
      ever_tagged: i % 4 !== 3,
      monthly_cost: 10 + i,
      created_at: '2025-01-01T00:00:00.000Z',
      attributes: { instance_type: 't3.large', state: i % 5 === 0 ? 'stopped' : 'running' },
    });
  }
  return out;
}

export function smallFixture(): SimFixture {
  return {
    organization: { id: 'o-simtest0001', root_id: 'r-root', management_account_id: MGMT },
    regions: ['us-east-1', 'eu-west-1'],
    organizational_units: [
      { id: 'ou-root-prod', name: 'Production', parent_id: 'r-root' },
      { id: 'ou-root-legacy', name: 'Legacy', parent_id: 'r-root' },
    ],
    accounts: [
      {
        id: MGMT,
        name: 'management',
        email: 'aws-mgmt@example.com',
        alias: 'acme-mgmt',
        status: 'ACTIVE',
        parent_id: 'r-root',
        role: { name: 'FinOpsReadOnly', external_id: null, state: 'ok' },
        resources: [],
      },
      {
        id: PROD,
        name: 'production',
        email: 'aws-prod@example.com',
        alias: 'acme-prod',
        status: 'ACTIVE',
        parent_id: 'ou-root-prod',
        role: { name: 'FinOpsReadOnly', external_id: 'ext-123', state: 'ok' },
        resources: [
          ...instances('us-east-1', 23, 'a'),
          ...instances('eu-west-1', 4, 'b'),
          {
            type: 'ec2:volume',
            region: 'us-east-1',
            id: 'vol-000000000001',
            tags: { Owner: 'dev0@example.com' },
            monthly_cost: 8,
            created_at: '2025-01-01T00:00:00.000Z',
            attributes: { size_gb: 100, volume_type: 'gp3', attached_instance_id: 'i-a000000000000' },
          },
          {
            type: 'rds:db',
            region: 'us-east-1',
            id: 'orders-db',
            tags: { Owner: 'db@example.com', Environment: 'prod' },
            monthly_cost: 300,
            created_at: '2024-06-01T00:00:00.000Z',
            attributes: { engine: 'postgres', db_class: 'db.r6g.large', size_gb: 200 },
          },
          {
            type: 's3:bucket',
            region: 'eu-west-1',
            id: 'acme-prod-logs',
            tags: { Owner: 'ops@example.com' },
            monthly_cost: 12.5,
            created_at: '2023-03-01T00:00:00.000Z',
          },
          {
            type: 's3:bucket',
            region: 'us-east-1',
            id: 'acme-prod-untagged',
            tags: {},
            ever_tagged: false,
            monthly_cost: 3,
            created_at: '2023-03-01T00:00:00.000Z',
          },
          {
            type: 'lambda:function',
            region: 'us-east-1',
            id: 'resize-images',
            tags: { Owner: 'img@example.com', Environment: 'Prod' },
            monthly_cost: 4,
            created_at: '2024-01-01T00:00:00.000Z',
          },
        ],
      },
      {
        id: LEGACY,
        name: 'legacy',
        email: 'aws-legacy@example.com',
        status: 'ACTIVE',
        parent_id: 'ou-root-legacy',
        role: { name: 'FinOpsReadOnly', external_id: null, state: 'untrusted' },
        resources: [],
      },
      {
        id: GHOST,
        name: 'ghost',
        email: 'aws-ghost@example.com',
        status: 'ACTIVE',
        parent_id: 'ou-root-legacy',
        role: { name: 'FinOpsReadOnly', external_id: null, state: 'missing' },
        resources: [],
      },
    ],
    tag_policies: [
      {
        id: 'p-tagroot1',
        name: 'org-tags',
        content: JSON.stringify({ tags: { owner: { tag_key: { '@@assign': 'Owner' } } } }),
        targets: ['r-root'],
      },
    ],
  };
}

/** Starts a simulator and stops it when the test ends. */
export async function simulator(t: Test, opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ fixture: smallFixture(), ...opts });
  t.teardown(() => sim.stop());
  return sim;
}

export function clientConfig(sim: Simulator, region = 'us-east-1') {
  return { credentials: sim.credentials, region, endpoint: sim.endpoint, maxAttempts: 1 } as const;
}

export interface TempCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Assumes FinOpsReadOnly in the production account through the real STS client. */
export async function prodCredentials(sim: Simulator): Promise<TempCredentials> {
  const sts = new STSClient(clientConfig(sim));
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/FinOpsReadOnly`, RoleSessionName: 'sim-test', ExternalId: 'ext-123' }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}
