import t from 'tap';
import { mdCell, mdTable, renderMarkdown } from '../../src/report/markdown.js';
import { XSS, model } from './fixture.js';

/** Split a markdown table row into cells, honouring escaped pipes. */
function cells(line: string): string[] {
  return line.slice(2, -2).split(/(?<!\\) \| /);
}

t.test('cells are escaped', async (t) => {
  t.equal(mdCell('a|b'), 'a\\|b');
  t.equal(mdCell('two\nlines'), 'two lines');
  t.equal(mdCell(XSS), '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.equal(mdCell('*bold* _it_ `code` [x]'), '\\*bold\\* \\_it\\_ \\`code\\` \\[x\\]');
  t.equal(mdCell(null), '—');
  t.equal(mdTable(['A', 'B'], [['1', 'x|y']]), '| A | B |\n| --- | --- |\n| 1 | x\\|y |');
});

t.test('report: sections, consistent tables, no raw HTML from data', async (t) => {
  const md = renderMarkdown(model());
  for (const h of ['# Tag compliance report', '## Summary', '## Recommendations', '## By account', '## By region', '## Violations by tag', '## Violations by type', '## Top cost gaps', '## Top violations', '## Data quality']) {
    t.ok(md.includes(`\n${h}\n`) || md.startsWith(`${h}\n`), h);
  }
  t.notOk(md.includes('<script'), 'no raw script tag');
  t.match(md, '> **Partial data:** 16 of 18');
  t.match(md, '| 60.0% | 10 | 6 | 4 | 6 | $1,831 |');
  t.match(md, '1. **Fix the read-only role in account evil&lt;script&gt;alert(1)&lt;/script&gt; (333333333333)');
  // Every table: each row has as many cells as its header.
  const lines = md.split('\n');
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('| ') || !(lines[i + 1] ?? '').startsWith('| ---')) continue;
    tables++;
    const width = cells(line).length;
    for (let j = i + 2; j < lines.length && (lines[j] ?? '').startsWith('| '); j++) t.equal(cells(lines[j] ?? '').length, width, `row ${j} of table at ${i}`);
  }
  t.equal(tables, 10, 'summary, scope, accounts, regions, tags, types, cost gaps, violations, account errors, failed cells');
});

t.test('report: omitted rows are counted', async (t) => {
  const md = renderMarkdown(model({ row_limit: 2 }));
  t.match(md, '_4 more violations not listed (6 in total)._');
  t.match(md, '_2 more non-compliant resources not listed (4 in total)._');
});
