/** Field paths in PolicyError: `field` is a JSON pointer, messages use the readable dotted form. */

/** `/required_tags/0/name` → `required_tags[0].name`; the root is `(policy)`. */
export function readablePath(pointer: string): string {
  if (pointer === '') return '(policy)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Build a JSON pointer from segments. */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
