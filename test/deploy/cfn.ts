/**
 * CloudFormation templates for the deployment tests: YAML with the intrinsic-function tags
 * (scalar, sequence and mapping forms) parsed into the JSON form (`{ "Fn::If": [...] }`,
 * `{ "Ref": "X" }`), and a checker against the CloudFormation resource specification of
 * @aws-cdk/cfnspec: resource types, property names (recursively through property types),
 * required properties, Ref/GetAtt/Sub targets, conditions and unused parameters.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { parse, Scalar, YAMLMap, type YAMLSeq } from 'yaml';

const FUNCTIONS = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Condition', 'Base64', 'Cidr', 'GetAZs'] as const;

function keyOf(fn: string): string {
  return fn === 'Ref' || fn === 'Condition' ? fn : `Fn::${fn}`;
}

type CustomTag = {
  tag: string;
  collection?: 'map' | 'seq';
  resolve: (value: never) => unknown;
};

function customTags(): CustomTag[] {
  const tags: CustomTag[] = [];
  for (const fn of FUNCTIONS) {
    const key = keyOf(fn);
    // `!GetAtt Res.Attr` is the short form of `Fn::GetAtt: [Res, Attr]`.
    const scalar = (s: string): unknown => {
      if (fn === 'GetAtt') {
        const dot = s.indexOf('.');
        return { [key]: dot === -1 ? [s] : [s.slice(0, dot), s.slice(dot + 1)] };
      }
      return { [key]: s };
    };
    tags.push({ tag: `!${fn}`, resolve: scalar as (value: never) => unknown });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${fn}`,
        collection,
        resolve: ((node: YAMLMap | YAMLSeq) => {
          const m = new YAMLMap();
          m.set(new Scalar(key), node);
          return m;
        }) as (value: never) => unknown,
      });
    }
  }
  return tags;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function parseTemplate(text: string): Record<string, Json> {
  const out: unknown = parse(text, { customTags: customTags() as never, strict: true, uniqueKeys: true });
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new Error('template is not a mapping');
  return out as Record<string, Json>;
}

export function loadTemplate(path: string): Record<string, Json> {
  return parseTemplate(readFileSync(path, 'utf8'));
}

// ------------------------------------------------------------------ the specification

interface PropSpec {
  Required?: boolean;
  Type?: string;
  ItemType?: string;
  PrimitiveType?: string;
  PrimitiveItemType?: string;
}
interface TypeSpec {
  Properties?: Record<string, PropSpec>;
  Attributes?: Record<string, unknown>;
}
export interface CfnSpec {
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

export function loadSpec(): CfnSpec {
  const require = createRequire(import.meta.url);
  return require('@aws-cdk/cfnspec/spec/specification.json') as CfnSpec;
}

export const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

const TOP_LEVEL = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'Condition', 'DependsOn', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'CreationPolicy', 'UpdatePolicy']);
const OUTPUT_KEYS = new Set(['Description', 'Value', 'Export', 'Condition']);

export function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{ Ref: … }` or `{ 'Fn::…': … }` (or a condition reference). */
export function intrinsicName(v: Json | undefined): string | null {
  if (!isObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length !== 1) return null;
  const k = keys[0] ?? '';
  return k === 'Ref' || k === 'Condition' || k.startsWith('Fn::') ? k : null;
}

function propertyTypeSpec(spec: CfnSpec, resourceType: string, name: string): TypeSpec | undefined {
  return name === 'Tag' ? spec.PropertyTypes['Tag'] : spec.PropertyTypes[`${resourceType}.${name}`] ?? spec.PropertyTypes[name];
}

