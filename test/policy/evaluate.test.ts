import t from 'tap';
import type { TagViolation } from '../../src/core/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import { SHARED_RESULTS } from '../../src/policy/evaluate.js';

const insensitive = parsePolicy({
  version: '1.0',
  required_tags: [
    { name: 'Owner', validation_regex: '[a-z]+@example\\.com' },
    { name: 'Environment', allowed_values: ['prod', 'dev'] },
    { name: 'Tier', allowed_values: ['gold', 'silver'], validation_regex: '[a-z]+', applies_to: ['rds:db'] },
  ],
  prohibited_tags: ['temp'],
  tag_naming_rules: { case_sensitivity: false },
});
const sensitive = parsePolicy({
  version: '1.0',
  required_tags: [{ name: 'Owner' }],
  prohibited_tags: ['temp'],
  tag_naming_rules: { case_sensitivity: true },
});

const brief = (vs: readonly TagViolation[]): string[] => vs.map((v) => `${v.tag_name}:${v.violation_type}:${v.severity}:${v.current_value ?? 'null'}`);
const OK = { Owner: 'ann@example.com', Environment: 'prod' };

t.test('missing, empty and blank values', async (t) => {
  const missing = insensitive.evaluate('ec2:instance', { Environment: 'prod' });
  t.same(missing.violations, [
    { tag_name: 'Owner', violation_type: 'missing_required_tag', severity: 'error', current_value: null, allowed_values: null, message: "Required tag 'Owner' is missing" },
  ]);
  t.equal(missing.compliant, false);
  t.same(brief(insensitive.evaluate('ec2:instance', { ...OK, Environment: '' }).violations), ['Environment:invalid_value:error:']);
  t.same(brief(insensitive.evaluate('ec2:instance', { ...OK, Environment: '  \t' }).violations), ['Environment:invalid_value:error:  \t']);
});

t.test('allowed values and whole-value patterns', async (t) => {
  const r = insensitive.evaluate('ec2:instance', { ...OK, Environment: 'qa' });
  t.same(r.violations[0]?.allowed_values, ['prod', 'dev']);
  t.equal(r.violations[0]?.message, "Tag 'Environment' has value 'qa', which is not an allowed value (prod, dev)");
  const f = insensitive.evaluate('ec2:instance', { ...OK, Owner: 'ann@example.com ' });
  t.same(brief(f.violations), ['Owner:invalid_format:error:ann@example.com ']);
  t.equal(f.violations[0]?.message, "Tag 'Owner' has value 'ann@example.com ', which does not match the required format [a-z]+@example\\.com");
  // The pattern is matched as written even when case_sensitivity is false.
  t.same(brief(insensitive.evaluate('ec2:instance', { ...OK, Owner: 'Ann@example.com' }).violations), ['Owner:invalid_format:error:Ann@example.com']);
});

t.test('case-insensitive keys and values are warnings; the value under a wrong-case key is still checked', async (t) => {
  const r = insensitive.evaluate('ec2:instance', { OWNER: 'ann@example.com', environment: 'PROD' });
  t.equal(r.compliant, true);
  t.same(brief(r.violations), ['Owner:wrong_key_case:warning:ann@example.com', 'Environment:wrong_key_case:warning:PROD', 'Environment:wrong_value_case:warning:PROD']);
  t.equal(r.violations[0]?.message, "Tag key 'OWNER' should be spelled 'Owner' (only the case differs)");
  t.equal(r.violations[2]?.message, "Tag 'Environment' value 'PROD' should be written 'prod' (only the case differs)");
  const bad = insensitive.evaluate('ec2:instance', { owner: 'nobody', Environment: 'prod' });
  t.equal(bad.compliant, false);
  t.same(brief(bad.violations), ['Owner:wrong_key_case:warning:nobody', 'Owner:invalid_format:error:nobody']);
});

t.test('an exact key wins over case variants; among variants the choice ignores tag order', async (t) => {
  t.same(insensitive.evaluate('ec2:instance', { owner: 'bad', Owner: 'ann@example.com', Environment: 'prod' }).violations, []);
  const a = insensitive.evaluate('ec2:instance', { owner: 'bad', OWNER: 'ann@example.com', Environment: 'prod' });
  const b = insensitive.evaluate('ec2:instance', { OWNER: 'ann@example.com', owner: 'bad', Environment: 'prod' });
  t.same(a, b);
  t.equal(a.compliant, true, "'OWNER' sorts before 'owner'");
});

t.test('a value matching an allowed value only by case must still match the pattern', async (t) => {
  const r = insensitive.evaluate('rds:db', { ...OK, Tier: 'GOLD' });
  t.same(brief(r.violations), ['Tier:invalid_format:error:GOLD']);
  t.same(brief(insensitive.evaluate('rds:db', { ...OK, Tier: 'gold' }).violations), []);
});

t.test('aws: keys never count, in any case', async (t) => {
  t.same(brief(sensitive.evaluate('s3:bucket', { 'aws:owner': 'x' }).violations), ['Owner:missing_required_tag:error:null']);
  t.same(brief(insensitive.evaluate('ec2:instance', { 'aws:cloudformation:stack-name': 'x', 'AWS:Owner': 'a@example.com', Environment: 'prod' }).violations), [
    'Owner:missing_required_tag:error:null',
  ]);
});

t.test('prohibited tags', async (t) => {
  const r = sensitive.evaluate('ec2:instance', { Owner: 'x', temp: 'yes' });
  t.same(r.violations, [
    { tag_name: 'temp', violation_type: 'prohibited_tag', severity: 'error', current_value: 'yes', allowed_values: null, message: "Tag 'temp' is prohibited by the tagging policy and must be removed" },
  ]);
  t.equal(r.compliant, false);
  t.same(sensitive.evaluate('ec2:instance', { Owner: 'x', TEMP: 'yes' }).violations, [], 'case-sensitive: TEMP is another key');
  t.same(brief(insensitive.evaluate('ec2:instance', { ...OK, Temp: '' }).violations), ['temp:prohibited_tag:error:']);
});

t.test('scope, shared results and names', async (t) => {
  t.equal(insensitive.evaluate('ec2:instance', OK), SHARED_RESULTS.COMPLIANT);
  t.equal(insensitive.evaluate('made:up', {}), SHARED_RESULTS.OUT_OF_SCOPE);
  t.ok(Object.isFrozen(SHARED_RESULTS.COMPLIANT) && Object.isFrozen(SHARED_RESULTS.COMPLIANT.violations));
  t.same(insensitive.requiredTagsFor('rds:db'), ['Owner', 'Environment', 'Tier']);
  t.same(insensitive.requiredTagsFor('made:up'), []);
  const ec2Only = parsePolicy({ version: '1.0', required_tags: [{ name: 'A', applies_to: ['ec2:instance'] }], prohibited_tags: ['temp'] });
  t.same(ec2Only.evaluate('s3:bucket', { temp: 'x' }), { in_scope: false, compliant: true, violations: [] }, 'prohibited tags only apply in scope');
});

t.test('prototype keys are not tag values', async (t) => {
  const p = parsePolicy({ version: '1.0', required_tags: [{ name: 'constructor' }, { name: 'toString' }], tag_naming_rules: { case_sensitivity: true } });
  t.same(brief(p.evaluate('ec2:instance', {}).violations), ['constructor:missing_required_tag:error:null', 'toString:missing_required_tag:error:null']);
});
