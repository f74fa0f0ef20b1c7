import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PolicyError } from '../../src/core/errors.js';
import { ALL_TYPE_NAMES } from '../../src/aws/registry.js';
import { loadPolicyFile, parsePolicy, parsePolicyText } from '../../src/policy/load.js';
import { canonicalJson, policyHash } from '../../src/policy/hash.js';

/** The format existing deployments use (from the issue), verbatim. */
const LEGACY = {
  version: '1.0',
  required_tags: [
    { name: 'CostCenter', description: '...', allowed_values: ['Engineering', 'Sales'], validation_regex: null, applies_to: ['ec2:instance', 'rds:db', 's3:bucket'] },
  ],
  optional_tags: [{ name: 'Project', description: '...', allowed_values: null }],
  tag_naming_rules: { case_sensitivity: false, allow_special_characters: false, max_key_length: 128, max_value_length: 256 },
};

function refusal(doc: unknown): PolicyError {
  try {
    parsePolicy(doc);
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('policy was accepted');
}

const withTags = (required_tags: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ version: '1.0', required_tags, ...extra });

t.test('the legacy format loads unchanged', async (t) => {
  const p = parsePolicy(LEGACY);
  t.equal(p.version, '1.0');
  t.same(p.applicableTypes, ['ec2:instance', 'rds:db', 's3:bucket']);
  t.same(p.requiredTagsFor('rds:db'), ['CostCenter']);
  t.same(p.requiredTagsFor('lambda:function'), []);
  t.same(p.warnings, []);
  t.same(p.namingRules, { case_sensitivity: false, allow_special_characters: false, max_key_length: 128, max_value_length: 256 });
  t.same(p.document, LEGACY);
  t.ok(Object.isFrozen(p.document) && Object.isFrozen(p.document.required_tags[0]), 'document is deep-frozen');
});

t.test('defaults: applies_to absent or empty means every supported type; naming rules default', async (t) => {
  const p = parsePolicy(withTags([{ name: 'Owner' }]));
  t.same(p.applicableTypes, ALL_TYPE_NAMES);
  t.same(p.namingRules, { case_sensitivity: false, allow_special_characters: false, max_key_length: 128, max_value_length: 256 });
  const q = parsePolicy(withTags([{ name: 'Owner', applies_to: [] }]));
  t.same(q.applicableTypes, ALL_TYPE_NAMES);
});

t.test('structure errors name the JSON path', async (t) => {
  const cases: [unknown, string, RegExp][] = [
    [[], '', /must be a JSON object/],
    [{ required_tags: [] }, '/version', /version is required/],
    [{ version: '1.0' }, '/required_tags', /required_tags is required/],
    [{ version: 1, required_tags: [] }, '/version', /version must be string/],
    [withTags({} as unknown as unknown[]), '/required_tags', /required_tags must be array/],
    [withTags([{ description: 'x' }]), '/required_tags/0/name', /required_tags\[0\]\.name is required/],
    [withTags([{ name: '' }]), '/required_tags/0/name', /required_tags\[0\]\.name/],
    [withTags([{ name: 'A', allowed_values: 'prod' }]), '/required_tags/0/allowed_values', /required_tags\[0\]\.allowed_values must be array or must be null/],
    [withTags([{ name: 'A', applies_to: 'ec2:instance' }]), '/required_tags/0/applies_to', /required_tags\[0\]\.applies_to must be array/],
    [withTags([], { optional_tags: [{ name: 5 }] }), '/optional_tags/0/name', /optional_tags\[0\]\.name must be string/],
    [withTags([], { tag_naming_rules: { case_sensitivity: 'no' } }), '/tag_naming_rules/case_sensitivity', /must be boolean/],
    [withTags([], { tag_naming_rules: { max_key_length: 129 } }), '/tag_naming_rules/max_key_length', /must be <= 128/],
    [withTags([], { tag_naming_rules: { max_key_length: 0 } }), '/tag_naming_rules/max_key_length', /must be >= 1/],
    [withTags([], { tag_naming_rules: { max_value_length: 257 } }), '/tag_naming_rules/max_value_length', /must be <= 256/],
    [withTags([], { tag_naming_rules: { max_value_length: 1.5 } }), '/tag_naming_rules/max_value_length', /must be integer/],
    [withTags([], { prohibited_tags: 'temp' }), '/prohibited_tags', /prohibited_tags must be array/],
    [withTags([{ name: 'A', validation_regex: 'a'.repeat(1001) }]), '/required_tags/0/validation_regex', /validation_regex must not have more than 1000 characters/],
  ];
  for (const [doc, field, message] of cases) {
    const err = refusal(doc);
    t.equal(err.field, field, `field for ${JSON.stringify(doc).slice(0, 80)}`);
    t.match(err.message, message);
    t.match(err.message, /^Invalid tagging policy: /);
  }
});

