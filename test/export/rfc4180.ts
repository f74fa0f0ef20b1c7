/**
 * A small strict RFC 4180 reader for the tests (independent of src/export): records end with
 * CRLF, a quoted field may hold commas, CR, LF and doubled quotes; anything else (a bare CR or
 * LF, a quote inside an unquoted field, text after a closing quote, a missing final CRLF) throws.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  if (text === '') return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i += 1;
            break;
          }
        } else {
          field += c;
          i += 1;
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        const c = text[i];
        if (c === '"' || c === '\n') throw new Error(`bare ${c === '"' ? 'quote' : 'LF'} in an unquoted field at ${i}`);
        field += c;
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      if (i === text.length) return records;
      continue;
    }
    throw new Error(i >= text.length ? 'missing CRLF after the last record' : `unexpected character ${JSON.stringify(text[i])} at ${i}`);
  }
}
