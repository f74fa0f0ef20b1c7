import t, { type Test } from 'tap';
import { AwsAccessError } from '../../src/aws/gateway.js';
import { getCostAttributionGap } from '../../src/tools/get-cost-attribution-gap.js';
import { A, B, C, fakeCosts, makeContext, schemaErrors } from './helpers.js';

interface Group {
  group: string;
  total_spend: number;
  total_spend_source: string;
  attributable_spend: number;
  attribution_gap: number;
  gap_percentage: number;
  unallocated_spend: number;
  resource_count: number;
  non_compliant_resources: number;
}
interface Out {
  time_period: { start: string; end: string; days: number };
  total_spend: number;
  attributable_spend: number;
  attribution_gap: number;
  gap_percentage: number;
  unallocated_spend: number;
  other_services_spend: number;
  breakdown: Group[];
  unallocated: { account_id: string; service: string; amount: number; reason: string }[];
  top_gap_resources: { resource_arn: string; cost: number; violated_tags: string[] }[];
  cost_explorer_requests: number;
  account_metadata?: { failed_accounts: string[] };
}

async function call(t: Test, ctx: ReturnType<typeof makeContext>, input: Record<string, unknown>): Promise<Out> {
  t.same(schemaErrors(getCostAttributionGap.inputSchema, input), [], 'input valid');
  const out = await getCostAttributionGap.handler(ctx, input);
  t.same(schemaErrors(getCostAttributionGap.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

const row = (g: Group | undefined): unknown[] => (g === undefined ? [] : [g.group, g.total_spend, g.attributable_spend, g.attribution_gap, g.gap_percentage, g.unallocated_spend, g.resource_count, g.non_compliant_resources, g.total_spend_source]);

t.test('examples validate', async (t) => {
  for (const ex of getCostAttributionGap.examples) t.same(schemaErrors(getCostAttributionGap.inputSchema, ex), [], JSON.stringify(ex));
});

t.test('single account, by resource type: totals conserve, default period', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, {});
  t.same(out.time_period, { start: '2026-10-23', end: '2026-11-22', days: 30 });
  t.equal(out.total_spend, 190);
  t.equal(out.other_services_spend, 5);
  t.equal(out.attributable_spend, 93.2);
  t.equal(out.attribution_gap, 96.8);
  t.equal(out.unallocated_spend, 0);
  t.equal(out.gap_percentage, 50.95);
  t.same(out.breakdown.map(row), [
    ['ec2:volume', 50, 0, 50, 100, 0, 1, 1, 'allocated_from_service_total'],
    ['ec2:instance', 130, 83.2, 46.8, 36, 0, 3, 2, 'allocated_from_service_total'],
    ['s3:bucket', 10, 10, 0, 0, 0, 1, 0, 'allocated_from_service_total'],
  ]);
  t.same(out.top_gap_resources.map((r) => [r.resource_arn.split('/').pop(), r.cost, r.violated_tags]), [
    ['vol-a1', 50, ['Environment', 'Owner']],
    ['i-a2', 41.6, ['CostCenter', 'Environment']],
    ['i-a3', 5.2, ['CostCenter']],
  ]);
  t.equal(out.cost_explorer_requests, 1);
  t.notOk('account_metadata' in out);
});

t.test('multi-account by account and by service; unallocated spend is reported', async (t) => {
  const ctx = makeContext();
  const byAccount = await call(t, ctx, { account_ids: ['all'], group_by: 'account' });
  t.equal(byAccount.total_spend, 289);
  t.equal(byAccount.attributable_spend, 183.2);
  t.equal(byAccount.attribution_gap, 96.8);
  t.equal(byAccount.unallocated_spend, 9);
  t.equal(byAccount.gap_percentage, 33.49);
  t.same(byAccount.unallocated, [{ account_id: B, service: 'Amazon DynamoDB', amount: 9, reason: 'no_scanned_resources' }]);
  t.same(byAccount.breakdown.map(row), [
    [A, 190, 93.2, 96.8, 50.95, 0, 5, 3, 'actual'],
    [B, 99, 90, 0, 0, 9, 2, 0, 'actual'],
  ]);
  t.same(byAccount.account_metadata?.failed_accounts, [C]);
  const byService = await call(t, makeContext({ costs: fakeCosts({ fromCache: true }) }), { account_ids: ['all'], group_by: 'service' });
  t.same(byService.breakdown.map(row), [
    ['EC2 - Other', 50, 0, 50, 100, 0, 1, 1, 'actual'],
    ['Amazon Elastic Compute Cloud - Compute', 150, 103.2, 46.8, 31.2, 0, 4, 2, 'actual'],
    ['Amazon DynamoDB', 9, 0, 0, 0, 9, 0, 0, 'actual'],
    ['Amazon Relational Database Service', 70, 70, 0, 0, 0, 1, 0, 'actual'],
    ['Amazon Simple Storage Service', 10, 10, 0, 0, 0, 1, 0, 'actual'],
  ]);
  t.equal(byService.cost_explorer_requests, 0, 'a cached Cost Explorer answer makes no request');
});

t.test('time_period validation and custom period', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, { time_period: { start: '2026-01-01', end: '2026-02-01' }, resource_types: ['ec2:instance'] });
  t.same(out.time_period, { start: '2026-01-01', end: '2026-02-01', days: 31 });
  t.same(ctx.fakeCosts.calls[0], { account_ids: [A], start: '2026-01-01', end: '2026-02-01' });
  t.equal(out.total_spend, 130, 'only services of the requested types');
  t.equal(out.other_services_spend, 65);
  await t.rejects(getCostAttributionGap.handler(ctx, { time_period: { start: '2026-02-01', end: '2026-02-01' } }), { name: 'UserError', message: /must be before/ });
  await t.rejects(getCostAttributionGap.handler(ctx, { time_period: { start: '2024-01-01', end: '2026-01-01' } }), { name: 'UserError', message: /366 days/ });
  await t.rejects(getCostAttributionGap.handler(ctx, { time_period: { start: '2026-02-30', end: '2026-03-05' } }), { name: 'UserError', message: /calendar date/ });
});

t.test('Cost Explorer failure fails this tool (its answer is the cost)', async (t) => {
  const ctx = makeContext({ costs: fakeCosts({ fail: true }) });
  await t.rejects(getCostAttributionGap.handler(ctx, {}), AwsAccessError);
});
