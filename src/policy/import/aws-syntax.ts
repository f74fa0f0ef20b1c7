/**
 * AWS Organizations tag-policy syntax and inheritance, as plain functions.
 *
 * A tag policy is `{"tags": {"<policy key>": {"tag_key": {...}, "tag_value": {...},
 * "enforced_for": {...}, "report_required_tag_for": {...}}}}` where each field holds inheritance
 * operators: `@@assign` (replace), `@@append` (add to the inherited list), `@@remove` (drop from
 * the inherited list) and the child-control operator `@@operators_allowed_for_child_policies`
 * (`@@all`, `@@none`, or a subset of the three value operators; a restriction applies to every
 * policy below it and cannot be widened again by a child).
 *
 * `mergeTagPolicies` applies a chain of policies parent first (root, then each OU on the way
 * down, then the account), exactly as Organizations builds an account's effective policy, and
 * returns one rule per policy key with the operators resolved. An effective policy (the output
 * of DescribeEffectivePolicy, plain values without operators) is read as a single layer whose
 * plain values count as `@@assign`.
 *
 * Nothing is dropped silently: everything that cannot be applied becomes a warning.
 */
import { UserError } from '../../core/errors.js';

export const VALUE_OPERATORS = ['@@assign', '@@append', '@@remove'] as const;
export type ValueOperator = (typeof VALUE_OPERATORS)[number];
export const CHILD_CONTROL = '@@operators_allowed_for_child_policies';

/** The fields of one policy key that this converter understands. */
export const TAG_FIELDS = ['tag_key', 'tag_value', 'enforced_for', 'report_required_tag_for'] as const;
export type TagField = (typeof TAG_FIELDS)[number];
/** tag_key is single-valued; the others are lists (only lists take @@append / @@remove). */
const MULTI_VALUED: Readonly<Record<TagField, boolean>> = { tag_key: false, tag_value: true, enforced_for: true, report_required_tag_for: true };

/** One document of the chain. `label` names it in warnings, e.g. `policy acme-baseline (p-95ouzwl3)`. */
export interface TagPolicySource {
  label: string;
  /** The policy JSON, as text (DescribePolicy Content) or already parsed. */
  content: unknown;
}

/** One policy key after inheritance: the shape of an effective tag policy entry. */
export interface EffectiveTagRule {
  /** Lower-case policy key (policy keys are case-insensitive). */
  policy_key: string;
  /** Required capitalisation of the key; null when no policy defines it (AWS then requires lower case). */
  tag_key: string | null;
  /** Compliant values (may contain `*` wildcards); null: any value. */
  tag_value: string[] | null;
  enforced_for: string[] | null;
  report_required_tag_for: string[] | null;
  /** Labels of the sources that set or changed this key, in order. */
  sources: string[];
}

export interface MergeResult {
  rules: EffectiveTagRule[];
  warnings: string[];
}

export interface MergeOptions {
  /** The sources are effective policies (plain values are expected, not warned about). */
  effective?: boolean;
}

type Value = string | string[];

interface FieldState {
  value: Value | undefined;
  /** Operators later (child) policies may still use on this field. */
  allowed: Set<ValueOperator>;
}

interface KeyState {
  policy_key: string;
  allowed: Set<ValueOperator>;
  fields: Map<TagField, FieldState>;
  sources: string[];
}

const ALL_OPERATORS = (): Set<ValueOperator> => new Set(VALUE_OPERATORS);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string): UserError {
  return new UserError(message, { statusCode: 422, code: 'invalid_aws_tag_policy' });
}

/** Parse the content of one source into an object; text that is not JSON is refused (422). */
export function parseTagPolicyContent(source: TagPolicySource): Record<string, unknown> {
  let doc: unknown = source.content;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch (err) {
      throw invalid(`The content of ${source.label} is not valid JSON (${(err as Error).message}); it cannot be converted.`);
    }
  }
  if (!isObject(doc)) throw invalid(`The content of ${source.label} is not a JSON object; an Organizations tag policy starts with {"tags": {...}}.`);
  return doc;
}

