/**
 * The generated Custodian filters match EXACTLY the resources our evaluator finds in error, for
 * every policy (default, examples, shared vectors, a tricky one), violation kinds and target tags,
 * on generated tags with missing keys, case variants, blank and invalid values.
 * The YAML is parsed back and run by an interpreter of Custodian's filter semantics; when python3
 * with jmespath is present, the same samples also run through Python's real `re` and `jmespath`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import t from 'tap';
import { parse } from 'yaml';
import type { Tags } from '../../src/core/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { VIOLATION_KINDS, type ViolationKind } from '../../src/remediation/custodian-filters.js';
import { buildCustodianPolicies, type CustodianBuildInput } from '../../src/remediation/custodian-policy.js';
import { loadVectors } from '../policy/helpers.js';
import { matchPolicy, toC7n, type C7nResource } from './custodian-interpreter.js';
import { TRICKY_POLICIES } from './tricky-policies.js';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

const POLICIES: [string, CompiledPolicy][] = [
  ['default', parsePolicy(readJson(root('policies/tagging_policy.json')))],
  ...readdirSync(root('policies/examples'))
    .filter((f) => f.endsWith('.json'))
    .map((f): [string, CompiledPolicy] => [`examples/${f}`, parsePolicy(readJson(root(`policies/examples/${f}`)))]),
  ...Object.entries(loadVectors().policies).map(([k, d]): [string, CompiledPolicy] => [`vectors/${k}`, parsePolicy(d)]),
  ...Object.entries(TRICKY_POLICIES).map(([k, d]): [string, CompiledPolicy] => [`tricky/${k}`, parsePolicy(d)]),
];

const KIND_SETS: ViolationKind[][] = [['missing_tag'], ['invalid_value'], [...VIOLATION_KINDS]];

function base(policy: CompiledPolicy, kinds: ViolationKind[], targetTags: string[] | null): CustodianBuildInput {
  return {
    policy,
    resourceTypes: [...policy.applicableTypes],
    kinds,
    targetTags,
    dryRun: true,
    remediationOp: 'notify',
    graceDays: 7,
    markerTag: 'c7n_tag_compliance',
    notifyTo: ['resource-owner'],
    ownerAbsentContact: [],
    queueUrl: 'https://sqs.{region}.amazonaws.com/{account_id}/custodian-mailer',
    globalRegion: 'us-east-1',
  };
}

/** What the Custodian policy must match: an error of the chosen kinds on a target tag. */
export function expected(policy: CompiledPolicy, type: string, tags: Tags, kinds: readonly ViolationKind[], targetTags: readonly string[] | null): boolean {
  return policy.evaluate(type, tags).violations.some((v) => {
    if (v.severity !== 'error') return false;
    if (targetTags !== null && !targetTags.includes(v.tag_name)) return false;
    const kind = v.violation_type === 'missing_required_tag' ? 'missing_tag' : v.violation_type === 'invalid_value' || v.violation_type === 'invalid_format' ? 'invalid_value' : null;
    return kind !== null && kinds.includes(kind);
  });
}

// ---- generators ----

const flipCase = (s: string, mask: number[]): string => [...s].map((c, i) => ((mask[i % mask.length] ?? 0) % 2 === 0 ? c.toLowerCase() : c.toUpperCase())).join('');
const AWS_CHARS = 'abcXYZ019 _.:/=+-@';
const awsString = fc.array(fc.constantFrom(...AWS_CHARS), { maxLength: 12 }).map((a) => a.join(''));

function interesting(policy: CompiledPolicy): { keys: string[]; values: string[] } {
  const keys = new Set<string>(['Project', 'aws:createdBy', 'temp', 'Name']);
  const values = new Set<string>(['', ' ', '  \u00a0', 'x', 'prod', 'Prod', 'PRODUCTION', 'production ', ' production', 'ann.lee@example.com', 'Ann@example.com', 'dev@corp.example.com', 'CC-1234', 'CC-12345', 'cc-1234', 'web-app', 'Web-App', 'a', 'ab', 'x'.repeat(70), 'K', '\u212a', 'e\u0301', 'ß', 'ſ', 'ı', 'İ']);
  for (const t of policy.document.required_tags) {
    keys.add(t.name);
    keys.add(t.name.toLowerCase());
    keys.add(t.name.toUpperCase());
    keys.add(`${t.name} `);
    keys.add(`${t.name}x`);
    for (const v of t.allowed_values ?? []) {
      values.add(v);
      values.add(v.toUpperCase());
      values.add(v.toLowerCase());
      values.add(` ${v}`);
      values.add(`${v}\u212a`);
    }
  }
  return { keys: [...keys], values: [...values] };
}

