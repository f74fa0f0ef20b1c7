import t from 'tap';
import fc from 'fast-check';
import { allocateCosts, classSizeFactor, resourceWeight } from '../../src/costs/allocate.js';
import type { ResourceRecord } from '../../src/core/types.js';
import type { CostLine } from '../../src/scan/types.js';

const TYPES = ['ec2:instance', 'ec2:volume', 'rds:db', 's3:bucket', 'lambda:function'];
const SERVICES = ['Amazon Elastic Compute Cloud - Compute', 'EC2 - Other', 'Amazon Relational Database Service', 'Amazon Simple Storage Service', 'AWS Lambda', 'Tax'];
const ACCOUNTS = ['111111111111', '222222222222'];

function res(i: number, type: string, account: string, attributes: ResourceRecord['attributes']): ResourceRecord {
  return { arn: `arn:aws:x:us-east-1:${account}:r/${i}`, id: `r${i}`, name: null, type, account_id: account, region: 'us-east-1', tags: {}, created_at: null, attributes };
}

t.test('size factors', async (t) => {
  t.equal(classSizeFactor('m5.large'), 4);
  t.equal(classSizeFactor('m5.2xlarge'), 16);
  t.equal(classSizeFactor('db.r6g.xlarge'), 8);
  t.equal(classSizeFactor('t3.micro'), 0.5);
  t.equal(classSizeFactor('weird'), null);
  t.equal(resourceWeight(res(1, 'ec2:volume', ACCOUNTS[0] ?? '', { size_gb: 100 })), 100);
  t.equal(resourceWeight(res(1, 'ec2:volume', ACCOUNTS[0] ?? '', {})), null);
});

t.test('weighted and even splits, unallocated spend kept', async (t) => {
  const a = ACCOUNTS[0] ?? '';
  const rs = [res(1, 'ec2:instance', a, { instance_type: 'm5.xlarge' }), res(2, 'ec2:instance', a, { instance_type: 'm5.large' }), res(3, 'ec2:instance', a, {}), res(4, 's3:bucket', a, {}), res(5, 's3:bucket', a, {})];
  const out = allocateCosts(
    [
      { account_id: a, service: 'Amazon Elastic Compute Cloud - Compute', amount: 160 },
      { account_id: a, service: 'Amazon Simple Storage Service', amount: 10 },
      { account_id: a, service: 'AWS Lambda', amount: 3 },
      { account_id: a, service: 'Tax', amount: 2 },
    ],
    rs,
    ['ec2:instance', 's3:bucket', 'lambda:function'],
  );
  // weights 8, 4 and the average 6 for the unknown one: 160 × 8/18, 4/18, 6/18
  t.same(rs.map((r) => Math.round((out.by_arn.get(r.arn)?.monthly_cost ?? -1) * 1000) / 1000), [71.111, 35.556, 53.333, 5, 5]);
  t.same(out.unallocated, [
    { account_id: a, service: 'AWS Lambda', amount: 3, reason: 'no_scanned_resources' },
    { account_id: a, service: 'Tax', amount: 2, reason: 'service_not_in_scope' },
  ]);
  t.equal(out.total, 175);
  t.equal(out.by_arn.get(rs[0]?.arn ?? '')?.cost_source, 'allocated_from_service_total');
});

t.test('property: allocation conserves every account × service total', async (t) => {
  const attrs = fc.oneof(
    fc.constant({}),
    fc.record({ instance_type: fc.constantFrom('t3.micro', 'm5.large', 'm5.4xlarge', 'c5.metal', 'bogus') }),
    fc.record({ size_gb: fc.integer({ min: 0, max: 2000 }) }),
    fc.record({ db_instance_class: fc.constantFrom('db.t3.small', 'db.r5.2xlarge') }),
  );
  const resources = fc.array(fc.tuple(fc.constantFrom(...TYPES), fc.constantFrom(...ACCOUNTS), attrs), { maxLength: 30 }).map((xs) => xs.map(([type, account, a], i) => res(i, type, account, a)));
  const lines = fc.array(
    fc.record({ account_id: fc.constantFrom(...ACCOUNTS), service: fc.constantFrom(...SERVICES), amount: fc.double({ min: 0, max: 1e6, noNaN: true }) }),
    { maxLength: 15 },
  );
  fc.assert(
    fc.property(resources, lines, (rs, ls: CostLine[]) => {
      const out = allocateCosts(ls, rs, TYPES);
      const total = ls.reduce((s, l) => s + l.amount, 0);
      const allocated = [...out.by_arn.values()].reduce((s, c) => s + c.monthly_cost, 0);
      const unallocated = out.unallocated.reduce((s, u) => s + u.amount, 0);
      const tolerance = 1e-6 * Math.max(1, total);
      if (Math.abs(allocated + unallocated - total) > tolerance) return false;
      if (Math.abs(out.total - total) > tolerance) return false;
      // per account × service
      for (const acc of ACCOUNTS) {
        for (const svc of SERVICES) {
          const want = ls.filter((l) => l.account_id === acc && l.service === svc).reduce((s, l) => s + l.amount, 0);
          const got =
            [...out.by_arn.entries()].filter(([arn, c]) => c.service === svc && arn.includes(`:${acc}:`)).reduce((s, [, c]) => s + c.monthly_cost, 0) +
            out.unallocated.filter((u) => u.account_id === acc && u.service === svc).reduce((s, u) => s + u.amount, 0);
          if (Math.abs(got - want) > 1e-6 * Math.max(1, want)) return false;
        }
      }
      return [...out.by_arn.values()].every((c) => c.monthly_cost >= 0);
    }),
    { numRuns: 200 },
  );
  t.pass('conserved');
});
