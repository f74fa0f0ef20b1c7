/** Renders a report model in one of the supported formats. */
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { ReportFormat, ReportModel } from './model.js';

export function renderReport(model: ReportModel, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(model, null, 2);
    case 'csv':
      return renderCsv(model);
    case 'markdown':
      return renderMarkdown(model);
    case 'html':
      return renderHtml(model);
  }
}
