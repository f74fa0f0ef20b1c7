import t from 'tap';
import { UserError } from '../../src/core/errors.js';
import type { ResourceRecord } from '../../src/core/types.js';
import type { ReportModel } from '../../src/report/model.js';
import { generateComplianceReport } from '../../src/tools/generate-compliance-report.js';
import { A, C, fakeInventory, makeContext, schemaErrors } from './helpers.js';

type Out = {
  format: string;
  content: string;
  summary: Record<string, number>;
  recommendation_count: number;
  data_quality: { status: string; failed: unknown[] };
  note: string;
};

async function call(ctx: ReturnType<typeof makeContext>, input: Record<string, unknown>): Promise<Out> {
  t.same(schemaErrors(generateComplianceReport.inputSchema, input), [], 'input valid');
  const out = await generateComplianceReport.handler(ctx, input);
  t.same(schemaErrors(generateComplianceReport.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

t.test('definition: examples valid, read-only, scans', async (t) => {
  for (const ex of generateComplianceReport.examples) t.same(schemaErrors(generateComplianceReport.inputSchema, ex), [], JSON.stringify(ex));
  t.equal(generateComplianceReport.name, 'generate_compliance_report');
  t.equal(generateComplianceReport.annotations.readOnlyHint, true);
  t.equal(generateComplianceReport.scans, true);
  t.not(schemaErrors(generateComplianceReport.inputSchema, { format: 'pdf' }).length, 0, 'unknown format refused by the schema');
});

t.test('json (default): the model, exact figures from the fixture', async (t) => {
  const out = await call(makeContext(), {});
  t.equal(out.format, 'json');
  t.same(out.summary, { compliance_score: 0.4, total_resources: 5, compliant_resources: 2, non_compliant_resources: 3, violation_count: 6, cost_attribution_gap: 96.8 });
  t.equal(out.data_quality.status, 'complete');
  const m = JSON.parse(out.content) as ReportModel;
  t.equal(m.generated_at, '2026-11-22T12:00:00.000Z');
  t.same(m.scope.account_ids, [A]);
  t.same(m.top_cost_gaps.rows.map((g) => [g.resource_id, g.monthly_cost]), [['vol-a1', 50], ['i-a2', 41.6], ['i-a3', 5.2]]);
  t.same(m.breakdowns.by_region.map((r) => [r.key, r.compliance_score, r.cost_attribution_gap]), [['eu-west-1', 0, 5.2], ['us-east-1', 0.5, 91.6]]);
  t.same(m.recommendations.map((r) => r.title), [
    `Tag 1 resource missing Environment in prod (${A}) — $50.00/month unattributed`,
    `Tag 1 resource missing Owner in prod (${A}) — $50.00/month unattributed`,
    `Tag 1 resource missing CostCenter in prod (${A}) — $41.60/month unattributed`,
    `Correct the Environment value on 1 resource in prod (${A}) — $41.60/month unattributed`,
    `Correct the CostCenter value on 1 resource in prod (${A}) — $5.20/month unattributed`,
    `Normalise the case of Environment on 1 resource in prod (${A})`,
  ]);
  t.equal(out.recommendation_count, 6);
  t.equal(out.note, 'The report lists all 6 violations.');
});

t.test('html across accounts: partial banner, role fix first, charts', async (t) => {
  const out = await call(makeContext(), { format: 'html', account_ids: ['all'] });
  t.equal(out.data_quality.status, 'partial');
  t.equal(out.summary.compliance_score, 0.5714);
  t.equal(out.summary.total_resources, 7);
  t.match(out.content, 'class="banner"');
  t.match(out.content, `<ol class="recs"><li><strong>Fix the read-only role in account sandbox (${C}) — no resource could be read</strong>`);
  t.match(out.content, `Check that arn:aws:iam::${C}:role/FinOpsTagComplianceReadOnly exists`);
  t.equal((out.content.match(/<svg /g) ?? []).length, 5);
  t.notOk(/<script/i.test(out.content));
  t.match(out.note, /^The report lists all 6 violations\. Data is partial: \d+ account × region × type cell\(s\) could not be read/);
});

t.test('csv and markdown', async (t) => {
  const csv = await call(makeContext(), { format: 'csv', include_recommendations: false });
  const lines = csv.content.split('\r\n');
  t.equal(lines.length, 8, 'header + 6 violations + final empty string after the last CRLF');
  t.match(lines[1] ?? '', /^violation,111111111111,prod \(111111111111\),us-east-1,ec2:volume,vol-a1,/);
  t.equal(csv.recommendation_count, 0);
  const md = await call(makeContext(), { format: 'markdown', resource_types: ['ec2:instance'], regions: ['us-east-1'] });
  t.match(md.content, '| 50.0% | 2 | 1 | 1 | 2 | $43.33 |', 'i-a1 compliant, i-a2 not; $130 EC2 compute split m5.xlarge:m5.large = 2:1 → i-a2 $43.33');
});

t.test('bounded: at most 100 rows per table, says how many more', async (t) => {
  const volumes: ResourceRecord[] = Array.from({ length: 120 }, (_, i) => ({
    arn: `arn:aws:ec2:us-east-1:${A}:volume/vol-${String(i).padStart(3, '0')}`,
    id: `vol-${String(i).padStart(3, '0')}`,
    name: null,
    type: 'ec2:volume',
    account_id: A,
    region: 'us-east-1',
    tags: {},
    created_at: null,
    attributes: { size_gb: 10 },
  }));
  const ctx = makeContext({ inventory: fakeInventory({ resources: volumes }) });
  const out = await call(ctx, { resource_types: ['ec2:volume'] });
  const m = JSON.parse(out.content) as ReportModel;
  t.same([m.top_violations.rows.length, m.top_violations.total, m.top_violations.omitted], [100, 240, 140]);
  t.same([m.top_cost_gaps.rows.length, m.top_cost_gaps.total, m.top_cost_gaps.omitted], [100, 120, 20]);
  t.match(out.note, 'The report lists the top 100 of 240 violations');
  t.match(out.note, '20 more non-compliant resources are not listed in the cost table.');
  const csv = await call(makeContext({ inventory: fakeInventory({ resources: volumes }) }), { resource_types: ['ec2:volume'], format: 'csv' });
  t.match(csv.content, /\r\nnote,,,,,,,,,,,,140 more violations not listed \(240 in total\); page through check_tag_compliance for the full list\.\r\n$/);
});

t.test('bad input is a UserError before any scan', async (t) => {
  const ctx = makeContext();
  await t.rejects(generateComplianceReport.handler(ctx, { resource_types: ['ec2:nope'] }), UserError);
  t.equal(ctx.fakeInventory.requests.length, 0);
});
