import t from 'tap';
import { evaluateResources } from '../../src/compliance/evaluate.js';
import { filterBySeverity } from '../../src/compliance/severity.js';
import { compareViolations, sortViolations } from '../../src/compliance/sort.js';
import { summarize } from '../../src/compliance/summarize.js';
import { complianceScore, roundMoney } from '../../src/compliance/score.js';
import type { ResourceRecord } from '../../src/core/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import { resource } from '../policy/helpers.js';

const policy = parsePolicy({
  version: '1.0',
  required_tags: [
    { name: 'Owner', applies_to: ['ec2:instance', 'rds:db', 's3:bucket'] },
    { name: 'Environment', allowed_values: ['prod', 'dev'], applies_to: ['ec2:instance', 'rds:db', 's3:bucket'] },
  ],
  tag_naming_rules: { case_sensitivity: false },
});

const A = '111111111111';
const B = '222222222222';
const resources: ResourceRecord[] = [
  resource({ id: 'i-ok', account_id: A, region: 'us-east-1', tags: { Owner: 'a', Environment: 'prod' } }),
  resource({ id: 'i-warn', account_id: A, region: 'us-east-1', tags: { owner: 'a', Environment: 'Prod' } }),
  resource({ id: 'i-bad', account_id: A, region: 'eu-west-1', tags: { Environment: 'qa' } }),
  resource({ id: 'db-bad', type: 'rds:db', account_id: B, region: 'eu-west-1', tags: { Owner: 'b' } }),
  resource({ id: 'bucket-ok', type: 's3:bucket', account_id: B, region: 'global', tags: { Owner: 'b', Environment: 'dev' } }),
  resource({ id: 'fn', type: 'lambda:function', account_id: B, region: 'us-east-1', tags: {} }),
];
const costs: Record<string, number> = { 'i-ok': 10, 'i-warn': 20, 'i-bad': 30.333, 'db-bad': 100.004, 'bucket-ok': 5, fn: 1000 };
const evaluated = evaluateResources(policy, resources, (r) => costs[r.id] ?? 0);

t.test('evaluateResources places violations on resources with cost on errors only', async (t) => {
  t.equal(evaluated.policy_hash, policy.hash);
  t.same(
    evaluated.resources.map((e) => [e.resource.id, e.in_scope, e.compliant, e.monthly_cost]),
    [
      ['i-ok', true, true, 10],
      ['i-warn', true, true, 20],
      ['i-bad', true, false, 30.333],
      ['db-bad', true, false, 100.004],
      ['bucket-ok', true, true, 5],
      ['fn', false, true, 0],
    ],
  );
  t.same(
    evaluated.violations.map((v) => [v.account_id, v.region, v.resource_id, v.tag_name, v.violation_type, v.severity, v.cost_impact_monthly]),
    [
      [A, 'eu-west-1', 'i-bad', 'Environment', 'invalid_value', 'error', 30.333],
      [A, 'eu-west-1', 'i-bad', 'Owner', 'missing_required_tag', 'error', 30.333],
      [A, 'us-east-1', 'i-warn', 'Environment', 'wrong_value_case', 'warning', 0],
      [A, 'us-east-1', 'i-warn', 'Owner', 'wrong_key_case', 'warning', 0],
      [B, 'eu-west-1', 'db-bad', 'Environment', 'missing_required_tag', 'error', 100.004],
    ],
  );
  const v = evaluated.violations[0];
  t.equal(v?.resource_arn, resources[2]?.arn);
  t.equal(v?.resource_type, 'ec2:instance');
});

t.test('summarize: totals, breakdowns and cost gap', async (t) => {
  t.same(summarize(evaluated), {
    compliance_score: 0.6,
    total_resources: 5,
    compliant_resources: 3,
    violation_count: 5,
    error_count: 3,
    warning_count: 2,
    violations_by_tag: { Environment: 3, Owner: 2 },
    violations_by_type: { invalid_value: 1, missing_required_tag: 2, wrong_value_case: 1, wrong_key_case: 1 },
    violations_by_resource_type: { 'ec2:instance': 4, 'rds:db': 1 },
    regional_breakdown: {
      'eu-west-1': { total_resources: 2, compliant_resources: 0, compliance_score: 0, violation_count: 3 },
      global: { total_resources: 1, compliant_resources: 1, compliance_score: 1, violation_count: 0 },
      'us-east-1': { total_resources: 2, compliant_resources: 2, compliance_score: 1, violation_count: 2 },
    },
    account_breakdown: {
      [A]: { account_id: A, account_alias: null, total_resources: 3, compliant_resources: 2, compliance_score: 0.6667, violation_count: 4, cost_attribution_gap: 30.33 },
      [B]: { account_id: B, account_alias: null, total_resources: 2, compliant_resources: 1, compliance_score: 0.5, violation_count: 1, cost_attribution_gap: 100 },
    },
    cost_attribution_gap: 130.34,
  });
});

