import fc from 'fast-check';
import t from 'tap';
import { accountMetadata, aggregateAccounts } from '../../src/compliance/accounts.js';
import { evaluateResources } from '../../src/compliance/evaluate.js';
import type { AccountOutcomeLike } from '../../src/compliance/types.js';
import type { ResourceRecord } from '../../src/core/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import { resource } from '../policy/helpers.js';
import { ACCOUNTS, costOf, policyArb, resourcesArb } from './arbitraries.js';

const policy = parsePolicy({ version: '1.0', required_tags: [{ name: 'Env', applies_to: ['ec2:instance'] }], tag_naming_rules: { case_sensitivity: true } });
const ok = (account_id: string): ResourceRecord => resource({ account_id, tags: { Env: 'prod' } });
const bad = (account_id: string): ResourceRecord => resource({ account_id, tags: {} });
const many = (n: number, f: () => ResourceRecord): ResourceRecord[] => Array.from({ length: n }, f);

t.test('seed: partial failure continues; totals count resources, not violations', async (t) => {
  const resources = [...many(5, () => ok('111')), bad('111'), ...many(10, () => ok('333'))];
  const outcomes: AccountOutcomeLike[] = [
    { account_id: '111', status: 'succeeded', account_alias: 'prod' },
    { account_id: '222', status: 'failed' },
    { account_id: '333', status: 'partial' },
  ];
  const r = aggregateAccounts(outcomes, evaluateResources(policy, resources));
  t.same(r.account_metadata, { total_accounts: 3, successful_accounts: ['111', '333'], failed_accounts: ['222'], skipped_accounts: [] });
  t.equal(r.total_resources, 16);
  t.equal(r.compliant_resources, 15);
  t.equal(r.violations.length, 1);
  t.equal(r.compliance_score, 0.9375);
  t.same(Object.keys(r.account_breakdown), ['111', '333']);
  t.equal(r.account_breakdown['111']?.account_alias, 'prod');
  t.equal(r.account_breakdown['333']?.account_alias, null);
});

t.test('seed: score across accounts (8/10 and 5/10 → 0.65) and per-account scores (1.0, 0.8)', async (t) => {
  const resources = [...many(8, () => ok('111')), ...many(2, () => bad('111')), ...many(5, () => ok('222')), ...many(5, () => bad('222'))];
  const r = aggregateAccounts([{ account_id: '111', status: 'succeeded' }, { account_id: '222', status: 'succeeded' }], evaluateResources(policy, resources));
  t.equal(r.compliance_score, 0.65);
  const r2 = aggregateAccounts(
    [{ account_id: '111', status: 'succeeded' }, { account_id: '222', status: 'succeeded' }],
    evaluateResources(policy, [...many(10, () => ok('111')), ...many(4, () => ok('222')), bad('222')]),
  );
  t.equal(r2.account_breakdown['111']?.compliance_score, 1);
  t.equal(r2.account_breakdown['222']?.compliance_score, 0.8);
});

t.test('failed and skipped accounts contribute nothing; duplicates keep the first outcome', async (t) => {
  const resources = [bad('111'), ok('222'), bad('333')];
  const r = aggregateAccounts(
    [
      { account_id: '111', status: 'failed' },
      { account_id: '222', status: 'succeeded' },
      { account_id: '333', status: 'skipped' },
      { account_id: '111', status: 'succeeded' },
    ],
    evaluateResources(policy, resources),
  );
  t.same(r.account_metadata, { total_accounts: 3, successful_accounts: ['222'], failed_accounts: ['111'], skipped_accounts: ['333'] });
  t.equal(r.total_resources, 1);
  t.equal(r.compliance_score, 1);
  t.same(r.violations, []);
  t.same(Object.keys(r.account_breakdown), ['222']);
});

t.test('no successful account / no resource: score 1.0', async (t) => {
  const r = aggregateAccounts([{ account_id: '111', status: 'failed' }], evaluateResources(policy, []));
  t.equal(r.compliance_score, 1);
  t.equal(r.total_resources, 0);
  t.same(r.account_breakdown, {});
  t.same(accountMetadata([]), { total_accounts: 0, successful_accounts: [], failed_accounts: [], skipped_accounts: [] });
});

