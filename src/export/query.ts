/**
 * Tool arguments in a URL query string, for download links (`GET /tools/<name>?…`), and back
 * (pure). A list parameter is written once with its values joined by commas
 * (`account_ids=production,staging`); when read back, a list parameter given once is split on
 * commas, and one repeated (`account_ids=a&account_ids=b`) keeps each occurrence whole, so values
 * that contain a comma can be passed (a lone such value is written with an empty second occurrence,
 * which reading drops). Other parameters are passed through as strings (the tool
 * runner turns "true" and "50" into a boolean and a number where the schema asks for one).
 */

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** `a=1&b=x,y` from arguments (undefined values and empty lists are left out). */
export function toQueryString(args: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const list = value as readonly string[];
      if (list.length === 0) continue;
      if (list.some((v) => v.includes(','))) {
        for (const v of list) params.append(key, v);
        // A lone value holding a comma: an empty second occurrence marks the parameter as repeated.
        if (list.length === 1) params.append(key, '');
      } else {
        params.append(key, list.join(','));
      }
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

/**
 * Arguments from a parsed query (`key → string | string[]`), given which keys are lists.
 * Empty items (`a,,b`, trailing commas, empty occurrences) are dropped; blanks around commas are trimmed.
 */
export function fromQuery(query: Readonly<Record<string, unknown>>, listKeys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
    if (listKeys.has(key)) {
      const items = values.length === 1 ? (values[0] ?? '').split(',').map((v) => v.trim()) : values;
      out[key] = items.filter((v) => v !== '');
    } else {
      out[key] = values.length === 1 ? values[0] : values;
    }
  }
  return out;
}
