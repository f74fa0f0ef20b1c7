/**
 * Policy regular expressions are JavaScript (matched as written, non-unicode mode, against the
 * whole value); Cloud Custodian matches with Python's `re`. This module rewrites a JavaScript
 * pattern into a Python pattern that accepts exactly the same tag values, and builds the other
 * Python patterns the Custodian filters need (case-insensitive literals, blank values).
 *
 * Differences handled: `\d`/`\w`/`\b` are ASCII in JavaScript but Unicode in Python (rewritten
 * to explicit classes / an ASCII-scoped `\b`); `\s` and `.` use JavaScript's character sets;
 * `$` becomes `\Z` (Python's `$` also matches before a final newline); named groups and
 * back-references use Python's spelling, a back-reference to a group that did not take part
 * matching the empty string as in JavaScript (`(?(1)\1)`); `]` right after `[` (empty class in JavaScript) and
 * identity escapes of letters (`\a` is "a" in JavaScript, a bell in Python) are rewritten.
 * Literal braces are written `\x7b`/`\x7d`: Custodian formats every policy string with
 * `str.format` (policy variables), and a lone brace would make that fail.
 * Refused (the caller reports it): lookbehind, `\D`/`\W`/`\S` inside a class, characters outside
 * the BMP, ambiguous multi-digit escapes.
 */

export type Translation = { ok: true; pattern: string } | { ok: false; reason: string };

/** JavaScript's `\s` (= what String.prototype.trim removes), as class contents for Python. */
export const JS_WHITESPACE_CLASS = '\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** The same without the newline (inside one line of a joined tag list). */
const JS_WHITESPACE_CLASS_NO_NL = '\\t\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const DIGIT = '0-9';
const WORD = 'A-Za-z0-9_';

const SPECIAL_OUTSIDE = new Set(['.', '^', '$', '*', '+', '?', '(', ')', '[', ']', '\\', '|']);

/** One character as a Python literal outside a class. */
function literalOutside(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '{') return '\\x7b';
  if (ch === '}') return '\\x7d';
  if (SPECIAL_OUTSIDE.has(ch)) return `\\${ch}`;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (ch === '#' || ch === ' ' || ch === '&' || ch === '~' || ch === '-') return `\\${ch}`;
  return ch;
}

/** One character as a Python literal inside a class. */
function literalInside(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '{') return '\\x7b';
  if (ch === '}') return '\\x7d';
  if ('\\]^-[&|~'.includes(ch)) return `\\${ch}`;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return ch;
}

/** Python literal for a whole string (outside classes). */
export function pyEscape(text: string): string {
  let out = '';
  for (const ch of text) out += ch.length > 1 ? ch : literalOutside(ch);
  return out;
}

// ---- case-insensitive literals (JavaScript toLowerCase equivalence) ----

let inverseLower: Map<string, string[]> | null = null;

/** lower-case form → every single character whose toLowerCase() is that form (built once). */
function lowerInverse(): Map<string, string[]> {
  if (inverseLower !== null) return inverseLower;
  const map = new Map<string, string[]>();
  // Every cased character of Unicode lies below U+20000.
  for (let cp = 0; cp < 0x20000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    const lower = ch.toLowerCase();
    if (lower === ch) continue;
    const list = map.get(lower);
    if (list === undefined) map.set(lower, [ch]);
    else list.push(ch);
  }
  inverseLower = map;
  return map;
}

/** True when `text.toLowerCase()` is the per-character lower-casing (no final sigma, no İ). */
export function lowerCasesPerCharacter(text: string): boolean {
  let perChar = '';
  for (const ch of text) perChar += ch.toLowerCase();
  return perChar === text.toLowerCase() && !text.toLowerCase().includes('i\u0307');
}

/**
 * A Python pattern matching exactly the strings `s` of the same length with
 * `s.toLowerCase() === text.toLowerCase()` (per character; see lowerCasesPerCharacter).
 */
export function caseInsensitiveLiteral(text: string): string {
  const inverse = lowerInverse();
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const variants = new Set<string>();
    if ([...lower].length === 1) variants.add(lower);
    for (const v of inverse.get(lower) ?? []) variants.add(v);
    if (!variants.has(ch) && ch.toLowerCase() === lower && [...lower].length !== 1) variants.add(ch);
    const list = [...variants].sort();
    if (list.length <= 1) out += ch.length > 1 ? ch : literalOutside(list[0] ?? ch);
    else out += `[${list.map((v) => (v.length > 1 ? v : literalInside(v))).join('')}]`;
  }
  return out;
}

// ---- JavaScript → Python translation ----

interface ClassAtom {
  /** A single character (for ranges) or a class fragment (shorthand). */
  char?: string;
  fragment?: string;
}

