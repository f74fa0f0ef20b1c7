/**
 * Markdown renderer: headings and GitHub-flavoured tables. Cell text is escaped (pipes, line
 * breaks, and HTML-significant characters so a viewer that renders inline HTML cannot be abused
 * by a hostile tag value).
 */
import { formatCount, formatScore, formatUsd } from './format.js';
import { describeList, groupFailures } from './failures.js';
import { REPORT_ROW_LIMIT, type ReportModel } from './model.js';

export function mdCell(value: string | number | null): string {
  if (value === null) return '—';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/[`*_[\]]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, ' ');
}

export function mdTable(headers: string[], rows: (string | number | null)[][]): string {
  const head = `| ${headers.map(mdCell).join(' | ')} |`;
  const sep = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

function more(omitted: number, total: number, what: string): string[] {
  return omitted > 0 ? ['', `_${formatCount(omitted)} more ${what} not listed (${formatCount(total)} in total)._`] : [];
}

export function renderMarkdown(model: ReportModel): string {
  const s = model.summary;
  const out: string[] = [`# ${mdCell(model.title)}`, '', `Generated ${mdCell(model.generated_at)} · policy version ${mdCell(model.scope.policy_version)}`, ''];
  if (model.data_quality.status === 'partial') {
    out.push(
      `> **Partial data:** ${model.data_quality.cells_complete} of ${model.data_quality.cells_requested} account × region × type cells were read; the numbers below leave out what failed (see Data quality).`,
      '',
    );
  }
  out.push(
    '## Summary',
    '',
    mdTable(
      ['Compliance score', 'Resources', 'Compliant', 'Non-compliant', 'Violations', 'Unattributed spend / month'],
      [[formatScore(s.compliance_score), formatCount(s.total_resources), formatCount(s.compliant_resources), formatCount(s.non_compliant_resources), formatCount(s.violation_count), formatUsd(s.cost_attribution_gap)]],
    ),
    '',
    '## Scope',
    '',
    mdTable(['Accounts', 'Regions', 'Resource types'], [[model.scope.account_ids.join(', '), model.scope.regions.join(', '), model.scope.resource_types.join(', ')]]),
  );
  if (model.recommendations.length > 0) {
    out.push('', '## Recommendations', '');
    for (const r of model.recommendations) out.push(`${r.rank}. **${mdCell(r.title)}** — ${mdCell(r.detail)}`);
  }
  const scoreRows = (rows: ReportModel['breakdowns']['by_region']) =>
    rows.map((r) => [r.label, formatScore(r.compliance_score), formatCount(r.total_resources), formatCount(r.compliant_resources), formatCount(r.violation_count), formatUsd(r.cost_attribution_gap)]);
  const scoreHead = ['Score', 'Resources', 'Compliant', 'Violations', 'Unattributed / month'];
  const { by_account: accounts, by_region: regions } = model.breakdowns;
  out.push('', '## By account', '', mdTable(['Account', ...scoreHead], scoreRows(accounts.slice(0, REPORT_ROW_LIMIT))), ...more(accounts.length - REPORT_ROW_LIMIT, accounts.length, 'accounts'));
  out.push('', '## By region', '', mdTable(['Region', ...scoreHead], scoreRows(regions.slice(0, REPORT_ROW_LIMIT))), ...more(regions.length - REPORT_ROW_LIMIT, regions.length, 'regions'));
  out.push('', '## Violations by tag', '', mdTable(['Tag', 'Violations'], model.breakdowns.by_tag.map((r) => [r.key, r.violation_count])));
  out.push('', '## Violations by type', '', mdTable(['Type', 'Violations'], model.breakdowns.by_type.map((r) => [r.key, r.violation_count])));
  const gaps = model.top_cost_gaps;
  out.push(
    '',
    '## Top cost gaps',
    '',
    mdTable(
      ['Resource', 'Type', 'Account', 'Region', 'Tags at fault', 'Monthly cost'],
      gaps.rows.map((g) => [g.resource_id, g.resource_type, g.account_label, g.region, g.tags_at_fault.join(', '), formatUsd(g.monthly_cost)]),
    ),
    ...more(gaps.omitted, gaps.total, 'non-compliant resources'),
  );
  const top = model.top_violations;
  out.push(
    '',
    '## Top violations',
    '',
    mdTable(
      ['Resource', 'Type', 'Account', 'Region', 'Tag', 'Violation', 'Severity', 'Current value', 'Monthly cost'],
      top.rows.map((v) => [v.resource_id, v.resource_type, model.account_labels[v.account_id] ?? v.account_id, v.region, v.tag_name, v.violation_type, v.severity, v.current_value, formatUsd(v.cost_impact_monthly)]),
    ),
    ...more(top.omitted, top.total, 'violations'),
  );
  const dq = model.data_quality;
  out.push('', '## Data quality', '', `Status: **${dq.status}** — ${dq.cells_complete} of ${dq.cells_requested} cells read completely.`);
  if (model.account_errors.length > 0) {
    out.push('', mdTable(['Account', 'Status', 'Code', 'Message', 'Role to fix'], model.account_errors.map((a) => [a.account_label, a.status, a.code, a.message, a.role_arn])));
  }
  if (dq.failed.length > 0) {
    const groups = groupFailures(dq.failed);
    const shown = groups.slice(0, REPORT_ROW_LIMIT);
    out.push(
      '',
      mdTable(
        ['Account', 'Error', 'Cells', 'Regions', 'Resource types', 'Message'],
        shown.map((g) => [model.account_labels[g.account_id] ?? g.account_id, g.error_code, g.cell_count, describeList(g.regions, 'regions'), describeList(g.resource_types, 'types'), g.message]),
      ),
      ...more(groups.length - shown.length, groups.length, 'failure groups'),
    );
  }
  for (const note of dq.coverage_notes) out.push('', `- ${mdCell(note)}`);
  return `${out.join('\n')}\n`;
}