const statusArb = fc.constantFrom<AccountOutcomeLike['status']>('succeeded', 'partial', 'failed', 'skipped');
const outcomesArb = fc
  .tuple(fc.subarray(ACCOUNTS, { minLength: 0 }), fc.array(statusArb, { minLength: ACCOUNTS.length, maxLength: ACCOUNTS.length }))
  .map(([ids, statuses]) => ids.map((account_id, i) => ({ account_id, status: statuses[i] ?? 'succeeded' })));
const severityArb = fc.constantFrom('all' as const, 'errors_only' as const, 'warnings_only' as const);
const input = fc.record({ policy: policyArb, resources: resourcesArb(), outcomes: outcomesArb, severity: severityArb });
const RUNS = { numRuns: 150 };

t.test('REQ-MA-1: compliance score is always between 0 and 1', async (t) => {
  fc.assert(
    fc.property(input, ({ policy: p, resources, outcomes, severity }) => {
      const r = aggregateAccounts(outcomes, evaluateResources(p, resources, costOf), { severity });
      return r.compliance_score >= 0 && r.compliance_score <= 1 && Object.values(r.account_breakdown).every((a) => a.compliance_score >= 0 && a.compliance_score <= 1);
    }),
    RUNS,
  );
  t.pass();
});

t.test('REQ-MA-2: total resources equals the sum of per-account resources (successful accounts only)', async (t) => {
  fc.assert(
    fc.property(input, ({ policy: p, resources, outcomes }) => {
      const r = aggregateAccounts(outcomes, evaluateResources(p, resources, costOf));
      const ok = new Set(r.account_metadata.successful_accounts);
      const inScope = resources.filter((x) => ok.has(x.account_id) && p.requiredTagsFor(x.type).length > 0).length;
      const breakdown = Object.values(r.account_breakdown);
      return (
        r.total_resources === breakdown.reduce((a, b) => a + b.total_resources, 0) &&
        r.compliant_resources === breakdown.reduce((a, b) => a + b.compliant_resources, 0) &&
        r.total_resources === inScope &&
        Object.keys(r.account_breakdown).sort().join() === [...ok].sort().join()
      );
    }),
    RUNS,
  );
  t.pass();
});

t.test('REQ-MA-3: compliant resources never exceed total resources', async (t) => {
  fc.assert(
    fc.property(input, ({ policy: p, resources, outcomes }) => {
      const r = aggregateAccounts(outcomes, evaluateResources(p, resources));
      return r.compliant_resources <= r.total_resources && Object.values(r.account_breakdown).every((a) => a.compliant_resources <= a.total_resources);
    }),
    RUNS,
  );
  t.pass();
});

t.test('REQ-MA-4: an account is in exactly one of successful, failed, skipped', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ account_id: fc.constantFrom(...ACCOUNTS), status: statusArb }), { maxLength: 12 }), (outcomes) => {
      const m = accountMetadata(outcomes);
      const lists = [m.successful_accounts, m.failed_accounts, m.skipped_accounts].flat();
      return new Set(lists).size === lists.length && m.total_accounts === lists.length && m.total_accounts === new Set(outcomes.map((o) => o.account_id)).size;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

t.test('REQ-MA-5: violation count in the summary matches the violations returned', async (t) => {
  fc.assert(
    fc.property(input, ({ policy: p, resources, outcomes, severity }) => {
      const r = aggregateAccounts(outcomes, evaluateResources(p, resources, costOf), { severity });
      const ok = new Set(r.account_metadata.successful_accounts);
      return (
        r.violation_count === r.violations.length &&
        r.violation_count === Object.values(r.account_breakdown).reduce((a, b) => a + b.violation_count, 0) &&
        r.violations.every((v) => ok.has(v.account_id) && (severity === 'all' || (severity === 'errors_only') === (v.severity === 'error')))
      );
    }),
    RUNS,
  );
  t.pass();
});

t.test('REQ-MA-6: an empty scan (0 resources in scope) has 100% compliance', async (t) => {
  fc.assert(
    fc.property(outcomesArb, policyArb, (outcomes, p) => {
      const outOfScope = outcomes.map((o) => resource({ account_id: o.account_id, type: 'made:up' }));
      const r = aggregateAccounts(outcomes, evaluateResources(p, outOfScope));
      return r.total_resources === 0 && r.compliance_score === 1 && Object.values(r.account_breakdown).every((a) => a.compliance_score === 1 && a.total_resources === 0);
    }),
    RUNS,
  );
  t.pass();
});
