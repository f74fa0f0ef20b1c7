import t, { type Test } from 'tap';
import { findUntaggedResources } from '../../src/tools/find-untagged-resources.js';
import { A, B, C, fakeCosts, makeContext, schemaErrors } from './helpers.js';

interface Item {
  resource_id: string;
  missing_required_tags: string[];
  current_tags: Record<string, string>;
  age_days: number | null;
  monthly_cost_estimate?: number | null;
  cost_source?: string;
  account_id: string;
}
interface Out {
  total_resources: number;
  untagged_count: number;
  total_monthly_cost: number | null;
  resources: Item[];
  next_cursor: string | null;
  note: string;
  account_metadata?: { successful_accounts: string[]; failed_accounts: string[] };
}

async function call(t: Test, ctx: ReturnType<typeof makeContext>, input: Record<string, unknown>): Promise<Out> {
  t.same(schemaErrors(findUntaggedResources.inputSchema, input), [], 'input valid');
  const out = await findUntaggedResources.handler(ctx, input);
  t.same(schemaErrors(findUntaggedResources.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

t.test('examples validate', async (t) => {
  for (const ex of findUntaggedResources.examples) t.same(schemaErrors(findUntaggedResources.inputSchema, ex), [], JSON.stringify(ex));
});

t.test('missing required tags only, with age and current tags, no cost fields by default', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, {});
  t.equal(out.total_resources, 5);
  t.equal(out.untagged_count, 2);
  t.equal(out.total_monthly_cost, null);
  t.same(out.resources.map((r) => [r.resource_id, r.missing_required_tags, r.age_days]), [
    ['i-a2', ['CostCenter'], 30],
    ['vol-a1', ['Environment', 'Owner'], null],
  ]);
  t.same(out.resources[1]?.current_tags, {});
  t.notOk('monthly_cost_estimate' in (out.resources[0] ?? {}));
  t.equal(ctx.fakeCosts.calls.length, 0, 'no Cost Explorer query without include_costs');
});

t.test('with costs: sorted by cost, threshold, totals', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, { include_costs: true });
  t.same(out.resources.map((r) => [r.resource_id, r.monthly_cost_estimate, r.cost_source]), [
    ['vol-a1', 50, 'allocated_from_service_total'],
    ['i-a2', 41.6, 'allocated_from_service_total'],
  ]);
  t.equal(out.total_monthly_cost, 91.6);
  const min = await call(t, ctx, { min_cost_threshold: 45 });
  t.same(min.resources.map((r) => r.resource_id), ['vol-a1']);
  t.equal(min.untagged_count, 1);
  t.equal(min.total_monthly_cost, 50);
});

t.test('Cost Explorer down: cost fields say unavailable, threshold not applied', async (t) => {
  const ctx = makeContext({ costs: fakeCosts({ fail: true }) });
  const out = await call(t, ctx, { min_cost_threshold: 45 });
  t.equal(out.untagged_count, 2);
  t.same(out.resources.map((r) => [r.monthly_cost_estimate, r.cost_source]), [[null, 'unavailable'], [null, 'unavailable']]);
  t.equal(out.total_monthly_cost, null);
  t.match(out.note, /min_cost_threshold was not applied/);
});

t.test('multi-account and paging', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, { account_ids: ['all'], limit: 1 });
  t.equal(out.untagged_count, 2);
  t.equal(out.resources.length, 1);
  t.same(out.account_metadata?.successful_accounts, [A, B]);
  t.same(out.account_metadata?.failed_accounts, [C]);
  t.type(out.next_cursor, 'string');
  const next = await call(t, ctx, { account_ids: ['all'], limit: 1, cursor: out.next_cursor });
  t.same(next.resources.map((r) => r.resource_id), ['vol-a1']);
  t.equal(next.next_cursor, null);
  await t.rejects(findUntaggedResources.handler(ctx, { limit: 1, cursor: out.next_cursor }), { code: 'cursor_mismatch' });
});
