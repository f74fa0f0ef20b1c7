/**
 * What an audit run tells its recipients, in the schedule's notification_format. Every webhook
 * body is Slack-compatible JSON (`text` always present, so Slack, Mattermost, Rocket.Chat and
 * generic receivers all show something):
 * - slack:    { text, blocks }            (Block Kit: header, figures, worst tags and accounts)
 * - markdown: { text }                    (the same content as one Markdown message)
 * - json:     { text, audit: {…} }        (machine-readable figures for automation)
 * E-mail gets the Markdown text as its body.
 */
import type { AuditNotificationFormat } from '../store/types.js';
import { describeLocal } from './next-run.js';

/** The figures of a check_tag_compliance answer an audit reports (a subset of its output). */
export interface AuditFigures {
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  violations_by_tag: Record<string, number>;
  cost_attribution_gap: number;
  scan_timestamp: string;
  snapshot_id: string | null;
  data_quality: { status: 'complete' | 'partial'; cells_requested: number; cells_complete: number };
  account_breakdown?: Record<string, { account_id: string; account_alias?: string | null; account_name?: string | null; compliance_score: number; violation_count: number; total_resources: number }>;
  account_errors?: { account_id: string; code: string; message?: string }[];
}

export interface AuditMessageInput {
  schedule: { id: string; name: string; timezone: string; frequency: string };
  occurrence: Date;
  status: 'succeeded' | 'partial' | 'failed';
  figures: AuditFigures | null;
  error: string | null;
}

const pct = (score: number): string => `${(Math.round(score * 1000) / 10).toFixed(1)}%`;
const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** Slack mrkdwn and Markdown control characters in values we did not write (tag keys, aliases). */
const plain = (s: string): string => s.replace(/[<>&*_~`|[\]]/g, (c) => `\\${c}`).slice(0, 200);

function topTags(f: AuditFigures, n: number): [string, number][] {
  return Object.entries(f.violations_by_tag)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

function worstAccounts(f: AuditFigures, n: number): { label: string; score: number; violations: number }[] {
  return Object.values(f.account_breakdown ?? {})
    .filter((a) => a.total_resources > 0)
    .sort((a, b) => a.compliance_score - b.compliance_score || b.violation_count - a.violation_count)
    .slice(0, n)
    .map((a) => ({ label: (a.account_alias ?? a.account_name) ? `${a.account_alias ?? a.account_name ?? ''} (${a.account_id})` : a.account_id, score: a.compliance_score, violations: a.violation_count }));
}

/** One line: what happened. */
export function summaryLine(m: AuditMessageInput): string {
  const name = plain(m.schedule.name);
  if (m.figures === null) return `Compliance audit "${name}" failed: ${m.error ?? 'unknown error'}`;
  const f = m.figures;
  const partial = f.data_quality.status === 'partial' ? ' (partial data: some accounts, regions or types could not be read)' : '';
  return `Compliance audit "${name}": ${pct(f.compliance_score)} compliant — ${f.compliant_resources}/${f.total_resources} resources, ${f.violation_count} violations, ${usd(f.cost_attribution_gap)}/month unattributed${partial}`;
}

export function markdownText(m: AuditMessageInput): string {
  const lines = [`*${summaryLine(m)}*`, `Scheduled for ${describeLocal(m.occurrence, m.schedule.timezone)} (${m.schedule.frequency}, audit ${m.schedule.id}).`];
  const f = m.figures;
  if (f !== null) {
    const tags = topTags(f, 5);
    if (tags.length > 0) lines.push('', 'Most violated tags:', ...tags.map(([k, v]) => `• ${plain(k)}: ${v}`));
    const accounts = worstAccounts(f, 5);
    if (accounts.length > 0) lines.push('', 'Lowest-scoring accounts:', ...accounts.map((a) => `• ${plain(a.label)}: ${pct(a.score)} (${a.violations} violations)`));
    if ((f.account_errors ?? []).length > 0) lines.push('', `Accounts that could not be read: ${(f.account_errors ?? []).map((e) => `${e.account_id} (${plain(e.code)})`).join(', ')}`);
    if (f.data_quality.status === 'partial') lines.push('', `Data is partial: ${f.data_quality.cells_requested - f.data_quality.cells_complete} of ${f.data_quality.cells_requested} account × region × type cells could not be read; figures are lower bounds.`);
    if (f.snapshot_id !== null) lines.push('', `Stored as history snapshot ${f.snapshot_id} (get_violation_history shows the trend).`);
  }
  return lines.join('\n');
}

function slackBlocks(m: AuditMessageInput): unknown[] {
  const header = { type: 'header', text: { type: 'plain_text', text: `Tag compliance audit: ${m.schedule.name}`.slice(0, 150), emoji: false } };
  const context = { type: 'context', elements: [{ type: 'mrkdwn', text: `${describeLocal(m.occurrence, m.schedule.timezone)} · ${m.schedule.frequency} · audit ${m.schedule.id}` }] };
  const f = m.figures;
  if (f === null) return [header, { type: 'section', text: { type: 'mrkdwn', text: `:x: The audit failed: ${plain(m.error ?? 'unknown error')}` } }, context];
  const blocks: unknown[] = [
    header,
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Compliance*\n${pct(f.compliance_score)}` },
        { type: 'mrkdwn', text: `*Resources*\n${f.compliant_resources} of ${f.total_resources} compliant` },
        { type: 'mrkdwn', text: `*Violations*\n${f.violation_count}` },
        { type: 'mrkdwn', text: `*Unattributed spend*\n${usd(f.cost_attribution_gap)}/month` },
      ],
    },
  ];
  const tags = topTags(f, 5);
  if (tags.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Most violated tags*\n${tags.map(([k, v]) => `• ${plain(k)}: ${v}`).join('\n')}` } });
  const accounts = worstAccounts(f, 5);
  if (accounts.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Lowest-scoring accounts*\n${accounts.map((a) => `• ${plain(a.label)}: ${pct(a.score)} (${a.violations} violations)`).join('\n')}` } });
  if (f.data_quality.status === 'partial') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: Partial data: ${f.data_quality.cells_requested - f.data_quality.cells_complete} of ${f.data_quality.cells_requested} account × region × type cells could not be read; figures are lower bounds.` } });
  }
  blocks.push(context);
  return blocks;
}

/** The JSON body posted to a webhook. */
export function webhookBody(format: AuditNotificationFormat, m: AuditMessageInput): Record<string, unknown> {
  switch (format) {
    case 'slack':
      return { text: summaryLine(m), blocks: slackBlocks(m) };
    case 'markdown':
      return { text: markdownText(m) };
    case 'json':
      return {
        text: summaryLine(m),
        audit: {
          id: m.schedule.id,
          name: m.schedule.name,
          occurrence: m.occurrence.toISOString(),
          status: m.status,
          error: m.error,
          ...(m.figures === null
            ? {}
            : {
                compliance_score: m.figures.compliance_score,
                total_resources: m.figures.total_resources,
                compliant_resources: m.figures.compliant_resources,
                violation_count: m.figures.violation_count,
                cost_attribution_gap: m.figures.cost_attribution_gap,
                violations_by_tag: m.figures.violations_by_tag,
                data_quality_status: m.figures.data_quality.status,
                snapshot_id: m.figures.snapshot_id,
                scan_timestamp: m.figures.scan_timestamp,
              }),
        },
      };
  }
}
