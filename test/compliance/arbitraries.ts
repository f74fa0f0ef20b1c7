/** fast-check generators shared by the compliance property tests. */
import fc from 'fast-check';
import type { ResourceRecord, Tags } from '../../src/core/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { loadVectors } from '../policy/helpers.js';

const vectors = loadVectors();
const docs = vectors.policies;

/** The vector policies, plus the base one with a prohibited key. */
export const POLICIES: CompiledPolicy[] = [
  ...Object.values(docs).map((d) => parsePolicy(d)),
  parsePolicy({ ...docs.base, prohibited_tags: ['temp'] }),
];

export const ACCOUNTS = ['111111111111', '222222222222', '333333333333', '444444444444'];
const REGIONS = ['us-east-1', 'eu-west-1', 'global'];
const TYPES = ['ec2:instance', 'rds:db', 's3:bucket', 'lambda:function', 'made:up'];
const KEYS = ['Owner', 'owner', 'OWNER', 'Environment', 'environment', 'CostCenter', 'costcenter', 'temp', 'Temp', 'aws:x', 'Project'];
const VALUES = ['', ' ', 'prod', 'Prod', 'dev', 'qa', 'ann.lee@example.com', 'Ann@example.com', 'CC-1234', 'CC-12345', 'x'];

export const tagsArb: fc.Arbitrary<Tags> = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 8 });
export const policyArb = fc.constantFrom(...POLICIES);
export const typeArb = fc.constantFrom(...TYPES);

export const resourceArb = (accounts: readonly string[] = ACCOUNTS): fc.Arbitrary<ResourceRecord> =>
  fc
    .record({
      type: typeArb,
      account_id: fc.constantFrom(...accounts),
      region: fc.constantFrom(...REGIONS),
      tags: tagsArb,
      n: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .map(({ type, account_id, region, tags, n }) => ({
      arn: `arn:aws:${type}:${region}:${account_id}:r-${n}`,
      id: `r-${n}`,
      name: null,
      type,
      account_id,
      region,
      tags,
      created_at: null,
      attributes: { monthly_cost: (n % 1000) / 7 },
    }));

/** ARNs are unique, as in AWS. */
export const resourcesArb = (accounts: readonly string[] = ACCOUNTS): fc.Arbitrary<ResourceRecord[]> =>
  fc.uniqueArray(resourceArb(accounts), { maxLength: 40, selector: (r) => r.arn });

export const costOf = (r: ResourceRecord): number => Number(r.attributes.monthly_cost ?? 0);

/** The same tags with keys inserted in the opposite order. */
export function reverseTags(tags: Tags): Tags {
  const out: Tags = {};
  for (const k of Object.keys(tags).reverse()) out[k] = tags[k] as string;
  return out;
}
