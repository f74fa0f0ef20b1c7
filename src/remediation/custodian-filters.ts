/**
 * The Cloud Custodian filter that matches exactly the resources our evaluator finds in error for
 * the chosen violation kinds and tags (see README.md in this folder for the reasoning).
 *
 * Custodian semantics this relies on (c7n ValueFilter):
 * - `tag:X` reads the value of the tag whose key is exactly `X` (None when absent);
 *   `{'tag:X': 'absent'}` / `'present'` test None / not None (an empty value is present).
 * - `op: not-in` treats an absent tag as `()`, which is "not in" any list: alone it would also
 *   match resources MISSING the tag, so every value check is guarded by `present`.
 * - `op: regex` is case-INSENSITIVE (re.IGNORECASE); `op: regex-case` is case-sensitive. Both use
 *   re.match (anchored at the start only), so patterns end with `\Z`.
 * - A key that is not `tag:…` is a JMESPath expression. With case_sensitivity false a key spelled
 *   `environment` satisfies `Environment`; Custodian's `tag:` lookup is exact, so those cases read
 *   TAG_LINES_KEY: the tags sorted by key, one `Key<TAB>Value` line each, and a regex picks the
 *   first key that equals the name ignoring case, as the evaluator does.
 */
import type { CompiledPolicy, RequiredTagSpec } from '../policy/types.js';
import { caseInsensitiveLiteral, JS_WHITESPACE_CLASS, lowerCasesPerCharacter, pyEscape, toPythonRegex } from './python-regex.js';

export type ViolationKind = 'missing_tag' | 'invalid_value';
export const VIOLATION_KINDS: readonly ViolationKind[] = ['missing_tag', 'invalid_value'];

export type CustodianFilter = { [key: string]: unknown };

/** JMESPath: every tag as `Key<TAB>Value`, sorted by key, joined by newlines ('' when untagged). */
export const TAG_LINES_KEY = 'join(`"\\n"`, sort_by(Tags || `[]`, &Key)[].join(`"\\t"`, [Key, Value]))';

const WS_NO_NL = JS_WHITESPACE_CLASS.replace('\\n', '');

export interface TagFilterResult {
  /** One condition per tag and violation kind, to be OR-ed. */
  conditions: CustodianFilter[];
  /** What the generated filter cannot express exactly (empty when exact). */
  notes: string[];
}

function valueFilter(key: string, op: string, value: unknown): CustodianFilter {
  return { type: 'value', key, op, value };
}

interface TagChecks {
  blank: boolean;
  allowed: readonly string[] | null;
  /** Python pattern of the format (single value / line-bounded), null: none or not portable. */
  format: { single: string; line: string } | null;
}

function checksFor(spec: RequiredTagSpec, notes: string[], caseSensitive: boolean): TagChecks {
  const allowed = spec.allowed_values !== undefined && spec.allowed_values !== null && spec.allowed_values.length > 0 ? spec.allowed_values : null;
  if (allowed !== null && !caseSensitive) {
    const odd = allowed.filter((v) => !lowerCasesPerCharacter(v));
    if (odd.length > 0) notes.push(`Tag '${spec.name}': the allowed value(s) ${odd.map((v) => `'${v}'`).join(', ')} change length or context when lower-cased (final sigma, dotted I); Custodian compares them character by character, which can differ from this server for those values.`);
  }
  let format: TagChecks['format'] = null;
  const source = spec.validation_regex;
  if (source !== undefined && source !== null && source !== '') {
    const single = toPythonRegex(source, false);
    const line = toPythonRegex(source, true);
    if (single.ok && line.ok) format = { single: single.pattern, line: line.pattern };
    else notes.push(`Tag '${spec.name}': its validation_regex ${JSON.stringify(source)} cannot be translated to Python exactly (${single.ok ? (line.ok ? '' : line.reason) : single.reason}); the Custodian filter does NOT check that format, so resources whose only problem is a malformed '${spec.name}' are not matched.`);
  }
  return { blank: true, allowed, format };
}

/** Conditions that match a present value under key `tag:X` that the evaluator rejects. */
function exactValueInvalid(name: string, checks: TagChecks, caseSensitive: boolean): CustodianFilter {
  const key = `tag:${name}`;
  const reasons: CustodianFilter[] = [valueFilter(key, 'regex-case', `^[${JS_WHITESPACE_CLASS}]*\\Z`)];
  if (checks.allowed !== null) {
    if (caseSensitive) reasons.push(valueFilter(key, 'not-in', [...checks.allowed]));
    else reasons.push({ not: [valueFilter(key, 'regex-case', `^(?:${checks.allowed.map(caseInsensitiveLiteral).join('|')})\\Z`)] });
  }
  if (checks.format !== null) reasons.push({ not: [valueFilter(key, 'regex-case', `^(?:${checks.format.single})\\Z`)] });
  return { and: [{ [key]: 'present' }, reasons.length === 1 ? (reasons[0] as CustodianFilter) : { or: reasons }] };
}

/** Regex over TAG_LINES_KEY: no exact key, and the first key equal ignoring case holds an invalid value. */
function variantValueInvalidPattern(name: string, checks: TagChecks): string {
  const exact = pyEscape(name);
  const anyCase = caseInsensitiveLiteral(name);
  const end = '(?:\\n|\\Z)';
  const reasons = [`[${WS_NO_NL}]*${end}`];
  if (checks.allowed !== null) reasons.push(`(?!(?:${checks.allowed.map(caseInsensitiveLiteral).join('|')})${end})`);
  if (checks.format !== null) reasons.push(`(?!(?:${checks.format.line})${end})`);
  return `^(?!(?:[^\\n]*\\n)*${exact}\\t)(?:(?!${anyCase}\\t)[^\\n]*\\n)*${anyCase}\\t(?:${reasons.join('|')})`;
}

/** Regex over TAG_LINES_KEY: some key equals the name ignoring case. */
function anyCaseKeyPattern(name: string): string {
  return `^(?:[^\\n]*\\n)*${caseInsensitiveLiteral(name)}\\t`;
}

/**
 * Conditions for one resource type: for each target tag that applies to it, "missing" and/or
 * "present but invalid" (blank, not allowed, or not matching the format).
 */
export function tagConditions(policy: CompiledPolicy, tagNames: readonly string[], kinds: readonly ViolationKind[]): TagFilterResult {
  const caseSensitive = policy.namingRules.case_sensitivity;
  const notes: string[] = [];
  const conditions: CustodianFilter[] = [];
  for (const name of tagNames) {
    const spec = policy.document.required_tags.find((t) => t.name === name);
    if (spec === undefined) continue;
    if (!caseSensitive && !lowerCasesPerCharacter(name)) {
      notes.push(`Tag '${name}' changes length or context when lower-cased (final sigma, dotted I): Custodian matches its case variants character by character, which can differ from this server.`);
    }
    if (kinds.includes('missing_tag')) {
      if (caseSensitive) conditions.push({ [`tag:${name}`]: 'absent' });
      else conditions.push({ and: [{ [`tag:${name}`]: 'absent' }, { not: [valueFilter(TAG_LINES_KEY, 'regex-case', anyCaseKeyPattern(name))] }] });
    }
    if (kinds.includes('invalid_value')) {
      const checks = checksFor(spec, notes, caseSensitive);
      const exact = exactValueInvalid(name, checks, caseSensitive);
      if (caseSensitive) conditions.push(exact);
      else conditions.push({ or: [exact, valueFilter(TAG_LINES_KEY, 'regex-case', variantValueInvalidPattern(name, checks))] });
    }
  }
  return { conditions, notes: [...new Set(notes)] };
}
