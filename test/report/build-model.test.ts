import t from 'tap';
import { buildReportModel } from '../../src/report/build-model.js';
import { formatScore, formatUsd } from '../../src/report/format.js';
import { MAX_RECOMMENDATIONS, recommend } from '../../src/report/recommendations.js';
import { A, B, C, XSS, input, model } from './fixture.js';

t.test('formatting', async (t) => {
  t.equal(formatUsd(4310), '$4,310');
  t.equal(formatUsd(1234567.89), '$1,234,568');
  t.equal(formatUsd(20.5), '$20.50');
  t.equal(formatUsd(0), '$0.00');
  t.equal(formatScore(0.725), '72.5%');
  t.equal(formatScore(1), '100.0%');
});

t.test('summary, scope and labels', async (t) => {
  const m = model();
  t.same(m.summary, { compliance_score: 0.6, total_resources: 10, compliant_resources: 6, non_compliant_resources: 4, violation_count: 6, cost_attribution_gap: 1830.5 });
  t.same(m.scope.account_ids, [A, B, C]);
  t.same(m.scope.regions, ['eu-west-1', 'us-east-1']);
  t.equal(m.account_labels[A], `prod (${A})`);
  t.equal(m.account_labels[B], B);
  t.same(m.breakdowns.by_account.map((r) => [r.key, r.label]), [[A, `prod (${A})`], [B, B]], 'lowest score first');
  t.same(m.breakdowns.by_region.map((r) => r.key), ['eu-west-1', 'us-east-1']);
  t.same(m.breakdowns.by_tag, [
    { key: 'CostCenter', violation_count: 2 },
    { key: 'Environment', violation_count: 1 },
    { key: 'Owner', violation_count: 1 },
    { key: 'Team', violation_count: 1 },
    { key: 'temp', violation_count: 1 },
  ]);
  t.same(m.breakdowns.by_type, [
    { key: 'missing_required_tag', violation_count: 3 },
    { key: 'invalid_value', violation_count: 1 },
    { key: 'prohibited_tag', violation_count: 1 },
    { key: 'wrong_value_case', violation_count: 1 },
  ]);
  t.equal(m.account_errors[0]?.account_label, `evil${XSS} (${C})`, 'labels are data, escaped by renderers');
});

t.test('top violations: errors first, by cost, bounded', async (t) => {
  const m = model({ row_limit: 3 });
  t.same(m.top_violations.rows.map((v) => [v.resource_id, v.tag_name]), [['i-1', 'CostCenter'], ['i-1', 'Owner'], ['db-1', 'Environment']]);
  t.same([m.top_violations.total, m.top_violations.omitted], [6, 3]);
  const full = model();
  t.same(full.top_violations.rows.map((v) => v.resource_id), ['i-1', 'i-1', 'db-1', 'i-2', 'i-3', '=cmd|calc']);
  t.equal(full.top_violations.omitted, 0);
});

t.test('top cost gaps: non-compliant resources by monthly cost, each once', async (t) => {
  const m = model();
  t.same(
    m.top_cost_gaps.rows.map((g) => [g.resource_id, g.monthly_cost, g.violation_count, g.tags_at_fault]),
    [
      ['i-1', 1000, 2, ['CostCenter', 'Owner']],
      ['db-1', 500, 1, ['Environment']],
      ['i-2', 310, 1, ['CostCenter']],
      ['i-3', 20.5, 1, ['temp']],
    ],
    'the warning-only bucket is not a cost gap',
  );
  t.same([model({ row_limit: 1 }).top_cost_gaps.total, model({ row_limit: 1 }).top_cost_gaps.omitted], [4, 3]);
});

t.test('tag gaps: per account × tag × type, cost counted once per resource', async (t) => {
  t.same(
    model().tag_gaps.map((g) => [g.account_id, g.tag_name, g.violation_type, g.resource_count, g.monthly_cost]),
    [
      [A, 'CostCenter', 'missing_required_tag', 2, 1310],
      [A, 'Owner', 'missing_required_tag', 1, 1000],
      [B, 'Environment', 'invalid_value', 1, 500],
      [A, 'temp', 'prohibited_tag', 1, 20.5],
      [B, 'Team', 'wrong_value_case', 1, 0],
    ],
  );
});

t.test('recommendations: access first, then by cost impact', async (t) => {
  const recs = model().recommendations;
  t.same(recs.map((r) => [r.rank, r.kind, r.account_id, r.tag_name, r.monthly_cost_impact]), [
    [1, 'fix_access', C, null, null],
    [2, 'rescan', B, null, null],
    [3, 'tag_resources', A, 'CostCenter', 1310],
    [4, 'tag_resources', A, 'Owner', 1000],
    [5, 'fix_values', B, 'Environment', 500],
    [6, 'remove_prohibited', A, 'temp', 20.5],
    [7, 'normalise_case', B, 'Team', 0],
  ]);
  t.equal(recs[2]?.title, `Tag the 2 resources missing CostCenter in prod (${A}) — $1,310/month unattributed`);
  t.equal(recs[3]?.title, `Tag 1 resource missing Owner in prod (${A}) — $1,000/month unattributed`);
  t.equal(recs[4]?.title, `Correct the Environment value on 1 resource in ${B} — $500/month unattributed`);
  t.equal(recs[5]?.title, `Remove the prohibited tag temp from 1 resource in prod (${A}) — $20.50/month unattributed`);
  t.equal(recs[0]?.title, `Fix the read-only role in account evil${XSS} (${C}) — no resource could be read`);
  t.match(recs[0]?.detail ?? '', `arn:aws:iam::${C}:role/FinOpsTagComplianceReadOnly`);
  t.equal(recs[1]?.title, `Re-run the scan for account ${B} — 1 region/type cell failed (Throttling)`);
  t.same(model({ include_recommendations: false }).recommendations, []);
});

t.test('recommendations are bounded and say how many were dropped', async (t) => {
  const many = Array.from({ length: 20 }, (_, i) => ({
    resource_id: `i-${i}`, resource_arn: `arn:${i}`, resource_type: 'ec2:instance', account_id: A, region: 'us-east-1',
    tag_name: `Tag${String(i).padStart(2, '0')}`, violation_type: 'missing_required_tag' as const, severity: 'error' as const,
    current_value: null, allowed_values: null, message: 'm', cost_impact_monthly: 100 + i,
  }));
  const m = buildReportModel(input({ violations: many, data_quality: { status: 'complete', cells_requested: 1, cells_complete: 1, failed: [], coverage_notes: [] }, account_errors: [] }));
  t.equal(m.recommendations.length, MAX_RECOMMENDATIONS);
  t.equal(m.recommendations[0]?.tag_name, 'Tag19', 'largest cost first');
  t.match(m.recommendations[MAX_RECOMMENDATIONS - 1]?.detail ?? '', '(5 smaller actions not listed.)');
  t.same(recommend(m).map((r) => r.rank), Array.from({ length: MAX_RECOMMENDATIONS }, (_, i) => i + 1));
});
