/**
 * The demo organization ("Acme"): a management account and six members across three regions,
 * a few hundred resources with realistic tags (most compliant, some drifting, some never tagged),
 * monthly costs, two Organizations tag policies, and one account ("legacy") whose role does not
 * trust the scanner. Fully deterministic.
 */
import { createPrng } from './faults.js';
import { DEFAULT_TYPES } from './fixtures/catalog.js';
import { populateRegion } from './fixtures/populate.js';
import type { Environment } from './fixtures/tag-data.js';
import { DEFAULT_ROLE_NAME } from './generate.js';
import type { SimAccount, SimFixture, SimResource } from './types.js';

export const DEMO_REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];
export const DEMO_ACCOUNTS = {
  management: '123456789012',
  production: '210987654321',
  staging: '234567890123',
  development: '345678901234',
  data: '456789012345',
  sandbox: '567890123456',
  legacy: '678901234567',
} as const;

const ROOT = 'r-a1b2';
const OU = { workloads: 'ou-a1b2-wrkl0001', data: 'ou-a1b2-data0001', sandbox: 'ou-a1b2-sbox0001', legacy: 'ou-a1b2-lgcy0001' };

interface Profile {
  name: keyof typeof DEMO_ACCOUNTS;
  parent: string;
  env: Environment;
  perRegion: number;
  compliance: number;
  types: readonly string[];
  regions?: string[];
  role?: SimAccount['role']['state'];
}

const DATA_TYPES = ['s3:bucket', 's3:bucket', 'redshift:cluster', 'rds:db', 'rds:cluster', 'dynamodb:table', 'kinesis:stream', 'sagemaker:endpoint', 'opensearch:domain', 'ec2:instance', 'ec2:volume', 'lambda:function'];
const MGMT_TYPES = ['s3:bucket', 'cloudfront:distribution', 'route53:hostedzone', 'secretsmanager:secret', 'lambda:function'];

const PROFILES: Profile[] = [
  { name: 'management', parent: ROOT, env: 'production', perRegion: 4, compliance: 0.9, types: MGMT_TYPES },
  { name: 'production', parent: OU.workloads, env: 'production', perRegion: 30, compliance: 0.85, types: DEFAULT_TYPES },
  { name: 'staging', parent: OU.workloads, env: 'staging', perRegion: 12, compliance: 0.65, types: DEFAULT_TYPES },
  { name: 'development', parent: OU.workloads, env: 'development', perRegion: 16, compliance: 0.45, types: DEFAULT_TYPES },
  { name: 'data', parent: OU.data, env: 'production', perRegion: 14, compliance: 0.7, types: DATA_TYPES },
  { name: 'sandbox', parent: OU.sandbox, env: 'test', perRegion: 10, compliance: 0.25, types: DEFAULT_TYPES, regions: ['us-east-1'] },
  { name: 'legacy', parent: OU.legacy, env: 'production', perRegion: 6, compliance: 0.3, types: DEFAULT_TYPES, role: 'untrusted' },
];

const T0 = '2024-03-15T09:30:00.000Z';

/** Hand-placed resources that were never tagged (the Tagging API does not see them). */
function neverTagged(accountId: string): SimResource[] {
  if (accountId === DEMO_ACCOUNTS.development) {
    return [
      { type: 'ec2:instance', region: 'us-east-1', id: 'i-0deadbeef00000001', tags: {}, ever_tagged: false, monthly_cost: 140.16, created_at: T0, attributes: { instance_type: 'm5.xlarge', state: 'running' } },
      { type: 'ec2:volume', region: 'us-east-1', id: 'vol-0deadbeef0000001', tags: {}, ever_tagged: false, monthly_cost: 40, created_at: T0, attributes: { size_gb: 500, volume_type: 'gp3', attached_instance_id: 'i-0deadbeef00000001' } },
      { type: 'rds:db', region: 'us-east-1', id: 'tmp-migration-db', tags: {}, ever_tagged: false, monthly_cost: 189.8, created_at: T0, attributes: { engine: 'postgres', db_class: 'db.r6g.large', size_gb: 200 } },
      { type: 's3:bucket', region: 'us-east-1', id: 'acme-dev-scratch-345678901234', tags: {}, ever_tagged: false, monthly_cost: 23.4, created_at: T0 },
    ];
  }
  if (accountId === DEMO_ACCOUNTS.production) {
    return [
      { type: 's3:bucket', region: 'eu-west-1', id: 'acme-prod-tmp-exports', tags: {}, ever_tagged: false, monthly_cost: 61.2, created_at: T0 },
      { type: 'ec2:natgateway', region: 'us-west-2', id: 'nat-0feedface0000001', tags: {}, ever_tagged: false, monthly_cost: 98.5, created_at: T0, attributes: { state: 'available' } },
      { type: 'rds:cluster', region: 'eu-west-1', id: 'reporting-aurora', tags: {}, ever_tagged: true, monthly_cost: 412.75, created_at: T0, attributes: { engine: 'aurora-postgresql' } },
    ];
  }
  return [];
}

