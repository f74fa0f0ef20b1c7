/** Tiny XML writer for the simulator's responses. Every text value goes through `escapeXml`. */

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlValue = string | number | boolean | null | undefined;

/** `<name>escaped value</name>`; nothing when the value is null/undefined. */
export function el(name: string, value: XmlValue): string {
  if (value === null || value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>children</name>` with already-rendered children. */
export function wrap(name: string, children: string, attrs = ''): string {
  return `<${name}${attrs}>${children}</${name}>`;
}

export function xmlDoc(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

/** ISO-8601 timestamp with milliseconds, as AWS XML services render it. */
export function isoTime(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