function countGroups(src: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && (src[i + 1] !== '?' || (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!'))) n++;
  }
  return n;
}

/**
 * Capture groups (numbers and names) nested inside a quantified group: JavaScript clears them at
 * each repetition, Python keeps the last value, so back-references to them differ.
 */
function resettableGroups(src: string): Set<string> {
  const out = new Set<string>();
  const stack: { captures: string[] }[] = [];
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(src.slice(i));
      const capturing = src[i + 1] !== '?' || named !== null;
      const ids: string[] = [];
      if (capturing) {
        n++;
        ids.push(String(n));
        if (named !== null && named[1] !== undefined) ids.push(named[1]);
      }
      for (const frame of stack) frame.captures.push(...ids);
      stack.push({ captures: [] });
    } else if (c === ')') {
      const frame = stack.pop();
      const next = src[i + 1];
      if (frame !== undefined && (next === '*' || next === '+' || next === '?' || next === '{')) for (const id of frame.captures) out.add(id);
    }
  }
  return out;
}

class Refused extends Error {}

/**
 * Translate a JavaScript pattern (as the policy holds it) to Python. `lineBounded`: the pattern
 * is matched inside one line of a newline-joined list, so nothing may match a newline and `^`/`$`
 * mean the start/end of the value (after a tab / before a newline or the end).
 */