t.test('semantic refusals name the field and the offending value', async (t) => {
  const cases: [unknown, string, RegExp][] = [
    [withTags([{ name: 'A', validation_regex: '([' }]), '/required_tags/0/validation_regex', /required_tags\[0\]\.validation_regex \('\(\['\) is not a valid regular expression/],
    [withTags([{ name: 'A', validation_regex: '(?P<x>a)' }]), '/required_tags/0/validation_regex', /is not a valid regular expression/],
    [withTags([{ name: 'A', validation_regex: 'a)|(b' }]), '/required_tags/0/validation_regex', /is not a valid regular expression/],
    [withTags([{ name: 'A', validation_regex: '(a+)+' }]), '/required_tags/0/validation_regex', /\('\(a\+\)\+'\) repeats a group that already ends in \+ or \*.*catastrophic backtracking/],
    [withTags([{ name: 'A', validation_regex: 'x(?:[0-9]*)*y' }]), '/required_tags/0/validation_regex', /catastrophic backtracking/],
    [withTags([{ name: 'A', validation_regex: '(\\w+){2,}' }]), '/required_tags/0/validation_regex', /catastrophic backtracking/],
    [withTags([{ name: 'A', applies_to: ['ec2:instance', 'ec2:spaceship'] }]), '/required_tags/0/applies_to/1', /applies_to\[1\] names an unknown resource type 'ec2:spaceship'\. Supported types: ec2:instance/],
    [withTags([{ name: 'A' }, { name: 'A' }]), '/required_tags/1/name', /required_tags\[1\]\.name \('A'\) is a duplicate tag name: 'A' is already defined at required_tags\[0\]\.name/],
    [withTags([{ name: 'Owner' }, { name: 'owner' }]), '/required_tags/1/name', /duplicate tag name.*ignoring case/],
    [withTags([{ name: 'Owner' }], { optional_tags: [{ name: 'Owner' }] }), '/optional_tags/0/name', /duplicate tag name/],
    [withTags([{ name: 'Owner' }], { prohibited_tags: ['OWNER'] }), '/prohibited_tags/0', /duplicate tag name/],
    [withTags([{ name: 'aws:createdBy' }]), '/required_tags/0/name', /AWS-reserved prefix 'aws:'/],
    [withTags([{ name: 'A' }], { prohibited_tags: ['AWS:x'] }), '/prohibited_tags/0', /AWS-reserved prefix/],
    [withTags([{ name: 'Cost#Center' }]), '/required_tags/0/name', /characters AWS does not allow/],
    [withTags([{ name: ' Owner' }]), '/required_tags/0/name', /must not be empty or start\/end with spaces/],
    [withTags([{ name: 'LongName' }], { tag_naming_rules: { max_key_length: 4 } }), '/required_tags/0/name', /longer than tag_naming_rules\.max_key_length \(4\)/],
    [withTags([{ name: 'Env', allowed_values: ['production'] }], { tag_naming_rules: { max_value_length: 4 } }), '/required_tags/0/allowed_values/0', /longer than tag_naming_rules\.max_value_length \(4\)/],
    [withTags([{ name: 'Env', allowed_values: ['prod', ' '] }]), '/required_tags/0/allowed_values/1', /is empty/],
    [withTags([{ name: 'Env', allowed_values: ['prod', 'Staging'], validation_regex: '[a-z]+' }]), '/required_tags/0/validation_regex', /rejects the allowed value 'Staging'/],
  ];
  for (const [doc, field, message] of cases) {
    const err = refusal(doc);
    t.equal(err.field, field, `field for ${JSON.stringify(doc).slice(0, 100)}`);
    t.match(err.message, message);
  }
});