t.test('summarize: severity filter changes the counts, never the scores or cost', async (t) => {
  const errors = summarize(evaluated, { severity: 'errors_only' });
  t.equal(errors.violation_count, 3);
  t.equal(errors.warning_count, 0);
  t.same(errors.violations_by_type, { invalid_value: 1, missing_required_tag: 2 });
  t.equal(errors.regional_breakdown['us-east-1']?.violation_count, 0);
  t.equal(errors.compliance_score, 0.6);
  t.equal(errors.cost_attribution_gap, 130.34);
  const warnings = summarize(evaluated, { severity: 'warnings_only' });
  t.equal(warnings.violation_count, 2);
  t.equal(warnings.error_count, 0);
  t.same(warnings.violations_by_tag, { Environment: 1, Owner: 1 });
});

t.test('summarize: listed accounts appear with zero resources; aliases are applied', async (t) => {
  const s = summarize(evaluateResources(policy, []), { accounts: ['333333333333'], aliases: { '333333333333': 'sandbox' } });
  t.same(s.account_breakdown, {
    '333333333333': { account_id: '333333333333', account_alias: 'sandbox', total_resources: 0, compliant_resources: 0, compliance_score: 1, violation_count: 0, cost_attribution_gap: 0 },
  });
  t.equal(s.compliance_score, 1);
  t.equal(s.total_resources, 0);
  t.same(s.regional_breakdown, {});
});

t.test('costOf: missing, negative and non-finite costs count as 0', async (t) => {
  const r = [resource({ id: 'x', tags: {} }), resource({ id: 'y', tags: {} }), resource({ id: 'z', tags: {} })];
  const e = evaluateResources(policy, r, (x) => (x.id === 'x' ? -5 : x.id === 'y' ? Number.NaN : Number.POSITIVE_INFINITY));
  t.same(e.resources.map((x) => x.monthly_cost), [0, 0, 0]);
  t.equal(summarize(e).cost_attribution_gap, 0);
  t.same(evaluateResources(policy, r).resources.map((x) => x.monthly_cost), [0, 0, 0]);
});

t.test('filterBySeverity and the stable sort', async (t) => {
  t.same(filterBySeverity(evaluated.violations, 'errors_only').map((v) => v.violation_type), ['invalid_value', 'missing_required_tag', 'missing_required_tag']);
  t.same(filterBySeverity(evaluated.violations, 'warnings_only').map((v) => v.violation_type), ['wrong_value_case', 'wrong_key_case']);
  t.equal(filterBySeverity(evaluated.violations, 'all').length, 5);
  t.not(filterBySeverity(evaluated.violations, 'all'), evaluated.violations, 'a copy');
  const reversed = [...evaluated.violations].reverse();
  t.same(sortViolations(reversed), evaluated.violations);
  t.equal(reversed[0]?.resource_id, 'db-bad', 'input untouched');
  const first = evaluated.violations[0];
  if (first === undefined) throw new Error('no violation');
  t.equal(compareViolations(first, first), 0);
  t.equal(compareViolations(first, { ...first, account_id: '0' }), 1);
  t.equal(compareViolations(first, { ...first, violation_type: 'wrong_key_case' }), -1);
});

t.test('score rounding', async (t) => {
  t.equal(complianceScore(2, 3), 0.6667);
  t.equal(complianceScore(1, 3), 0.3333);
  t.equal(complianceScore(0, 0), 1);
  t.equal(complianceScore(0, 5), 0);
  t.equal(complianceScore(99999, 100000), 0.9999, 'never 1.0 while something is non-compliant');
  t.equal(complianceScore(1, 100000), 0.0001, 'never 0 while something is compliant');
  t.equal(roundMoney(1.005), 1.01);
  t.equal(roundMoney(130.337), 130.34);
});