export function toPythonRegex(source: string, lineBounded = false): Translation {
  try {
    for (let i = 0; i < source.length; i++) {
      const code = source.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdfff) throw new Refused('it contains characters outside the Basic Multilingual Plane, which JavaScript and Python count differently');
    }
    const groups = countGroups(source);
    const resettable = resettableGroups(source);
    const refuseReset = (id: string): void => {
      if (resettable.has(id)) throw new Refused(`it refers back to group ${id} inside a repeated group, which JavaScript clears at each repetition and Python does not`);
    };
    const ws = lineBounded ? JS_WHITESPACE_CLASS_NO_NL : JS_WHITESPACE_CLASS;
    const nl = lineBounded ? '\\n' : '';
    let out = '';
    let i = 0;

    const escapeCommon = (inside: boolean): string => {
      // source[i] is the character after the backslash; advances i past the escape.
      const c = source[i] ?? '';
      i++;
      switch (c) {
        case 'n': return '\\n';
        case 'r': return '\\r';
        case 't': return '\\t';
        case 'v': return '\\x0b';
        case 'f': return '\\x0c';
        case '0':
          if (/[0-9]/.test(source[i] ?? '')) throw new Refused('it uses an octal escape, which JavaScript and Python read differently');
          return '\\x00';
        case 'x': {
          const h = source.slice(i, i + 2);
          if (/^[0-9A-Fa-f]{2}$/.test(h)) {
            i += 2;
            return `\\x${h.toLowerCase()}`;
          }
          return inside ? 'x' : 'x';
        }
        case 'u': {
          const h = source.slice(i, i + 4);
          if (/^[0-9A-Fa-f]{4}$/.test(h)) {
            i += 4;
            return `\\u${h.toLowerCase()}`;
          }
          return 'u';
        }
        case 'c': {
          const l = source[i] ?? '';
          if (/[A-Za-z]/.test(l)) {
            i++;
            return `\\x${(l.charCodeAt(0) % 32).toString(16).padStart(2, '0')}`;
          }
          return inside ? '\\\\c' : '\\\\c';
        }
        default:
          if (c === '') throw new Refused('it ends with a lone backslash');
          return inside ? literalInside(c) : literalOutside(c);
      }
    };

    const parseClass = (): string => {
      // source[i] === '['
      i++;
      let negated = false;
      if (source[i] === '^') {
        negated = true;
        i++;
      }
      if (source[i] === ']') {
        i++;
        return negated ? (lineBounded ? '[^\\n]' : '[\\s\\S]') : '(?!)';
      }
      const atoms: ClassAtom[] = [];
      while (i < source.length && source[i] !== ']') {
        const c = source[i] as string;
        if (c === '\\') {
          i++;
          const e = source[i] ?? '';
          if (e === 'd') { i++; atoms.push({ fragment: DIGIT }); continue; }
          if (e === 'w') { i++; atoms.push({ fragment: WORD }); continue; }
          if (e === 's') { i++; atoms.push({ fragment: ws }); continue; }
          if (e === 'D' || e === 'W' || e === 'S') throw new Refused(`it uses \\${e} inside a character class`);
          if (e === 'b') { i++; atoms.push({ char: '\b' }); continue; }
          if (e === '-' || e === ']' || e === '\\' || e === '^' || e === '[') { i++; atoms.push({ char: e, fragment: literalInside(e) }); continue; }
          if (/[0-9]/.test(e) && e !== '0') throw new Refused('it uses a numeric escape inside a character class');
          const piece = escapeCommon(true);
          atoms.push({ fragment: piece, char: decodeSingle(piece) });
          continue;
        }
        i++;
        atoms.push({ char: c });
      }
      if (source[i] !== ']') throw new Refused('a character class is not closed');
      i++;
      let body = '';
      for (let k = 0; k < atoms.length; k++) {
        const a = atoms[k] as ClassAtom;
        const dash = atoms[k + 1];
        const end = atoms[k + 2];
        if (a.char !== undefined && a.fragment === undefined && dash?.char === '-' && dash.fragment === undefined && end !== undefined && end.char !== undefined) {
          body += `${literalInside(a.char)}-${end.fragment ?? literalInside(end.char)}`;
          k += 2;
          continue;
        }
        if (a.char !== undefined && a.fragment !== undefined && dash?.char === '-' && dash.fragment === undefined && end !== undefined && end.char !== undefined) {
          body += `${a.fragment}-${end.fragment ?? literalInside(end.char)}`;
          k += 2;
          continue;
        }
        body += a.fragment ?? literalInside(a.char ?? '');
      }
      if (negated) return `[^${body}${nl}]`;
      return `[${body}]`;
    };

    while (i < source.length) {
      const c = source[i] as string;
      if (c === '\\') {
        i++;
        const e = source[i] ?? '';
        if (e === 'd') { i++; out += `[${DIGIT}]`; continue; }
        if (e === 'D') { i++; out += `[^${DIGIT}${nl}]`; continue; }
        if (e === 'w') { i++; out += `[${WORD}]`; continue; }
        if (e === 'W') { i++; out += `[^${WORD}${nl}]`; continue; }
        if (e === 's') { i++; out += `[${ws}]`; continue; }
        if (e === 'S') { i++; out += `[^${JS_WHITESPACE_CLASS}]`; continue; }
        if (e === 'b') { i++; out += '(?a:\\b)'; continue; }
        if (e === 'B') { i++; out += '(?a:\\B)'; continue; }
        if (e === 'k' && source[i + 1] === '<') {
          const close = source.indexOf('>', i + 2);
          if (close < 0) throw new Refused('a named back-reference is not closed');
          const group = source.slice(i + 2, close);
          refuseReset(group);
          // JavaScript: a reference to a group that did not take part matches the empty string;
          // Python fails it. A conditional reproduces JavaScript.
          out += `(?(${group})(?P=${group}))`;
          i = close + 1;
          continue;
        }
        if (/[1-9]/.test(e)) {
          let digits = e;
          let j = i + 1;
          while (/[0-9]/.test(source[j] ?? '')) digits += source[j++];
          const n = Number(digits);
          if (digits.length > 1 || n > groups) throw new Refused(`it uses \\${digits}, which JavaScript reads as a back-reference or an octal escape depending on the groups`);
          refuseReset(digits);
          out += `(?(${digits})\\${digits})`;
          i = j;
          continue;
        }
        out += escapeCommon(false);
        continue;
      }
      if (c === '[') {
        out += parseClass();
        continue;
      }
      if (c === '(') {
        if (source.startsWith('(?<=', i) || source.startsWith('(?<!', i)) throw new Refused('it uses a lookbehind, which Python only accepts with a fixed width');
        if (source.startsWith('(?<', i)) {
          out += '(?P<';
          i += 3;
          continue;
        }
        if (source.startsWith('(?:', i) || source.startsWith('(?=', i) || source.startsWith('(?!', i)) {
          out += source.slice(i, i + 3);
          i += 3;
          continue;
        }
        out += '(';
        i++;
        continue;
      }
      if (c === '.') {
        out += '[^\\n\\r\\u2028\\u2029]';
        i++;
        continue;
      }
      if (c === '$') {
        out += lineBounded ? '(?=\\n|\\Z)' : '\\Z';
        i++;
        continue;
      }
      if (c === '^') {
        out += lineBounded ? '(?<=\\t)' : '\\A';
        i++;
        continue;
      }
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (m !== null) {
          out += m[0];
          i += m[0].length;
        } else {
          out += '\\x7b';
          i++;
        }
        continue;
      }
      if (c === '}') {
        out += '\\x7d';
        i++;
        continue;
      }
      if (c === '*' || c === '+' || c === '?' || c === '|' || c === ')') {
        out += c;
        i++;
        continue;
      }
      out += literalOutside(c);
      i++;
    }
    return { ok: true, pattern: out };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    throw err;
  }
}

/** The character a Python escape written by escapeCommon stands for (for class ranges). */
function decodeSingle(piece: string): string {
  const m = /^\\(?:x([0-9a-f]{2})|u([0-9a-f]{4}))$/.exec(piece);
  if (m !== null) return String.fromCharCode(parseInt(m[1] ?? m[2] ?? '0', 16));
  if (piece === '\\n') return '\n';
  if (piece === '\\r') return '\r';
  if (piece === '\\t') return '\t';
  if (piece.startsWith('\\') && piece.length === 2) return piece[1] as string;
  return piece;
}
