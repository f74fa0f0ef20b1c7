/**
 * Inline SVG charts (no scripts, no external assets): horizontal bar charts with a label on the
 * left and the value on the right. Every text is escaped.
 */
import { escapeHtml, truncate } from './escape.js';

export interface BarDatum {
  label: string;
  value: number;
  /** Text shown after the bar (e.g. `72.5%`, `$1,200`). */
  display: string;
  /** Fill colour; default the chart colour. */
  color?: string;
}

export interface BarChartOptions {
  title: string;
  /** Scale maximum (e.g. 1 for scores); default the largest value. */
  max?: number;
  color?: string;
  /** Bars drawn at most (the caller says how many were left out). */
  limit?: number;
}

/** Bars drawn per chart by default. */
export const CHART_LIMIT = 15;
const WIDTH = 640;
const LABEL_W = 210;
const VALUE_W = 80;
const BAR_H = 18;
const GAP = 8;
const TOP = 28;

/** Colour of a 0–1 compliance score: red below 60 %, amber below 85 %, green above. */
export function scoreColor(score: number): string {
  if (score < 0.6) return '#c62828';
  if (score < 0.85) return '#ef8f00';
  return '#2e7d32';
}

export function barChart(data: BarDatum[], options: BarChartOptions): string {
  const limit = options.limit ?? CHART_LIMIT;
  const rows = data.slice(0, limit);
  const title = escapeHtml(data.length > limit ? `${options.title} (first ${limit} of ${data.length})` : options.title);
  const height = TOP + Math.max(1, rows.length) * (BAR_H + GAP) + 4;
  const max = options.max ?? Math.max(0, ...rows.map((r) => r.value));
  const span = WIDTH - LABEL_W - VALUE_W;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${title}" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">`,
    `<title>${title}</title>`,
    `<text x="0" y="16" class="chart-title">${title}</text>`,
  ];
  if (rows.length === 0) {
    parts.push(`<text x="0" y="${TOP + BAR_H - 4}" class="chart-empty">Nothing to show</text>`);
  }
  rows.forEach((r, i) => {
    const y = TOP + i * (BAR_H + GAP);
    const w = max > 0 ? Math.max(0, Math.min(1, r.value / max)) * span : 0;
    const label = escapeHtml(r.label);
    parts.push(
      `<g>`,
      `<title>${label}: ${escapeHtml(r.display)}</title>`,
      `<text x="${LABEL_W - 8}" y="${y + BAR_H - 5}" text-anchor="end" class="chart-label">${escapeHtml(truncate(r.label, 30))}</text>`,
      `<rect x="${LABEL_W}" y="${y}" width="${span}" height="${BAR_H}" class="chart-track"/>`,
      `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${escapeHtml(r.color ?? options.color ?? '#1565c0')}"/>`,
      `<text x="${LABEL_W + span + 6}" y="${y + BAR_H - 5}" class="chart-value">${escapeHtml(r.display)}</text>`,
      `</g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
