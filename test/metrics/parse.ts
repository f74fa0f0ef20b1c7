/**
 * A small strict parser of the Prometheus text exposition format (0.0.4): HELP and TYPE lines,
 * samples with label sets, and histogram consistency (_bucket le ascending and cumulative, a +Inf
 * bucket equal to _count, a _sum). Throws on anything it does not understand.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // Prometheus reads values with Go's ParseFloat, which takes NaN in any case (prom-client writes "Nan").
  if (/^nan$/i.test(text)) return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${JSON.stringify(text)} in: ${line}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`label without '=' in: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '\\') {
        const n = text[j + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new Error(`bad escape in: ${line}`);
        j += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      j += 1;
    }
    if (name in labels) throw new Error(`duplicate label ${name} in: ${line}`);
    labels[name] = value;
    j += 1;
    if (j < text.length) {
      if (text[j] !== ',') throw new Error(`expected ',' between labels in: ${line}`);
      j += 1;
    }
    i = j;
  }
  return labels;
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  let name: string;
  let labels: Record<string, string> = {};
  let rest: string;
  if (brace >= 0) {
    name = line.slice(0, brace);
    const close = line.lastIndexOf('}');
    if (close < brace) throw new Error(`unclosed label set in: ${line}`);
    labels = parseLabels(line.slice(brace + 1, close), line);
    rest = line.slice(close + 1);
  } else {
    const space = line.indexOf(' ');
    name = line.slice(0, space);
    rest = line.slice(space);
  }
  if (!NAME.test(name)) throw new Error(`bad metric name ${JSON.stringify(name)} in: ${line}`);
  const parts = rest.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`bad sample in: ${line}`);
  return { name, labels, value: parseValue(parts[0] ?? '', line) };
}

/** The family a sample belongs to (histogram suffixes stripped). */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sample);
  if (direct !== undefined) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f !== undefined && (f.type === 'histogram' || f.type === 'summary')) return f;
    }
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const m = /^# HELP (\S+) (.*)$/.exec(line);
      if (m === null || !NAME.test(m[1] ?? '')) throw new Error(`bad HELP line: ${line}`);
      const name = m[1] ?? '';
      if (families.has(name)) throw new Error(`second HELP for ${name}`);
      families.set(name, { name, help: m[2] ?? '', type: 'untyped', samples: [] });
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m === null) throw new Error(`bad TYPE line: ${line}`);
      const f = families.get(m[1] ?? '');
      if (f === undefined) throw new Error(`TYPE before HELP for ${m[1]}`);
      if (f.samples.length > 0) throw new Error(`TYPE after samples for ${f.name}`);
      f.type = m[2] as Family['type'];
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const f = familyOf(sample.name, families);
    if (f === undefined) throw new Error(`sample ${sample.name} has no HELP/TYPE`);
    if (f.type === 'counter' && sample.value < 0) throw new Error(`negative counter ${sample.name}`);
    f.samples.push(sample);
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

const seriesKey = (labels: Record<string, string>): string =>
  JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort(([a], [b]) => (a < b ? -1 : 1)));

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: { le: number; value: number }[]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const key = seriesKey(s.labels);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      const le = s.labels.le;
      if (le === undefined) throw new Error(`${f.name}_bucket without le`);
      entry.buckets.push({ le: parseValue(le, s.name), value: s.value });
    } else if (s.name === `${f.name}_sum`) entry.sum = s.value;
    else if (s.name === `${f.name}_count`) entry.count = s.value;
    else throw new Error(`unexpected sample ${s.name} in histogram ${f.name}`);
  }
  for (const [key, e] of series) {
    if (e.sum === undefined || e.count === undefined) throw new Error(`${f.name}${key}: _sum or _count missing`);
    const last = e.buckets[e.buckets.length - 1];
    if (last === undefined || last.le !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (last.value !== e.count) throw new Error(`${f.name}${key}: +Inf bucket ${last.value} != _count ${e.count}`);
    for (let i = 1; i < e.buckets.length; i++) {
      const prev = e.buckets[i - 1];
      const cur = e.buckets[i];
      if (prev === undefined || cur === undefined) continue;
      if (!(cur.le > prev.le)) throw new Error(`${f.name}${key}: le not ascending`);
      if (cur.value < prev.value) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
  }
}

/** Sum of a family's samples (optionally only those whose labels match `where`). */
export function total(families: Map<string, Family>, name: string, where: Record<string, string> = {}): number {
  const f = families.get(name);
  if (f === undefined) return 0;
  return f.samples
    .filter((s) => s.name === name || (f.type === 'histogram' && s.name === `${name}_count`))
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
