import t from 'tap';
import { escapeHtml } from '../../src/report/escape.js';
import { renderHtml } from '../../src/report/html.js';
import { barChart } from '../../src/report/svg.js';
import { ATTR, XSS, model } from './fixture.js';

/** Checks an SVG/XML fragment: balanced tags, quoted attributes, no raw `<` or bare `&` in text. */
function xmlProblems(fragment: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(fragment)) !== null) {
    const text = fragment.slice(last, m.index);
    if (text.includes('<')) problems.push(`raw < or malformed tag near: ${text.slice(0, 60)}`);
    if (/&(?!(amp|lt|gt|quot|#39);)/.test(text)) problems.push(`bare & in: ${text.slice(0, 60)}`);
    last = tag.lastIndex;
    const [, closing, name = '', , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else stack.push(name);
  }
  if (fragment.slice(last).trim() !== '') problems.push(`trailing text: ${fragment.slice(last, last + 60)}`);
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

t.test('escapeHtml', async (t) => {
  t.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  t.equal(escapeHtml(null), '');
  t.equal(escapeHtml(3), '3');
});

t.test('the checker itself catches broken fragments', async (t) => {
  t.same(xmlProblems('<svg><g><text>ok &amp; fine</text></g></svg>'), []);
  t.not(xmlProblems('<svg><g></svg>').length, 0);
  t.not(xmlProblems('<svg><text>a < b</text></svg>').length, 0);
  t.not(xmlProblems('<svg><text x=1>a</text></svg>').length, 0);
  t.not(xmlProblems('<svg><text>a & b</text></svg>').length, 0);
});

t.test('charts: well-formed SVG with hostile labels', async (t) => {
  const svg = barChart([{ label: XSS, value: 1, display: ATTR }, { label: 'b & c', value: 0.5, display: '50%' }], { title: `t${XSS}`, max: 1 });
  t.same(xmlProblems(svg), []);
  t.notOk(svg.includes('<script'));
  t.same(svg.match(/width="\d+\.\d"/g), ['width="350.0"', 'width="175.0"'], 'bars scale to max: 1 → the 350px span, 0.5 → half');
  t.same(xmlProblems(barChart([], { title: 'empty' })), []);
  t.match(barChart([], { title: 'empty' }), 'Nothing to show');
});

t.test('page: self-contained, no scripts, every user string escaped', async (t) => {
  const html = renderHtml(model());
  t.ok(html.startsWith('<!DOCTYPE html>'));
  t.notOk(/<script/i.test(html), 'no script element anywhere');
  t.notOk(/\s(on\w+)\s*=/i.test(html.replace(/&quot;onerror=/g, '')), 'no event-handler attribute');
  t.notOk(html.includes(ATTR), 'the attribute-breaking value never appears raw');
  t.match(html, escapeHtml(ATTR));
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.notOk(/\b(src|href)\s*=/i.test(html), 'no external asset references');
  t.notOk(/url\(|@import/i.test(html), 'no CSS fetches');
  t.same(html.match(/https?:\/\/[^"\s<]*/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? [], [], 'only the SVG namespace URI');
  t.match(html, '@media print');
});

t.test('page: header, charts, banner, tables, recommendations', async (t) => {
  const html = renderHtml(model());
  t.match(html, '<div class="v" style="color:#ef8f00">60.0%</div>');
  t.match(html, '$1,831');
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  t.equal(svgs.length, 5, 'score by account, score by region, by tag, by type, top cost gaps');
  for (const s of svgs) t.same(xmlProblems(s), [], s.slice(0, 80));
  t.equal((svgs[0]?.match(/<rect /g) ?? []).length, 4, 'two accounts: track + bar each');
  t.match(html, 'class="banner"');
  t.match(html, 'Only 16 of 18 account × region × resource type cells were read');
  t.match(html, 'AssumeRoleFailed — AccessDenied when assuming the role (role arn:aws:iam::333333333333:role/FinOpsTagComplianceReadOnly)');
  t.match(html, '<ol class="recs"><li><strong>Fix the read-only role in account evil&lt;script&gt;');
  t.match(html, 'Tag the 2 resources missing CostCenter in prod (111111111111) — $1,310/month unattributed');
  t.equal((html.match(/<table>/g) ?? []).length, 4, 'accounts, regions, cost gaps, violations');
  t.equal((html.match(/<table>/g) ?? []).length, (html.match(/<\/table>/g) ?? []).length);
});

t.test('page: no banner when complete, counts omitted rows', async (t) => {
  const html = renderHtml(model({ data_quality: { status: 'complete', cells_requested: 4, cells_complete: 4, failed: [], coverage_notes: [] }, account_errors: [], row_limit: 2 }));
  t.notOk(html.includes('class="banner"'));
  t.match(html, '4 more violations not listed (6 in total).');
  t.match(html, '2 more non-compliant resources not listed (4 in total).');
  t.notOk(renderHtml(model({ include_recommendations: false })).includes('Recommendations'));
});

t.test('charts are bounded and say so', async (t) => {
  const data = Array.from({ length: 20 }, (_, i) => ({ label: `acct-${i}`, value: i, display: String(i) }));
  const svg = barChart(data, { title: 'Scores' });
  t.equal((svg.match(/<g>/g) ?? []).length, 15);
  t.match(svg, '<title>Scores (first 15 of 20)</title>');
  t.same(xmlProblems(svg), []);
});

t.test('property: escaped text never contains markup characters', async (t) => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = escapeHtml(s);
      return !/[<>"']/.test(out) && !/&(?!(amp|lt|gt|quot|#39);)/.test(out);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string(), fc.string(), (label, display) => xmlProblems(barChart([{ label, value: 1, display }], { title: label })).length === 0),
    { numRuns: 200 },
  );
  t.pass('properties hold');
});