function tagsArb(policy: CompiledPolicy): fc.Arbitrary<Tags> {
  const { keys, values } = interesting(policy);
  const names = policy.document.required_tags.map((t) => t.name);
  const key = fc.oneof(
    fc.constantFrom(...keys),
    fc.tuple(fc.constantFrom(...names), fc.array(fc.nat(3), { minLength: 1, maxLength: 6 })).map(([n, m]) => flipCase(n, m)),
    awsString.filter((s) => s.length > 0),
  );
  const value = fc.oneof(fc.constantFrom(...values), awsString, fc.tuple(fc.constantFrom(...values), fc.array(fc.nat(3), { minLength: 1, maxLength: 6 })).map(([v, m]) => flipCase(v, m)));
  return fc.dictionary(key, value, { maxKeys: 8 });
}

interface Sample {
  policyIndex: number;
  type: string;
  tags: Tags;
  resource: C7nResource;
  expect: boolean;
}

const pythonOk = spawnSync('python3', ['-c', 'import jmespath'], { encoding: 'utf8' }).status === 0;
const pyyamlOk = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

/** The document as PyYAML (what Custodian uses) reads it, or null without PyYAML. */
function pyyamlLoad(text: string): unknown {
  if (!pyyamlOk) return null;
  const r = spawnSync('python3', ['-c', 'import json,sys,yaml\nprint(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

for (const [label, policy] of POLICIES) {
  t.test(`${label}: Custodian filters match exactly what the evaluator reports`, async (t) => {
    const names = policy.document.required_tags.map((x) => x.name);
    const targetSets: (string[] | null)[] = [null, names.slice(0, 1), names.slice(1)].filter((s) => s === null || s.length > 0);
    const docs: unknown[][] = [];
    const samples: Sample[] = [];
    let checked = 0;
    let matched = 0;
    for (const kinds of KIND_SETS) {
      for (const targets of targetSets) {
        const build = buildCustodianPolicies(base(policy, kinds, targets));
        t.same(build.notes, [], `${kinds.join('+')}: no approximation needed`);
        const parsed = parse(build.policy_yaml) as { policies: { name: string; resource: string; filters: unknown[] }[] };
        t.equal(parsed.policies.length, build.policies.length, 'the YAML holds every policy');
        t.same(parsed.policies.map((p) => p.name), build.policies.map((p) => p.name), 'names in order');
        if (pyyamlOk && kinds.length === 2 && targets === null) t.same(pyyamlLoad(build.policy_yaml), parsed, 'PyYAML reads the same document (YAML 1.1 quoting)');
        const byType = new Map<string, number>();
        parsed.policies.forEach((p, i) => {
          const type = build.policies[i]?.registry_type as string;
          if (!byType.has(type)) {
            byType.set(type, docs.length);
            docs.push(p.filters);
          }
        });
        const types = [...byType.keys()];
        if (types.length === 0) continue;
        fc.assert(
          fc.property(fc.constantFrom(...types), tagsArb(policy), fc.boolean(), (type, tags, emptyAsMissing) => {
            const index = byType.get(type) as number;
            const resource = toC7n(tags, emptyAsMissing);
            const want = expected(policy, type, tags, kinds, targets);
            const got = matchPolicy(docs[index] as unknown[], resource);
            checked++;
            if (want) matched++;
            if (samples.length < 4000) samples.push({ policyIndex: index, type, tags, resource, expect: want });
            return got === want;
          }),
          { numRuns: 250, seed: 42 },
        );
      }
    }
    t.ok(matched > checked / 10 && matched < checked, `both outcomes exercised (${matched}/${checked} non-compliant)`);

    if (!pythonOk) {
      t.comment('# NOTICE python3 with jmespath not found: Python cross-check skipped');
      return;
    }
    const run = spawnSync('python3', [fileURLToPath(new URL('./c7n_interpreter.py', import.meta.url))], {
      input: JSON.stringify({ policies: docs, samples: samples.map((s) => [s.policyIndex, s.resource]) }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    t.equal(run.status, 0, `python interpreter ran: ${run.stderr.slice(0, 400)}`);
    const got = JSON.parse(run.stdout) as boolean[];
    const wrong = samples.filter((s, i) => got[i] !== s.expect).slice(0, 5);
    t.same(wrong.map((s) => ({ type: s.type, tags: s.tags, expect: s.expect })), [], `python re/jmespath agree on ${samples.length} samples`);
  });
}

t.test('the shared vector cases: matched exactly when they have an error of the chosen kind', async (t) => {
  const vectors = loadVectors();
  for (const kinds of KIND_SETS) {
    for (const c of vectors.cases) {
      const doc = vectors.policies[c.policy];
      if (doc === undefined) continue;
      const policy = parsePolicy(doc);
      const build = buildCustodianPolicies({ ...base(policy, kinds, null), resourceTypes: [c.type].filter((x) => policy.applicableTypes.includes(x)) });
      const parsed = parse(build.policy_yaml || 'policies: []') as { policies: { filters: unknown[] }[] };
      const want = expected(policy, c.type, c.tags, kinds, null);
      const first = parsed.policies[0];
      const got = first === undefined ? false : matchPolicy(first.filters, toC7n(c.tags));
      t.equal(got, want, `${c.id} (${kinds.join('+')})`);
    }
  }
});