t.test('common patterns are not mistaken for catastrophic ones', async (t) => {
  for (const rx of ['[a-z0-9._-]+@([a-z0-9-]+\\.)+[a-z]{2,}', '(ab)+', '(a|b)+', 'CC-[0-9]{4}', '(a\\+)+', '([a-z]+)?-x', '(?:prod|dev)(-[0-9]+)?']) {
    t.doesNotThrow(() => parsePolicy(withTags([{ name: 'A', validation_regex: rx }])), rx);
  }
});

t.test('case_sensitivity true allows names differing only by case', async (t) => {
  const p = parsePolicy(withTags([{ name: 'Owner' }, { name: 'owner' }], { tag_naming_rules: { case_sensitivity: true } }));
  t.same(p.requiredTagsFor('ec2:instance'), ['Owner', 'owner']);
});

t.test('lenient spots of the old format become warnings, not refusals', async (t) => {
  const p = parsePolicy({
    version: '2.0',
    last_updated: '2025-01-01',
    $schema: './tagging_policy.schema.json',
    owner_team: 'finops',
    required_tags: [{ name: 'Env', allowed_values: [], validation_regex: '', allowed_value: ['x'] }],
    optional_tags: [{ name: 'P', note: 1 }],
    tag_naming_rules: { case_sensitive: true },
  });
  t.same(p.warnings, [
    'owner_team is not a policy field and is ignored',
    'required_tags[0].allowed_value is not a policy field and is ignored',
    'optional_tags[0].note is not a policy field and is ignored',
    'tag_naming_rules.case_sensitive is not a policy field and is ignored',
    "version '2.0' is not 1.x; the file is read with the 1.0 rules",
    'required_tags[0].allowed_values is empty: treated as "any non-empty value"',
    'required_tags[0].validation_regex is empty: no format is enforced',
  ]);
  t.same(p.evaluate('ec2:instance', { Env: 'anything' }).violations, []);
  const empty = parsePolicy(withTags([]));
  t.same(empty.applicableTypes, []);
  t.same(empty.warnings, ['required_tags is empty: no resource type is in scope, every score is 1.0']);
});

t.test('hash: sha256 of canonical JSON, independent of key order', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }], u: undefined }), '{"a":[{"c":"x","d":null}],"b":1}');
  t.equal(policyHash({ a: 1 }), '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  const reordered = JSON.parse(JSON.stringify({ tag_naming_rules: LEGACY.tag_naming_rules, optional_tags: LEGACY.optional_tags, required_tags: LEGACY.required_tags, version: '1.0' }));
  t.equal(parsePolicy(reordered).hash, parsePolicy(LEGACY).hash);
  t.match(parsePolicy(LEGACY).hash, /^[0-9a-f]{64}$/);
  t.not(parsePolicy({ ...LEGACY, version: '1.1' }).hash, parsePolicy(LEGACY).hash);
});

t.test('files: loadPolicyFile and parsePolicyText', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'policy-load-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'p.json');
  await writeFile(good, JSON.stringify(LEGACY));
  t.equal((await loadPolicyFile(good)).hash, parsePolicy(LEGACY).hash);
  await t.rejects(loadPolicyFile(join(dir, 'missing.json')), { name: 'PolicyError', field: 'POLICY_PATH', message: /missing\.json does not exist; set POLICY_PATH/ });
  const bad = join(dir, 'bad.json');
  await writeFile(bad, '{"version": "1.0",');
  await t.rejects(loadPolicyFile(bad), { name: 'PolicyError', message: /bad\.json is not valid JSON/ });
  t.throws(() => parsePolicyText('nope'), { name: 'PolicyError', message: /policy file is not valid JSON/ });
});