export function demoOrganization(): SimFixture {
  const accounts: SimAccount[] = PROFILES.map((p, index) => {
    const id = DEMO_ACCOUNTS[p.name];
    const rng = createPrng(20260101 + index * 101);
    const regions = p.regions ?? DEMO_REGIONS;
    const resources = regions.flatMap((region) =>
      populateRegion({ rng, accountId: id, region, env: p.env, count: p.perRegion, types: p.types, complianceRate: p.compliance }),
    );
    resources.push(...neverTagged(id));
    const account: SimAccount = {
      id,
      name: p.name,
      email: `aws+${p.name}@acme.example`,
      alias: `acme-${p.name}`,
      status: 'ACTIVE',
      parent_id: p.parent,
      role: { name: DEFAULT_ROLE_NAME, external_id: null, state: p.role ?? 'ok' },
      resources,
    };
    if (p.regions) account.regions = p.regions;
    return account;
  });
  return {
    organization: { id: 'o-acme0demo1', root_id: ROOT, management_account_id: DEMO_ACCOUNTS.management },
    regions: [...DEMO_REGIONS],
    organizational_units: [
      { id: OU.workloads, name: 'Workloads', parent_id: ROOT },
      { id: OU.data, name: 'Data', parent_id: ROOT },
      { id: OU.sandbox, name: 'Sandbox', parent_id: ROOT },
      { id: OU.legacy, name: 'Legacy', parent_id: ROOT },
    ],
    accounts,
    // Real Organizations syntax (issue 5's import tool reads these): wildcards, report_required_tag_for,
    // enforced_for, child-control operators at the root, @@append/@@remove in the OU's child policy.
    tag_policies: [
      {
        id: 'p-95ouzwl3',
        name: 'acme-baseline-tags',
        content: JSON.stringify({
          tags: {
            owner: {
              tag_key: { '@@assign': 'Owner' },
              tag_value: { '@@assign': ['*@acme.example'] },
              report_required_tag_for: { '@@assign': ['ec2:ALL_SUPPORTED', 'rds:db', 's3:bucket'] },
            },
            environment: {
              tag_key: { '@@assign': 'Environment', '@@operators_allowed_for_child_policies': ['@@none'] },
              tag_value: { '@@assign': ['production', 'staging', 'development', 'test'], '@@operators_allowed_for_child_policies': ['@@remove'] },
            },
            costcenter: {
              tag_key: { '@@assign': 'CostCenter' },
              tag_value: { '@@assign': ['Engineering', 'Sales', 'Marketing', 'Finance', 'Operations', 'Data'] },
              report_required_tag_for: { '@@assign': ['ec2:instance', 'rds:db', 's3:bucket'] },
            },
          },
        }),
        targets: [ROOT],
      },
      {
        id: 'p-7h2kx9qa',
        name: 'acme-workloads-enforced',
        content: JSON.stringify({
          tags: {
            application: {
              tag_key: { '@@assign': 'Application' },
              tag_value: { '@@assign': ['*-api', '*-service', '*-gateway', 'observability'] },
              enforced_for: { '@@assign': ['ec2:instance', 'lambda:function'] },
            },
            environment: { tag_value: { '@@remove': ['test'] }, enforced_for: { '@@assign': ['ec2:instance', 'rds:db'] } },
            costcenter: { tag_value: { '@@append': ['Platform-*'] } },
          },
        }),
        targets: [OU.workloads],
      },
    ],
  };
}
