/**
 * Parse and load a tagging policy: structure first (TypeBox schema, errors name the JSON path),
 * then semantics (compile.ts). Every refusal is a PolicyError naming the field.
 */
import { readFile } from 'node:fs/promises';
import { PolicyError } from '../core/errors.js';
import { compilePolicy } from './compile.js';
import { pointer, readablePath } from './paths.js';
import { KNOWN_FIELDS, TaggingPolicyValidator } from './schema.js';
import type { CompiledPolicy, TaggingPolicyDocument } from './types.js';

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: object;
  message: string;
}

/** One readable message for the first failing path (union alternatives are merged). */
function describeSchemaErrors(errors: readonly SchemaError[]): PolicyError {
  const useful = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean' && e.keyword !== 'additionalProperties');
  const first = useful[0] ?? errors[0];
  if (first === undefined) return new PolicyError('Invalid tagging policy: the document does not match the policy format', '');
  if (first.keyword === 'required') {
    const props = (first.params as { requiredProperties?: string[] }).requiredProperties ?? [];
    const field = `${first.instancePath}${pointer(props[0] ?? '')}`;
    return new PolicyError(`Invalid tagging policy: ${readablePath(field)} is required`, field);
  }
  const path = first.instancePath;
  const messages = [...new Set(useful.filter((e) => e.instancePath === path).map((e) => e.message))];
  return new PolicyError(`Invalid tagging policy: ${readablePath(path)} ${messages.join(' or ')}`, path);
}

function unknownFieldWarnings(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const check = (obj: unknown, known: ReadonlySet<string>, at: string): void => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) out.push(`${readablePath(`${at}${pointer(key)}`)} is not a policy field and is ignored`);
    }
  };
  check(doc, KNOWN_FIELDS.root, '');
  const list = (name: 'required_tags' | 'optional_tags'): void => {
    const items = doc[name];
    if (Array.isArray(items)) items.forEach((item, i) => check(item, KNOWN_FIELDS[name], pointer(name, i)));
  };
  list('required_tags');
  list('optional_tags');
  check(doc.tag_naming_rules, KNOWN_FIELDS.tag_naming_rules, pointer('tag_naming_rules'));
  return out;
}

/** Validate a parsed JSON value as a tagging policy and compile it. Throws PolicyError naming the field. */
export function parsePolicy(json: unknown): CompiledPolicy {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new PolicyError('Invalid tagging policy: the document must be a JSON object with version and required_tags', '');
  }
  if (!TaggingPolicyValidator.Check(json)) throw describeSchemaErrors(TaggingPolicyValidator.Errors(json));
  const warnings = unknownFieldWarnings(json as Record<string, unknown>);
  return compilePolicy(json as TaggingPolicyDocument, warnings);
}

/** Parse policy text (JSON). Syntax errors become a PolicyError. */
export function parsePolicyText(text: string, source = 'policy file'): CompiledPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(`Invalid tagging policy: ${source} is not valid JSON (${(err as Error).message})`, '');
  }
  return parsePolicy(json);
}

/** Read, validate and compile the policy file at `path`. */
export async function loadPolicyFile(path: string): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`;
    throw new PolicyError(`Tagging policy file ${path} ${why}; set POLICY_PATH to a readable policy file`, 'POLICY_PATH');
  }
  return parsePolicyText(text, path);
}
