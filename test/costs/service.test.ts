import t from 'tap';
import { createCostService } from '../../src/costs/service.js';
import { createMemoryStore } from '../../src/cache/memory.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { FakeGateway } from '../scan/fake-gateway.js';
import { captureLogger, scanConfig } from '../scan/helpers.js';
import { A, account, B, C, LOCAL } from '../scan/fixtures.js';

function setup(delay_ms = 0) {
  const gateway = new FakeGateway({
    local: LOCAL,
    delay_ms,
    accounts: { [LOCAL]: account(LOCAL) },
    costs: [
      { account_id: B, service: 'Amazon Simple Storage Service', amount: 12.5 },
      { account_id: A, service: 'AWS Lambda', amount: 3 },
      { account_id: A, service: 'Amazon Elastic Compute Cloud - Compute', amount: 100.25 },
      { account_id: '777777777777', service: 'AWS Lambda', amount: 9 },
    ],
  });
  const cache = createResultCache(createMemoryStore({ maxBytes: 1 << 20 }));
  const costs = createCostService({ gateway, cache, config: scanConfig(), logger: captureLogger().logger });
  return { gateway, costs };
}

const signal = new AbortController().signal;
const period = { start: '2026-01-01', end: '2026-02-01' };

t.test('one Cost Explorer query for every account of the request, then cached', async (t) => {
  const { gateway, costs } = setup();
  const first = await costs.serviceCosts({ account_ids: [B, A, C], ...period, signal });
  t.same(gateway.costCalls, [{ account_ids: [A, B, C], ...period }]);
  t.same(first, {
    ...period,
    currency: 'USD',
    lines: [
      { account_id: A, service: 'AWS Lambda', amount: 3 },
      { account_id: A, service: 'Amazon Elastic Compute Cloud - Compute', amount: 100.25 },
      { account_id: B, service: 'Amazon Simple Storage Service', amount: 12.5 },
    ],
    cost_explorer_requests: 1,
    from_cache: false,
  });
  const second = await costs.serviceCosts({ account_ids: [C, A, B, A], ...period, signal });
  t.equal(gateway.costCalls.length, 1, 'same accounts in another order: served from cache');
  t.equal(second.cost_explorer_requests, 0);
  t.equal(second.from_cache, true);
  t.same(second.lines, first.lines);

  const subset = await costs.serviceCosts({ account_ids: [A], ...period, signal });
  t.equal(gateway.costCalls.length, 1, 'a subset of the accounts already asked for is served from the same entry');
  t.same(subset.lines, first.lines.filter((l) => l.account_id === A));
  const forced = await costs.serviceCosts({ account_ids: [A], ...period, force_refresh: true, signal });
  t.same(gateway.costCalls[1], { account_ids: [A, B, C], ...period }, 'a forced refresh re-reads every covered account, so other account sets stay consistent');
  t.equal(forced.cost_explorer_requests, 1);
});

t.test('a new account makes one query for the union; overlapping sets agree', async (t) => {
  const { gateway, costs } = setup();
  await costs.serviceCosts({ account_ids: [A], ...period, signal });
  const both = await costs.serviceCosts({ account_ids: [B, A], ...period, signal });
  t.same(gateway.costCalls, [{ account_ids: [A], ...period }, { account_ids: [A, B], ...period }]);
  t.equal(both.cost_explorer_requests, 1);
  const onlyB = await costs.serviceCosts({ account_ids: [B], ...period, signal });
  t.equal(gateway.costCalls.length, 2);
  t.same(onlyB.lines, both.lines.filter((l) => l.account_id === B));
});

t.test('identical concurrent requests share one query', async (t) => {
  const { gateway, costs } = setup(20);
  const [x, y] = await Promise.all([costs.serviceCosts({ account_ids: [A, B], ...period, signal }), costs.serviceCosts({ account_ids: [B, A], ...period, signal })]);
  t.equal(gateway.costCalls.length, 1);
  t.equal(x.cost_explorer_requests + y.cost_explorer_requests, 1);
  t.same(x.lines, y.lines);
});

t.test('bad periods are UserErrors; no accounts means no query', async (t) => {
  const { gateway, costs } = setup();
  await t.rejects(costs.serviceCosts({ account_ids: [A], start: '2026-02-01', end: '2026-01-01', signal }), { name: 'UserError', message: /start \(2026-02-01\) must be before end/ });
  await t.rejects(costs.serviceCosts({ account_ids: [A], start: '2026-02-30', end: '2026-03-01', signal }), { name: 'UserError', message: /start must be a calendar date/ });
  await t.rejects(costs.serviceCosts({ account_ids: [A], start: '2026-01-01', end: 'soon', signal }), { name: 'UserError' });
  const empty = await costs.serviceCosts({ account_ids: [], ...period, signal });
  t.same(empty, { ...period, currency: 'USD', lines: [], cost_explorer_requests: 0, from_cache: false });
  t.equal(gateway.costCalls.length, 0);
});