function checkValue(spec: CfnSpec, resourceType: string, prop: PropSpec, value: Json, where: string, problems: string[]): void {
  const fn = intrinsicName(value);
  if (fn === 'Fn::If' && isObject(value)) {
    const args = value['Fn::If'];
    if (Array.isArray(args)) for (const branch of args.slice(1)) checkValue(spec, resourceType, prop, branch, where, problems);
    return;
  }
  if (fn === 'Ref' && isObject(value) && value['Ref'] === 'AWS::NoValue') return;
  if (fn !== null) return; // computed at deploy time
  if (prop.Type === 'List' || prop.Type === 'Map') {
    if (prop.Type === 'List' && !Array.isArray(value)) { problems.push(`${where}: expected a list`); return; }
    if (prop.Type === 'Map' && !isObject(value)) { problems.push(`${where}: expected a map`); return; }
    const items: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, Json>);
    for (const [i, item] of items) {
      const itemProp: PropSpec = prop.ItemType !== undefined ? { Type: prop.ItemType } : { PrimitiveType: prop.PrimitiveItemType ?? 'Json' };
      checkValue(spec, resourceType, itemProp, item, `${where}[${i}]`, problems);
    }
    return;
  }
  if (prop.Type !== undefined) {
    const ts = propertyTypeSpec(spec, resourceType, prop.Type);
    if (ts === undefined) { problems.push(`${where}: property type ${prop.Type} not in the specification`); return; }
    if (!isObject(value)) { problems.push(`${where}: expected an object of type ${prop.Type}`); return; }
    checkProperties(spec, resourceType, ts, value, where, problems);
    return;
  }
  const primitive = prop.PrimitiveType ?? 'Json';
  if (primitive !== 'Json' && (Array.isArray(value) || isObject(value))) problems.push(`${where}: expected a ${primitive}, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
}

function checkProperties(spec: CfnSpec, resourceType: string, ts: TypeSpec, props: { [k: string]: Json }, where: string, problems: string[]): void {
  const known = ts.Properties ?? {};
  for (const [name, value] of Object.entries(props)) {
    const p = known[name];
    if (p === undefined) { problems.push(`${where}.${name}: not a property of ${resourceType} here`); continue; }
    checkValue(spec, resourceType, p, value, `${where}.${name}`, problems);
  }
  for (const [name, p] of Object.entries(known)) if (p.Required === true && !(name in props)) problems.push(`${where}: required property ${name} missing`);
}

/** Every `${Name}` / `${Res.Attr}` of a Fn::Sub string (`${!Literal}` skipped). */
export function subReferences(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => (m[1] ?? '').trim());
}

interface Collected {
  refs: string[];
  getAtts: [string, string][];
  conditions: string[];
}

function collect(value: Json, out: Collected, subVars: Set<string> = new Set()): void {
  if (Array.isArray(value)) { for (const v of value) collect(v, out, subVars); return; }
  if (!isObject(value)) return;
  const fn = intrinsicName(value);
  if (fn === 'Ref' && typeof value['Ref'] === 'string') { out.refs.push(value['Ref']); return; }
  if (fn === 'Condition' && typeof value['Condition'] === 'string') { out.conditions.push(value['Condition']); return; }
  if (fn === 'Fn::GetAtt') {
    const a = value['Fn::GetAtt'];
    const parts = typeof a === 'string' ? a.split('.') : Array.isArray(a) ? a.map(String) : [];
    out.getAtts.push([parts[0] ?? '', parts.slice(1).join('.')]);
    return;
  }
  if (fn === 'Fn::If') {
    const a = value['Fn::If'];
    if (Array.isArray(a) && typeof a[0] === 'string') out.conditions.push(a[0]);
    if (Array.isArray(a)) for (const v of a.slice(1)) collect(v, out, subVars);
    return;
  }
  if (fn === 'Fn::Sub') {
    const a = value['Fn::Sub'];
    const text = typeof a === 'string' ? a : Array.isArray(a) && typeof a[0] === 'string' ? a[0] : '';
    const vars = new Set(subVars);
    if (Array.isArray(a) && isObject(a[1])) {
      for (const [k, v] of Object.entries(a[1])) { vars.add(k); collect(v, out, subVars); }
    }
    for (const r of subReferences(text)) {
      if (vars.has(r)) continue;
      const dot = r.indexOf('.');
      if (dot === -1 || r.startsWith('AWS::')) out.refs.push(r);
      else out.getAtts.push([r.slice(0, dot), r.slice(dot + 1)]);
    }
    return;
  }
  for (const v of Object.values(value)) collect(v, out, subVars);
}

/** Every problem of the template against the specification (empty = valid). */
export function checkTemplate(tpl: Record<string, Json>, spec: CfnSpec): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(tpl)) if (!TOP_LEVEL.has(k)) problems.push(`unknown top-level section ${k}`);
  const params = isObject(tpl['Parameters']) ? tpl['Parameters'] : {};
  const resources = isObject(tpl['Resources']) ? tpl['Resources'] : {};
  const conditions = isObject(tpl['Conditions']) ? tpl['Conditions'] : {};
  const outputs = isObject(tpl['Outputs']) ? tpl['Outputs'] : {};
  if (Object.keys(resources).length === 0) problems.push('no resources');
  const used: Collected = { refs: [], getAtts: [], conditions: [] };

  for (const [name, p] of Object.entries(params)) if (!isObject(p) || typeof p['Type'] !== 'string') problems.push(`parameter ${name}: Type missing`);

  for (const [name, r] of Object.entries(resources)) {
    if (!isObject(r)) { problems.push(`resource ${name}: not a mapping`); continue; }
    for (const k of Object.keys(r)) if (!RESOURCE_KEYS.has(k)) problems.push(`resource ${name}: unknown attribute ${k}`);
    const type = r['Type'];
    const ts = typeof type === 'string' ? spec.ResourceTypes[type] : undefined;
    if (typeof type !== 'string' || ts === undefined) { problems.push(`resource ${name}: unknown type ${String(type)}`); continue; }
    const props = r['Properties'] ?? {};
    if (!isObject(props)) problems.push(`resource ${name}: Properties is not a mapping`);
    else checkProperties(spec, type, ts, props, `${name}(${type})`, problems);
    if (typeof r['Condition'] === 'string') used.conditions.push(r['Condition']);
    const deps = r['DependsOn'];
    for (const d of typeof deps === 'string' ? [deps] : Array.isArray(deps) ? deps : []) {
      if (typeof d !== 'string' || !(d in resources)) problems.push(`resource ${name}: DependsOn ${String(d)} is not a resource`);
    }
    collect(props, used);
  }
  for (const [name, o] of Object.entries(outputs)) {
    if (!isObject(o) || !('Value' in o)) { problems.push(`output ${name}: Value missing`); continue; }
    for (const k of Object.keys(o)) if (!OUTPUT_KEYS.has(k)) problems.push(`output ${name}: unknown key ${k}`);
    if (typeof o['Condition'] === 'string') used.conditions.push(o['Condition']);
    collect(o['Value'] ?? null, used);
  }
  collect(conditions, used);
  collect(tpl['Rules'] ?? null, used);

  for (const ref of used.refs) {
    if (!(ref in params) && !(ref in resources) && !PSEUDO_PARAMETERS.has(ref)) problems.push(`Ref/Sub target ${ref} is not a parameter, resource or pseudo parameter`);
  }
  for (const [res, attr] of used.getAtts) {
    const r = resources[res];
    const type = isObject(r) && typeof r['Type'] === 'string' ? r['Type'] : undefined;
    if (type === undefined) { problems.push(`GetAtt target ${res} is not a resource`); continue; }
    const attrs = spec.ResourceTypes[type]?.Attributes ?? {};
    if (!(attr in attrs)) problems.push(`GetAtt ${res}.${attr}: ${type} has no attribute ${attr}`);
  }
  for (const c of used.conditions) if (!(c in conditions)) problems.push(`condition ${c} is used but not defined`);
  const referenced = new Set(used.refs);
  for (const p of Object.keys(params)) if (!referenced.has(p)) problems.push(`parameter ${p} is never used`);
  return problems;
}