/** `@@operators_allowed_for_child_policies` value → the operators it allows (null: malformed). */
function childControl(value: unknown): Set<ValueOperator> | null {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (list === null) return null;
  const out = new Set<ValueOperator>();
  for (const item of list) {
    if (item === '@@all') VALUE_OPERATORS.forEach((o) => out.add(o));
    else if (item === '@@none') continue;
    else if ((VALUE_OPERATORS as readonly unknown[]).includes(item)) out.add(item as ValueOperator);
    else return null;
  }
  return out;
}

function intersect(a: Set<ValueOperator>, b: Set<ValueOperator>): Set<ValueOperator> {
  return new Set([...a].filter((x) => b.has(x)));
}

function describeAllowed(s: Set<ValueOperator>): string {
  return s.size === 0 ? '@@none' : [...s].join(', ');
}

function asList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Merge a chain of tag policies, parent first. Restrictions declared by a policy
 * (`@@operators_allowed_for_child_policies`) apply to the policies after it, never to itself.
 */
export function mergeTagPolicies(sources: readonly TagPolicySource[], options: MergeOptions = {}): MergeResult {
  const warnings: string[] = [];
  const keys = new Map<string, KeyState>();
  let rootAllowed = ALL_OPERATORS();

  for (const source of sources) {
    const doc = parseTagPolicyContent(source);
    const at = source.label;
    for (const k of Object.keys(doc)) {
      if (k !== 'tags') warnings.push(`${at}: top-level element '${k}' is not part of a tag policy's tag rules and is ignored.`);
    }
    const tags = doc['tags'];
    if (tags === undefined) {
      warnings.push(`${at}: has no "tags" element, so it defines no tag rule.`);
      continue;
    }
    if (!isObject(tags)) throw invalid(`${at}: "tags" must be an object of policy keys.`);

    // Restrictions this source declares take effect after the whole source is applied.
    let nextRoot = rootAllowed;
    const keyRestrictions: [KeyState, Set<ValueOperator>][] = [];
    const fieldRestrictions: [FieldState, Set<ValueOperator>][] = [];

    for (const [rawKey, rule] of Object.entries(tags)) {
      if (rawKey === CHILD_CONTROL) {
        const ops = childControl(rule);
        if (ops === null) warnings.push(`${at}: tags.${CHILD_CONTROL} has a value AWS does not accept; ignored.`);
        else nextRoot = intersect(nextRoot, ops);
        continue;
      }
      if (rawKey.startsWith('@@')) {
        warnings.push(`${at}: operator '${rawKey}' directly under "tags" is not valid tag-policy syntax; ignored.`);
        continue;
      }
      if (!isObject(rule)) {
        warnings.push(`${at}: tags.${rawKey} is not an object of fields (tag_key, tag_value, …); ignored.`);
        continue;
      }
      const policyKey = rawKey.toLowerCase();
      let state = keys.get(policyKey);
      const created = state === undefined;
      if (state === undefined) {
        state = { policy_key: policyKey, allowed: ALL_OPERATORS(), fields: new Map(), sources: [] };
      }
      const keyAllowed = intersect(rootAllowed, state.allowed);
      let changed = false;

      for (const [field, spec] of Object.entries(rule)) {
        if (field === CHILD_CONTROL) {
          const ops = childControl(spec);
          if (ops === null) warnings.push(`${at}: tags.${rawKey}.${CHILD_CONTROL} has a value AWS does not accept; ignored.`);
          else keyRestrictions.push([state, ops]);
          continue;
        }
        if (!(TAG_FIELDS as readonly string[]).includes(field)) {
          warnings.push(`${at}: tags.${rawKey}.${field} is not a tag-policy field this server can represent (known: ${TAG_FIELDS.join(', ')}); ignored.`);
          continue;
        }
        const f = field as TagField;
        let fieldState = state.fields.get(f);
        if (fieldState === undefined) {
          fieldState = { value: undefined, allowed: ALL_OPERATORS() };
          state.fields.set(f, fieldState);
        }
        const allowed = intersect(keyAllowed, fieldState.allowed);
        const where = `tags.${rawKey}.${f}`;

        // Plain values (an effective policy, or shorthand) count as @@assign.
        const ops: Record<string, unknown> = isObject(spec) ? spec : { '@@assign': spec };
        if (!isObject(spec) && options.effective !== true) {
          warnings.push(`${at}: ${where} has a plain value instead of an operator such as {"@@assign": …}; read as @@assign.`);
        }
        for (const op of Object.keys(ops)) {
          if (op !== CHILD_CONTROL && !(VALUE_OPERATORS as readonly string[]).includes(op)) {
            warnings.push(`${at}: ${where} uses '${op}', which is not an inheritance operator (@@assign, @@append, @@remove); ignored.`);
          }
        }
        if (CHILD_CONTROL in ops) {
          const restriction = childControl(ops[CHILD_CONTROL]);
          if (restriction === null) warnings.push(`${at}: ${where}.${CHILD_CONTROL} has a value AWS does not accept; ignored.`);
          else fieldRestrictions.push([fieldState, restriction]);
        }
        for (const op of VALUE_OPERATORS) {
          if (!(op in ops)) continue;
          if (!allowed.has(op)) {
            warnings.push(
              `${at}: ${op} on ${where} is not applied: a parent policy allows only ${describeAllowed(allowed)} for child policies (${CHILD_CONTROL}), so the inherited value stays.`,
            );
            continue;
          }
          const raw = ops[op];
          if (!MULTI_VALUED[f]) {
            if (op !== '@@assign') {
              warnings.push(`${at}: ${op} on ${where} is not allowed (tag_key holds one value; only @@assign applies); ignored.`);
              continue;
            }
            if (typeof raw !== 'string') {
              warnings.push(`${at}: ${where} @@assign must be a string (the key's capitalisation); ignored.`);
              continue;
            }
            fieldState.value = raw;
            changed = true;
            continue;
          }
          const list = asList(raw);
          if (list === null) {
            warnings.push(`${at}: ${where} ${op} must be a string or a list of strings; ignored.`);
            continue;
          }
          const current = asList(fieldState.value) ?? [];
          if (op === '@@assign') fieldState.value = unique(list);
          else if (op === '@@append') fieldState.value = unique([...current, ...list]);
          else {
            const missing = list.filter((x) => !current.includes(x));
            if (missing.length > 0) warnings.push(`${at}: @@remove on ${where} names ${missing.map((x) => `'${x}'`).join(', ')}, which no parent policy set; nothing to remove for ${missing.length > 1 ? 'them' : 'it'}.`);
            fieldState.value = current.filter((x) => !list.includes(x));
          }
          changed = true;
        }
      }
      if (created) keys.set(policyKey, state);
      if (changed || created) state.sources.push(at);
    }
    rootAllowed = nextRoot;
    for (const [state, ops] of keyRestrictions) state.allowed = intersect(state.allowed, ops);
    for (const [field, ops] of fieldRestrictions) field.allowed = intersect(field.allowed, ops);
  }

  const rules: EffectiveTagRule[] = [];
  for (const state of keys.values()) {
    const get = (f: TagField): Value | undefined => state.fields.get(f)?.value;
    const key = get('tag_key');
    const list = (f: TagField): string[] | null => {
      const v = get(f);
      return v === undefined ? null : asList(v);
    };
    rules.push({
      policy_key: state.policy_key,
      tag_key: typeof key === 'string' ? key : null,
      tag_value: list('tag_value'),
      enforced_for: list('enforced_for'),
      report_required_tag_for: list('report_required_tag_for'),
      sources: state.sources,
    });
  }
  return { rules, warnings };
}
