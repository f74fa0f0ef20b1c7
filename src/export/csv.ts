/**
 * RFC 4180 CSV writing with spreadsheet formula-injection protection (pure, no I/O).
 *
 * - Records end with CRLF; a field is quoted when it holds a comma, a double quote, CR or LF,
 *   and quotes inside it are doubled.
 * - Text cells are values from the outside world (tag values, account names, policy values): one
 *   that starts with a formula trigger (`=`, `+`, `-`, `@`, TAB, CR, or their full-width forms
 *   `＝ ＋ － ＠`) gets a single quote in front (OWASP "CSV injection" guidance), so a spreadsheet
 *   shows it as text instead of evaluating it. The tag value `-2` is exported as `'-2`.
 * - Number cells are JavaScript numbers written by this module (`String(n)`), never caller text:
 *   a negative figure such as `-3.5` stays a number a spreadsheet can sum. Non-finite numbers and
 *   null become an empty cell (unknown, not zero).
 */

/** A text cell (neutralised), a number cell (written as is) or an empty cell. */
export type Cell = string | number | null;

/** Characters that make a spreadsheet treat a cell as a formula when they come first. */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];

const TRIGGER_SET = new Set(FORMULA_TRIGGERS);
const NEEDS_QUOTES = /[",\r\n]/;

/** True when a spreadsheet could read `text` as a formula. */
export function startsWithFormulaTrigger(text: string): boolean {
  const first = text[0];
  return first !== undefined && TRIGGER_SET.has(first);
}

/** `text`, or `'text` when it starts with a formula trigger. */
export function neutraliseFormula(text: string): string {
  return startsWithFormulaTrigger(text) ? `'${text}` : text;
}

/** The text a cell stands for once neutralised (before quoting). */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return neutraliseFormula(cell);
}

/** One field as written in the file: neutralised, then quoted when RFC 4180 requires it. */
export function csvField(cell: Cell): string {
  const text = cellText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF included. */
export function csvRecord(cells: readonly Cell[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ',';
    out += csvField(cells[i] ?? null);
  }
  return `${out}\r\n`;
}

/** UTF-8 byte order mark (some spreadsheet programs need it to read UTF-8). */
export const UTF8_BOM = '\uFEFF';

export interface ChunkOptions {
  /** Start with a UTF-8 byte order mark. */
  bom?: boolean;
  /** Target size of a chunk in UTF-16 code units (default 64 KiB); a chunk holds whole records only. */
  chunkChars?: number;
}

/**
 * The whole file as a lazy sequence of chunks: header, then one record per row, grouped into
 * chunks of about `chunkChars` characters. Only one chunk exists at a time, never the whole file.
 */
export function* csvChunks(header: readonly string[], rows: Iterable<readonly Cell[]>, options: ChunkOptions = {}): Generator<string, void, undefined> {
  const target = Math.max(1, options.chunkChars ?? 65_536);
  let chunk = (options.bom === true ? UTF8_BOM : '') + csvRecord(header);
  for (const row of rows) {
    chunk += csvRecord(row);
    if (chunk.length >= target) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export interface BoundedCsv {
  text: string;
  /** Data records in `text` (header excluded). */
  row_count: number;
  /** UTF-8 size of `text`. */
  bytes: number;
  /** True when rows were left out to respect the limits. */
  truncated: boolean;
}

/**
 * The header and as many whole records as fit in `maxRows` rows and `maxBytes` UTF-8 bytes
 * (the header always fits). Consumes `rows` only as far as needed, plus one to know whether
 * anything was left out.
 */
export function boundedCsv(header: readonly string[], rows: Iterable<readonly Cell[]>, limits: { maxRows: number; maxBytes: number; bom?: boolean }): BoundedCsv {
  let text = (limits.bom === true ? UTF8_BOM : '') + csvRecord(header);
  let bytes = Buffer.byteLength(text, 'utf8');
  let count = 0;
  for (const row of rows) {
    if (count >= limits.maxRows) return { text, row_count: count, bytes, truncated: true };
    const record = csvRecord(row);
    const size = Buffer.byteLength(record, 'utf8');
    if (bytes + size > limits.maxBytes) return { text, row_count: count, bytes, truncated: true };
    text += record;
    bytes += size;
    count += 1;
  }
  return { text, row_count: count, bytes, truncated: false };
}
