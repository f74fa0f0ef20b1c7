/**
 * Deterministic generator of simulated organizations for tests and benchmarks: N accounts in OUs,
 * M regions, K resources per account × region, realistic tags with a controlled share broken,
 * some roles broken, some accounts suspended, and a baseline tag policy.
 */
import { createPrng } from './faults.js';
import { DEFAULT_TYPES } from './fixtures/catalog.js';
import { populateRegion } from './fixtures/populate.js';
import type { Environment } from './fixtures/tag-data.js';
import type { SimAccount, SimFixture } from './types.js';

export const DEFAULT_ROLE_NAME = 'FinOpsTagComplianceReadOnly';

export interface GenerateOptions {
  /** Total accounts, the management account included (≥ 1). */
  accounts: number;
  regions: string[];
  resourcesPerRegion: number;
  seed?: number;
  /** Registry types to draw from (repeat a type to weight it). Default: every type, EC2 weighted. */
  types?: string[];
  /** The last N member accounts get a broken role (alternately untrusted and missing). */
  brokenRoleAccounts?: number;
  /** N member accounts before the broken ones are SUSPENDED. */
  suspendedAccounts?: number;
  /** 0..1 share of resources tagged compliantly (default 0.7). */
  complianceRate?: number;
}

const ROOT = 'r-gen0';
const OUS: readonly { id: string; name: string; env: Environment }[] = [
  { id: 'ou-gen0-prod0001', name: 'Production', env: 'production' },
  { id: 'ou-gen0-stag0001', name: 'Staging', env: 'staging' },
  { id: 'ou-gen0-devl0001', name: 'Development', env: 'development' },
  { id: 'ou-gen0-sbox0001', name: 'Sandbox', env: 'test' },
];

/** 12-digit account id of the i-th account (0 = management). */
export function generatedAccountId(i: number): string {
  return String(100000000000 + i * 7919);
}

export function generateOrganization(opts: GenerateOptions): SimFixture {
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1) throw new Error('generateOrganization: accounts must be an integer ≥ 1');
  if (opts.regions.length === 0) throw new Error('generateOrganization: at least one region is required');
  const rng = createPrng(opts.seed ?? 1);
  const types = opts.types && opts.types.length > 0 ? opts.types : DEFAULT_TYPES;
  const complianceRate = opts.complianceRate ?? 0.7;
  const broken = Math.max(0, Math.min(opts.brokenRoleAccounts ?? 0, opts.accounts - 1));
  const suspended = Math.max(0, Math.min(opts.suspendedAccounts ?? 0, opts.accounts - 1 - broken));
  const mgmtId = generatedAccountId(0);
  const accounts: SimAccount[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const id = generatedAccountId(i);
    const ou = i === 0 ? null : OUS[(i - 1) % OUS.length];
    const env: Environment = ou?.env ?? 'production';
    const name = i === 0 ? 'management' : `${ou?.name.toLowerCase() ?? 'workload'}-${String(i).padStart(3, '0')}`;
    const fromEnd = opts.accounts - i; // 1 for the last account
    const roleState = i > 0 && fromEnd <= broken ? (fromEnd % 2 === 1 ? 'untrusted' : 'missing') : 'ok';
    const isSuspended = i > 0 && fromEnd > broken && fromEnd <= broken + suspended;
    const resources = opts.regions.flatMap((region) =>
      populateRegion({ rng, accountId: id, region, env, count: opts.resourcesPerRegion, types, complianceRate }),
    );
    accounts.push({
      id,
      name,
      email: `aws+${name}@acme.example`,
      alias: `acme-${name}`,
      status: isSuspended ? 'SUSPENDED' : 'ACTIVE',
      parent_id: ou?.id ?? ROOT,
      role: { name: DEFAULT_ROLE_NAME, external_id: null, state: roleState },
      resources,
    });
  }
  return {
    organization: { id: 'o-gen0000001', root_id: ROOT, management_account_id: mgmtId },
    regions: [...opts.regions],
    organizational_units: OUS.map(({ id, name }) => ({ id, name, parent_id: ROOT })),
    accounts,
    tag_policies: [
      {
        id: 'p-gen0base',
        name: 'baseline-tags',
        content: JSON.stringify({
          tags: {
            owner: { tag_key: { '@@assign': 'Owner' } },
            environment: { tag_key: { '@@assign': 'Environment' }, tag_value: { '@@assign': ['production', 'staging', 'development', 'test'] } },
            costcenter: { tag_key: { '@@assign': 'CostCenter' } },
          },
        }),
        targets: [ROOT],
      },
    ],
  };
}
