import t from 'tap';
import { CSV_COLUMNS, csvField, renderCsv } from '../../src/report/csv.js';
import { renderReport } from '../../src/report/render.js';
import { ATTR, XSS, model } from './fixture.js';

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

t.test('csvField: RFC 4180 quoting', async (t) => {
  t.equal(csvField('plain'), 'plain');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('two\nlines'), '"two\nlines"');
  t.equal(csvField('cr\rhere'), '"cr\rhere"');
  t.equal(csvField(null), '');
  t.equal(csvField(12.5), '12.5');
  t.equal(csvField(-3), '-3', 'numbers are numbers, not formulas');
});

t.test('csvField: formula injection is neutralised', async (t) => {
  t.equal(csvField('=1+1'), "'=1+1");
  t.equal(csvField('+SUM(A1)'), "'+SUM(A1)");
  t.equal(csvField('-2+3'), "'-2+3");
  t.equal(csvField('@cmd'), "'@cmd");
  t.equal(csvField('\tTAB'), "'\tTAB");
  t.equal(csvField('\rCR'), `"'\rCR"`, 'prefixed, then quoted because of the CR');
  t.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  t.equal(csvField('a=b'), 'a=b', 'only a leading sign counts');
});

t.test('renderCsv: one table, same columns on every row, values round-trip', async (t) => {
  const text = renderCsv(model());
  t.ok(text.endsWith('\r\n'));
  const rows = parseCsv(text);
  t.same(rows[0], [...CSV_COLUMNS]);
  t.equal(rows.length, 7, 'header + 6 violations');
  for (const r of rows) t.equal(r.length, CSV_COLUMNS.length);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  const bucket = rows.find((r) => r[col('tag_name')] === 'Team');
  t.equal(bucket?.[col('resource_id')], "'=cmd|calc", 'hostile resource id neutralised');
  t.equal(bucket?.[col('current_value')], ATTR);
  const db = rows.find((r) => r[col('resource_id')] === 'db-1');
  t.equal(db?.[col('current_value')], XSS);
  t.equal(db?.[col('cost_impact_monthly')], '500');
  t.equal(rows.find((r) => r[col('tag_name')] === 'temp')?.[col('current_value')], 'yes, "really"\nnew line');
  t.equal(rows[1]?.[col('account')], 'prod (111111111111)');
  t.equal(renderReport(model(), 'csv'), text);
});

t.test('renderCsv: a note row says how many violations are not listed', async (t) => {
  const rows = parseCsv(renderCsv(model({ row_limit: 2 })));
  t.equal(rows.length, 4, 'header + 2 violations + note');
  const note = rows[3];
  t.equal(note?.[0], 'note');
  t.equal(note?.length, CSV_COLUMNS.length);
  t.equal(note?.[CSV_COLUMNS.length - 1], '4 more violations not listed (6 in total); page through check_tag_compliance for the full list.');
});

t.test('property: any string survives a CSV round-trip (formula starts gain one quote)', async (t) => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (fields) => {
      const parsed = parseCsv(`${fields.map(csvField).join(',')}\r\n`);
      const expected = fields.map((f) => (/^[=+\-@\t\r]/.test(f) ? `'${f}` : f));
      return parsed.length === 1 && JSON.stringify(parsed[0]) === JSON.stringify(expected);
    }),
    { numRuns: 300 },
  );
  t.pass('round-trip holds');
});
