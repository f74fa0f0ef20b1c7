/** Small organisations for scan tests. */
import type { FakeAccount } from './fake-gateway.js';
import { record } from './fake-gateway.js';

export const LOCAL = '999999999999';
export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const D = '444444444444';
export const E = '555555555555';

export const REGIONS = ['eu-west-1', 'us-east-1'];
export const TYPES = ['ec2:instance', 's3:bucket'];

/** Instances per region (`n` each) and one bucket: 2 regions × 1 regional type + 1 global = 3 cells. */
export function account(id: string, n = 2, extra: Partial<FakeAccount> = {}): FakeAccount {
  const cells: FakeAccount['cells'] = {};
  for (const region of REGIONS) {
    cells[`${region}|ec2:instance`] = Array.from({ length: n }, (_, i) => record(id, region, 'ec2:instance', `i-${region}-${i}`, i % 2 === 0 ? { Owner: 'team' } : {}));
  }
  cells['global|s3:bucket'] = [record(id, 'eu-west-1', 's3:bucket', `bucket-${id}`)];
  return { regions: [...REGIONS], cells, ...extra };
}
