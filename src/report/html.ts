/**
 * HTML renderer: one self-contained page (inline CSS and SVG, no scripts, no external assets)
 * for management: headline numbers, charts, recommendations, tables and data quality.
 * Every string from the model is escaped — resource ids, tag values and messages are user data.
 */
import { escapeHtml as e } from './escape.js';
import { describeList, groupFailures } from './failures.js';
import { formatCount, formatScore, formatUsd, plural } from './format.js';
import { REPORT_ROW_LIMIT, type ReportModel, type ScoreBreakdownRow } from './model.js';
import { barChart, scoreColor } from './svg.js';

const CSS = `
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;margin:0;background:#f5f7fa;line-height:1.4}
main{max-width:1100px;margin:0 auto;padding:24px}
header{background:#fff;border-radius:8px;padding:20px 24px;margin-bottom:16px;border:1px solid #dde3ea}
h1{margin:0 0 4px;font-size:24px} h2{font-size:18px;margin:24px 0 8px}
.meta{color:#52606d;font-size:13px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.kpi{flex:1 1 150px;background:#f5f7fa;border-radius:6px;padding:12px;border:1px solid #e4e7eb}
.kpi .v{font-size:26px;font-weight:700} .kpi .l{font-size:12px;color:#52606d;text-transform:uppercase;letter-spacing:.04em}
.banner{background:#fff4e5;border:1px solid #ef8f00;border-radius:6px;padding:12px 16px;margin-bottom:16px}
.banner ul{margin:6px 0 0;padding-left:20px}
section{background:#fff;border-radius:8px;padding:16px 24px;margin-bottom:16px;border:1px solid #dde3ea;break-inside:avoid}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
.chart{display:block;max-width:100%;height:auto;font-size:12px}
.chart-title{font-weight:700;font-size:13px;fill:#1f2933} .chart-label,.chart-value{fill:#323f4b} .chart-track{fill:#eef1f4} .chart-empty{fill:#7b8794}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top;word-break:break-word}
th{background:#f5f7fa;font-weight:600} td.num,th.num{text-align:right;white-space:nowrap}
ol.recs li{margin-bottom:8px} ol.recs .d{color:#52606d;font-size:13px}
.note{color:#52606d;font-size:13px;margin-top:6px}
.score{font-weight:700}
@media print{body{background:#fff}main{padding:0;max-width:none}header,section,.banner{border:none;padding:8px 0;page-break-inside:avoid}.kpi{border:1px solid #999}a{color:inherit}}
`;

