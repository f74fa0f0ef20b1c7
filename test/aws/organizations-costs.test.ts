/** Organizations account discovery and Cost Explorer service costs, against the simulator. */
import t from 'tap';
import { AwsAccessError } from '../../src/aws/gateway.js';
import { accountStatus } from '../../src/aws/organizations.js';
import { sumCostGroups } from '../../src/aws/costs.js';
import { MEMBER_A, MEMBER_B, MGMT, account, fixture, harness, isolateNetwork, resource, signal } from './helpers.js';

isolateNetwork();

const MEMBER_C = '444444444444';

function org() {
  const fx = fixture([
    account(MGMT),
    account(MEMBER_A, [resource('ec2:instance', 'i-0000000000000000a', 'us-east-1', {}, { monthly_cost: 30 }), resource('ec2:volume', 'vol-0000000000000000a', 'us-east-1', {}, { monthly_cost: 15 })], { parent_id: 'ou-a' }),
    account(MEMBER_B, [resource('rds:db', 'db-b', 'us-east-1', {}, { monthly_cost: 60 })], { parent_id: 'ou-a-child', status: 'SUSPENDED' }),
    account(MEMBER_C, [resource('rds:db', 'db-c', 'us-east-1', {}, { monthly_cost: 99 })], { parent_id: 'ou-b' }),
  ]);
  fx.organizational_units = [
    { id: 'ou-a', name: 'A', parent_id: 'r-root' },
    { id: 'ou-a-child', name: 'A child', parent_id: 'ou-a' },
    { id: 'ou-b', name: 'B', parent_id: 'r-root' },
  ];
  return fx;
}

t.test('status mapping (pure)', async (t) => {
  t.equal(accountStatus({ State: 'ACTIVE' }), 'ACTIVE');
  t.equal(accountStatus({ Status: 'SUSPENDED' }), 'SUSPENDED');
  t.equal(accountStatus({ State: 'CLOSED' }), 'SUSPENDED');
  t.equal(accountStatus({ State: 'PENDING_CLOSURE' }), 'PENDING_CLOSURE');
  t.equal(accountStatus({}), 'UNKNOWN');
});

t.test('organization accounts: every page, and recursively below OUs', async (t) => {
  const h = await harness(org(), { page_size: { organizations: 1 } });
  t.teardown(h.close);
  const all = await h.gateway.listOrganizationAccounts(signal());
  t.same(
    all.map((a) => [a.account_id, a.status, a.is_local, a.ou]).sort(),
    [
      [MGMT, 'ACTIVE', true, 'r-root'],
      [MEMBER_A, 'ACTIVE', false, 'ou-a'],
      [MEMBER_B, 'SUSPENDED', false, 'ou-a-child'],
      [MEMBER_C, 'ACTIVE', false, 'ou-b'],
    ],
    'the walk from the root finds every account with its parent',
  );
  t.equal(h.sim.stats().calls['organizations:ListRoots'], 1);
  t.equal(h.sim.stats().calls['organizations:ListOrganizationalUnitsForParent'], 5, 'one OU per page: r-root 2 pages (ou-a, ou-b), ou-a 1 (ou-a-child), ou-a-child 1 and ou-b 1 (empty)');
  t.equal(all.find((a) => a.account_id === MEMBER_A)?.name, `acct-${MEMBER_A}`);

  const underA = await h.gateway.listOrganizationAccounts(signal(), ['ou-a']);
  t.same(underA.map((a) => [a.account_id, a.ou, a.status]).sort(), [
    [MEMBER_A, 'ou-a', 'ACTIVE'],
    [MEMBER_B, 'ou-a-child', 'SUSPENDED'],
  ]);
  t.same(h.sim.stats().assume_role, {}, 'base credentials only');
});

t.test('service costs: one grouped query, every page, filtered to the accounts', async (t) => {
  const h = await harness(org(), { page_size: { ce: 1 } });
  t.teardown(h.close);
  t.same(await h.gateway.serviceCosts({ account_ids: [], start: '2026-01-01', end: '2026-01-31' }, signal()), []);
  t.equal(h.gateway.stats().cost_explorer_requests, 0, 'nothing asked, nothing paid');
  const lines = await h.gateway.serviceCosts({ account_ids: [MEMBER_A, MEMBER_B], start: '2026-01-01', end: '2026-01-31' }, signal());
  t.same(lines, [
    { account_id: MEMBER_A, service: 'Amazon Elastic Compute Cloud - Compute', amount: 30 },
    { account_id: MEMBER_A, service: 'EC2 - Other', amount: 15 },
    { account_id: MEMBER_B, service: 'Amazon Relational Database Service', amount: 60 },
  ]);
  t.equal(h.gateway.stats().cost_explorer_requests, 3, 'three groups, pages of one');
  t.equal(h.sim.stats().calls['ce:GetCostAndUsage'], 3);
  t.same(h.sim.stats().assume_role, {});
});

t.test('cost groups are summed over periods (pure)', async (t) => {
  const lines = sumCostGroups([
    { Groups: [{ Keys: ['1', 'S'], Metrics: { UnblendedCost: { Amount: '1.25', Unit: 'USD' } } }] },
    { Groups: [{ Keys: ['1', 'S'], Metrics: { UnblendedCost: { Amount: '2.5', Unit: 'USD' } } }, { Keys: ['2'], Metrics: {} }] },
  ]);
  t.same(lines, [{ account_id: '1', service: 'S', amount: 3.75 }]);
});

t.test('Organizations refused: AccessDenied naming the action and the server credentials', async (t) => {
  const h = await harness(org(), { faults: { access_denied_accounts: [MGMT] } });
  t.teardown(h.close);
  const err = await h.gateway.listOrganizationAccounts(signal()).then(() => null, (e: unknown) => e);
  t.ok(err instanceof AwsAccessError);
  if (err instanceof AwsAccessError) {
    t.equal(err.code, 'AccessDenied');
    t.equal(err.role_arn, null);
    t.match(err.message, "Grant organizations:ListRoots to the server's own credentials");
  }
});