function table(headers: { text: string; num?: boolean }[], rows: { text: string; num?: boolean; html?: string }[][]): string {
  const head = headers.map((h) => `<th${h.num ? ' class="num"' : ''}>${e(h.text)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td${c.num ? ' class="num"' : ''}>${c.html ?? e(c.text)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function more(omitted: number, total: number, what: string): string {
  return omitted > 0 ? `<p class="note">${e(`${formatCount(omitted)} more ${what} not listed (${formatCount(total)} in total).`)}</p>` : '';
}

function kpi(value: string, label: string, color?: string): string {
  return `<div class="kpi"><div class="v"${color ? ` style="color:${color}"` : ''}>${e(value)}</div><div class="l">${e(label)}</div></div>`;
}

function scoreTable(first: string, all: ScoreBreakdownRow[], what: string): string {
  const rows = all.slice(0, REPORT_ROW_LIMIT);
  return table(
    [{ text: first }, { text: 'Score', num: true }, { text: 'Resources', num: true }, { text: 'Compliant', num: true }, { text: 'Violations', num: true }, { text: 'Unattributed / month', num: true }],
    rows.map((r) => [
      { text: r.label },
      { text: formatScore(r.compliance_score), num: true, html: `<span class="score" style="color:${scoreColor(r.compliance_score)}">${e(formatScore(r.compliance_score))}</span>` },
      { text: formatCount(r.total_resources), num: true },
      { text: formatCount(r.compliant_resources), num: true },
      { text: formatCount(r.violation_count), num: true },
      { text: formatUsd(r.cost_attribution_gap), num: true },
    ]),
  ) + more(all.length - rows.length, all.length, what);
}

function banner(model: ReportModel): string {
  const dq = model.data_quality;
  const accounts = model.account_errors.filter((a) => a.status !== 'skipped');
  if (dq.status !== 'partial' && accounts.length === 0) return '';
  const accountItems = accounts
    .map((a) => `<li>${e(`Account ${a.account_label} ${a.status}: ${a.code} — ${a.message}${a.role_arn ? ` (role ${a.role_arn})` : ''}`)}</li>`)
    .join('');
  const groups = groupFailures(dq.failed);
  const items = groups
    .slice(0, 20)
    .map(
      (g) =>
        `<li>${e(`${model.account_labels[g.account_id] ?? g.account_id}: ${g.error_code} on ${plural(g.cell_count, 'cell')} (${describeList(g.regions, 'regions')}; ${describeList(g.resource_types, 'types')}) — ${g.message}`)}</li>`,
    )
    .join('');
  const rest = groups.length > 20 ? `<li>${e(`${groups.length - 20} more kinds of failure`)}</li>` : '';
  return `<div class="banner" role="alert"><strong>Partial data.</strong> ${e(
    `Only ${dq.cells_complete} of ${dq.cells_requested} account × region × resource type cells were read; the figures below do not include what failed.`,
  )}<ul>${accountItems}${items}${rest}</ul></div>`;
}

function charts(model: ReportModel): string {
  const b = model.breakdowns;
  const scoreData = (rows: ScoreBreakdownRow[]) =>
    rows.map((r) => ({ label: r.label, value: r.compliance_score, display: formatScore(r.compliance_score), color: scoreColor(r.compliance_score) }));
  const list = [
    barChart(scoreData(b.by_account), { title: 'Compliance score by account (lowest first)', max: 1 }),
    barChart(scoreData(b.by_region), { title: 'Compliance score by region (lowest first)', max: 1 }),
    barChart(b.by_tag.map((r) => ({ label: r.key, value: r.violation_count, display: formatCount(r.violation_count) })), { title: 'Violations by tag', color: '#6a1b9a' }),
    barChart(b.by_type.map((r) => ({ label: r.key, value: r.violation_count, display: formatCount(r.violation_count) })), { title: 'Violations by type', color: '#455a64' }),
    barChart(
      model.top_cost_gaps.rows.map((g) => ({ label: g.resource_id, value: g.monthly_cost, display: formatUsd(g.monthly_cost) })),
      { title: 'Largest monthly cost among non-compliant resources', color: '#c62828', limit: 10 },
    ),
  ];
  return `<section><h2>Charts</h2><div class="charts">${list.map((c) => `<figure style="margin:0">${c}</figure>`).join('')}</div></section>`;
}

export function renderHtml(model: ReportModel): string {
  const s = model.summary;
  const sc = model.scope;
  const recs = model.recommendations.length
    ? `<section><h2>Recommendations</h2><ol class="recs">${model.recommendations
        .map((r) => `<li><strong>${e(r.title)}</strong><div class="d">${e(r.detail)}</div></li>`)
        .join('')}</ol></section>`
    : '';
  const gaps = model.top_cost_gaps;
  const top = model.top_violations;
  const dq = model.data_quality;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(model.title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${e(model.title)}</h1>
<div class="meta">${e(`Generated ${model.generated_at} · policy version ${sc.policy_version} · ${plural(sc.account_ids.length, 'account')} · ${plural(sc.regions.length, 'region')} · ${plural(sc.resource_types.length, 'resource type')}`)}</div>
<div class="kpis">${kpi(formatScore(s.compliance_score), 'Compliance score', scoreColor(s.compliance_score))}${kpi(formatCount(s.total_resources), 'Resources')}${kpi(
    formatCount(s.non_compliant_resources),
    'Non-compliant',
  )}${kpi(formatCount(s.violation_count), 'Violations')}${kpi(formatUsd(s.cost_attribution_gap), 'Unattributed spend / month')}</div></header>
${banner(model)}${recs}${charts(model)}
<section><h2>By account</h2>${scoreTable('Account', model.breakdowns.by_account, 'accounts')}</section>
<section><h2>By region</h2>${scoreTable('Region', model.breakdowns.by_region, 'regions')}</section>
<section><h2>Top cost gaps</h2>${table(
    [{ text: 'Resource' }, { text: 'Type' }, { text: 'Account' }, { text: 'Region' }, { text: 'Tags at fault' }, { text: 'Monthly cost', num: true }],
    gaps.rows.map((g) => [{ text: g.resource_id }, { text: g.resource_type }, { text: g.account_label }, { text: g.region }, { text: g.tags_at_fault.join(', ') }, { text: formatUsd(g.monthly_cost), num: true }]),
  )}${more(gaps.omitted, gaps.total, 'non-compliant resources')}</section>
<section><h2>Top violations</h2>${table(
    [{ text: 'Resource' }, { text: 'Account' }, { text: 'Region' }, { text: 'Tag' }, { text: 'Violation' }, { text: 'Current value' }, { text: 'Monthly cost', num: true }],
    top.rows.map((v) => [
      { text: `${v.resource_id} (${v.resource_type})` },
      { text: model.account_labels[v.account_id] ?? v.account_id },
      { text: v.region },
      { text: v.tag_name },
      { text: `${v.violation_type} (${v.severity})` },
      { text: v.current_value ?? '—' },
      { text: formatUsd(v.cost_impact_monthly), num: true },
    ]),
  )}${more(top.omitted, top.total, 'violations')}</section>
<section><h2>Data quality</h2><p>${e(`Status: ${dq.status} — ${dq.cells_complete} of ${dq.cells_requested} cells read completely.`)}</p>${
    dq.coverage_notes.length ? `<ul>${dq.coverage_notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''
  }<p class="note">${e(`Scope: accounts ${sc.account_ids.join(', ') || '—'}; regions ${sc.regions.join(', ') || '—'}; resource types ${sc.resource_types.join(', ') || '—'}.`)}</p></section>
</main></body></html>
`;
}
