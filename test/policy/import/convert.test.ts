/**
 * AWS Organizations tag-policy documents (the syntax and inheritance examples of the AWS
 * Organizations User Guide) converted into our format, and the converted policies evaluated:
 * what AWS calls compliant must be compliant here, and the reverse.
 */
import t from 'tap';
import { UserError } from '../../../src/core/errors.js';
import {
  convertEffectiveRules,
  convertTagPolicies,
  mapAwsResourceTypes,
  mergeTagPolicies,
  valuesToConstraint,
  wildcardFragment,
} from '../../../src/policy/import/index.js';
import { parsePolicy } from '../../../src/policy/load.js';

const NOW = new Date('2026-11-22T00:00:00Z');
const src = (label: string, doc: unknown) => ({ label, content: JSON.stringify(doc) });

/** The basic example of "Tag policy syntax and examples". */
const BASIC = {
  tags: {
    costcenter: {
      tag_key: { '@@assign': 'CostCenter' },
      tag_value: { '@@assign': ['100', '200', '300*'] },
      enforced_for: { '@@assign': ['secretsmanager:ALL_SUPPORTED'] },
    },
  },
};

t.test('basic syntax example: capitalisation, values with a wildcard, enforced_for', async (t) => {
  const r = convertTagPolicies([src('policy basic', BASIC)], { last_updated: NOW.toISOString() });
  t.equal(r.document.last_updated, NOW.toISOString());
  t.same(convertTagPolicies([src('policy basic', BASIC)]).document, convertTagPolicies([src('policy basic', BASIC)]).document, 'the same content converts to the same document');
  t.equal(r.document.tag_naming_rules?.case_sensitivity, true, 'AWS requires the exact tag_key capitalisation');
  t.same(r.document.required_tags, [
    {
      name: 'CostCenter',
      description: "Imported from the AWS tag policy key 'costcenter'; AWS values: 100, 200, 300*.",
      allowed_values: null,
      validation_regex: '^(?:100|200|300.*)$',
      applies_to: ['secretsmanager:secret'],
    },
  ]);
  t.equal(r.tags[0]?.types_from, 'enforced_for');
  t.ok(r.warnings.some((w) => w.includes('enforced_for tells AWS to block')), 'the enforced_for interpretation is stated');
  const p = parsePolicy(r.document);
  const ev = (tags: Record<string, string>) => p.evaluate('secretsmanager:secret', tags);
  t.ok(ev({ CostCenter: '100' }).compliant, 'literal value');
  t.ok(ev({ CostCenter: '300' }).compliant, '300* matches 300');
  t.ok(ev({ CostCenter: '300-platform' }).compliant, '300* matches a longer value');
  t.notOk(ev({ CostCenter: '30' }).compliant, 'the star is not cut off: 30 is not 300*');
  t.notOk(ev({ CostCenter: '1000' }).compliant, 'literals are whole values');
  t.notOk(ev({ CostCenter: 'x300' }).compliant, 'anchored at the start');
  t.same(ev({ costcenter: '100' }).violations.map((v) => v.violation_type), ['missing_required_tag'], 'alternate key case is non-compliant, as in AWS');
  t.ok(p.evaluate('ec2:instance', {}).compliant && !p.evaluate('ec2:instance', {}).in_scope, 'other types are out of scope');
});

t.test('wildcards: literals escaped, stars become .*, bare * means any value', async (t) => {
  t.equal(wildcardFragment('a.b*'), 'a\\.b.*');
  t.equal(wildcardFragment('*@example.com'), '.*@example\\.com');
  t.equal(wildcardFragment('x**y'), 'x.*y', 'runs of stars collapse');
  t.equal(wildcardFragment('(a)+[b]?$^|{1}\\'), '\\(a\\)\\+\\[b\\]\\?\\$\\^\\|\\{1\\}\\\\');
  t.same(valuesToConstraint(['a', 'b']), { allowed_values: ['a', 'b'], validation_regex: null, any_value: false });
  t.same(valuesToConstraint(['a', '*']), { allowed_values: null, validation_regex: null, any_value: true });
  t.same(valuesToConstraint(null), { allowed_values: null, validation_regex: null, any_value: true });
  const r = convertTagPolicies([src('p', { tags: { owner: { tag_key: { '@@assign': 'Owner' }, tag_value: { '@@assign': ['*@example.com', 'a.b*'] }, report_required_tag_for: { '@@assign': ['ec2:instance'] } } } })]);
  const p = parsePolicy(r.document);
  t.ok(p.evaluate('ec2:instance', { Owner: 'ann@example.com' }).compliant);
  t.notOk(p.evaluate('ec2:instance', { Owner: 'ann@exampleXcom' }).compliant, 'the dot is a literal dot');
  t.ok(p.evaluate('ec2:instance', { Owner: 'a.bc' }).compliant);
  t.notOk(p.evaluate('ec2:instance', { Owner: 'axbc' }).compliant);
});

t.test('inheritance example: root policy, then an OU policy that changes the capitalisation and appends a value', async (t) => {
  const root = {
    tags: {
      costcenter: { tag_key: { '@@assign': 'CostCenter', '@@operators_allowed_for_child_policies': ['@@none'] }, tag_value: { '@@assign': ['159', '160'] } },
      project: { tag_key: { '@@assign': 'Project' }, tag_value: { '@@assign': ['Maintenance', 'Escalations'] } },
    },
  };
  const ou = { tags: { project: { tag_key: { '@@assign': 'PROJECT' }, tag_value: { '@@append': ['Escalations - research'] } } } };
  const merged = mergeTagPolicies([src('root', root), src('ou', ou)]);
  t.same(merged.warnings, []);
  t.same(
    merged.rules.map((r) => [r.policy_key, r.tag_key, r.tag_value]),
    [
      ['costcenter', 'CostCenter', ['159', '160']],
      ['project', 'PROJECT', ['Maintenance', 'Escalations', 'Escalations - research']],
    ],
  );
  t.same(merged.rules[1]?.sources, ['root', 'ou']);
  // The order matters: the child applied first would be overwritten by the parent's @@assign.
  const reversed = mergeTagPolicies([src('ou', ou), src('root', root)]);
  t.same(reversed.rules.find((r) => r.policy_key === 'project')?.tag_value, ['Maintenance', 'Escalations']);
});

t.test('child-control operators: a locked field keeps the parent value, and a child cannot widen the lock', async (t) => {
  const root = {
    tags: {
      environment: {
        tag_key: { '@@assign': 'Environment', '@@operators_allowed_for_child_policies': ['@@none'] },
        tag_value: { '@@assign': ['prod', 'dev', 'test'], '@@operators_allowed_for_child_policies': ['@@remove'] },
      },
    },
  };
  const ou = {
    tags: {
      environment: {
        tag_key: { '@@assign': 'ENV' },
        tag_value: { '@@append': ['qa'], '@@remove': ['test'], '@@operators_allowed_for_child_policies': ['@@all'] },
      },
    },
  };
  const account = { tags: { environment: { tag_value: { '@@assign': ['anything'] } } } };
  const merged = mergeTagPolicies([src('root', root), src('ou', ou), src('account', account)]);
  const env = merged.rules[0];
  t.equal(env?.tag_key, 'Environment', '@@assign on a locked tag_key is not applied');
  t.same(env?.tag_value, ['prod', 'dev'], '@@remove allowed, @@append refused');
  t.equal(merged.warnings.length, 3, 'each refused operator is reported');
  t.match(merged.warnings[0], /ou: @@assign on tags.environment.tag_key is not applied: a parent policy allows only @@none/);
  t.match(merged.warnings[1], /ou: @@append on tags.environment.tag_value is not applied: a parent policy allows only @@remove/);
  t.match(merged.warnings[2], /account: @@assign on tags.environment.tag_value is not applied/, '@@all in the OU does not lift the root restriction');
});

t.test('a restriction at key level and at "tags" level applies to every field below', async (t) => {
  const root = { tags: { '@@operators_allowed_for_child_policies': ['@@append'], owner: { tag_key: { '@@assign': 'Owner' }, tag_value: { '@@assign': ['a'] } } } };
  const ou = { tags: { owner: { tag_value: { '@@append': ['b'] }, tag_key: { '@@assign': 'OWNER' } }, team: { tag_key: { '@@assign': 'Team' } } } };
  const merged = mergeTagPolicies([src('root', root), src('ou', ou)]);
  t.same(merged.rules.map((r) => [r.policy_key, r.tag_key, r.tag_value]), [['owner', 'Owner', ['a', 'b']], ['team', null, null]]);
  t.equal(merged.warnings.length, 2);
  const keyLevel = mergeTagPolicies([
    src('root', { tags: { owner: { '@@operators_allowed_for_child_policies': ['@@none'], tag_value: { '@@assign': ['a'] } } } }),
    src('ou', { tags: { owner: { tag_value: { '@@remove': ['a'] } } } }),
  ]);
  t.same(keyLevel.rules[0]?.tag_value, ['a']);
  t.equal(keyLevel.warnings.length, 1);
});

t.test('@@remove drops inherited values and enforced_for types; removing what was never set is reported', async (t) => {
  const root = { tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['100', '200', '300'] }, enforced_for: { '@@assign': ['ec2:instance', 's3:bucket'] } } } };
  const ou = { tags: { costcenter: { tag_value: { '@@remove': ['200', '999'] }, enforced_for: { '@@remove': ['s3:bucket'] } } } };
  const r = convertTagPolicies([src('root', root), src('ou', ou)]);
  t.same(r.document.required_tags.map((x) => [x.name, x.allowed_values, x.applies_to]), [['CostCenter', ['100', '300'], ['ec2:instance']]]);
  t.ok(r.warnings.some((w) => w.includes("'999'") && w.includes('nothing to remove')));
});

t.test('enforced_for and report_required_tag_for → registry types; unknown types reported', async (t) => {
  t.same(mapAwsResourceTypes(['ec2:ALL_SUPPORTED']).types, ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:natgateway']);
  t.same(mapAwsResourceTypes(['rds:*', 's3:bucket', 'es:domain']).types, ['rds:db', 'rds:cluster', 's3:bucket', 'opensearch:domain']);
  t.same(mapAwsResourceTypes(['ec2:dhcp-options', 'apig:instance', 'lambda:function']), { types: ['lambda:function'], unknown: ['ec2:dhcp-options', 'apig:instance'] });

  const doc = {
    tags: {
      owner: { tag_key: { '@@assign': 'Owner' }, enforced_for: { '@@assign': ['ec2:instance'] }, report_required_tag_for: { '@@assign': ['ec2:ALL_SUPPORTED', 'ec2:dhcp-options'] } },
      project: { tag_key: { '@@assign': 'Project' }, enforced_for: { '@@assign': ['apig:instance'] } },
    },
  };
  const r = convertTagPolicies([src('p', doc)]);
  t.same(r.document.required_tags.map((x) => [x.name, x.applies_to]), [['Owner', ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:natgateway']]]);
  t.equal(r.tags[0]?.types_from, 'report_required_tag_for', 'report_required_tag_for wins over enforced_for');
  t.same(r.document.optional_tags?.map((x) => x.name), ['Project'], 'a key whose types are all unsupported is not required everywhere');
  t.ok(r.warnings.some((w) => w.includes("'ec2:dhcp-options'")));
  t.ok(r.warnings.some((w) => w.includes('none of the types in enforced_for (apig:instance)')));
});

t.test('keys AWS does not require: optional by default, required everywhere with all_keys', async (t) => {
  const doc = { tags: { team: { tag_key: { '@@assign': 'Team' }, tag_value: { '@@assign': ['core', 'web*'] } }, owner: {} } };
  const r = convertTagPolicies([src('p', doc)]);
  t.same(r.document.required_tags, []);
  t.same(r.document.optional_tags, [
    { name: 'Team', description: "Imported from the AWS tag policy key 'team'; AWS values: core, web*.", allowed_values: null },
    { name: 'owner', description: "Imported from the AWS tag policy key 'owner'; AWS values: any value.", allowed_values: null },
  ]);
  t.ok(r.warnings.some((w) => w.includes("AWS requires the lower-case spelling 'owner'")), 'no tag_key: lower case, said so');
  t.ok(r.warnings.some((w) => w.includes('wildcard values (core, web*) are not checked')), 'the pattern that cannot be kept is reported');
  t.ok(r.warnings.some((w) => w.includes('no required tag')));
  const all = convertTagPolicies([src('p', doc)], { required_tags_from: 'all_keys' });
  t.same(all.document.required_tags.map((x) => [x.name, x.validation_regex, x.applies_to]), [['Team', '^(?:core|web.*)$', []], ['owner', null, []]]);
  const p = parsePolicy(all.document);
  t.ok(p.evaluate('rds:db', { Team: 'webshop', owner: 'x' }).compliant);
  t.notOk(p.evaluate('rds:db', { Team: 'Core', owner: 'x' }).compliant, 'values are case-sensitive, as in AWS');
});

t.test('an effective policy (plain values, as DescribeEffectivePolicy returns) converts without syntax warnings', async (t) => {
  const effective = { tags: { project: { tag_value: ['Maintenance', 'Production'], tag_key: 'Project' }, costcenter: { tag_key: 'CostCenter', tag_value: ['*'], enforced_for: ['ec2:instance'] } } };
  const r = convertTagPolicies([{ label: 'effective', content: JSON.stringify(effective) }], { effective: true });
  t.same(r.document.required_tags.map((x) => [x.name, x.allowed_values, x.validation_regex, x.applies_to]), [['CostCenter', null, null, ['ec2:instance']]]);
  t.same(r.document.optional_tags?.map((x) => [x.name, x.allowed_values]), [['Project', ['Maintenance', 'Production']]]);
  t.notOk(r.warnings.some((w) => w.includes('plain value')));
  const asAttached = convertTagPolicies([{ label: 'attached', content: effective }]);
  t.ok(asAttached.warnings.some((w) => w.includes('plain value')), 'plain values in an attached policy are read as @@assign, with a warning');
});

t.test('nothing is dropped silently; broken documents are refused', async (t) => {
  const doc = {
    Version: '2012-10-17',
    tags: {
      costcenter: { tag_key: { '@@assign': 'CostCenter', '@@append': 'x' }, tag_value: { '@@assign': ['', 'A'], '@@merge': ['B'] }, unknown_field: { '@@assign': 1 } },
      'aws:createdby': { tag_key: { '@@assign': 'aws:CreatedBy' } },
      other: { tag_key: { '@@assign': 'Different' } },
      '@@weird': {},
    },
  };
  const r = convertTagPolicies([src('p', doc)], { required_tags_from: 'all_keys' });
  const expectIn = ['Version', '@@append on tags.costcenter.tag_key', "'@@merge'", 'unknown_field', 'empty value', 'aws:', "tag_key 'Different' does not match", '@@weird'];
  for (const e of expectIn) t.ok(r.warnings.some((w) => w.includes(e)), `warning about ${e}`);
  t.same(r.document.required_tags.map((x) => x.name), ['CostCenter', 'Different']);
  t.equal(r.tags.find((x) => x.policy_key === 'aws:createdby')?.status, 'skipped');
  t.throws(() => convertTagPolicies([{ label: 'bad', content: '{"tags": ' }]), UserError);
  t.throws(() => convertTagPolicies([{ label: 'bad', content: '[]' }]), /not a JSON object/);
  t.throws(() => convertTagPolicies([src('bad', { tags: [] })]), /"tags" must be an object/);
});

t.test('converted documents always pass the policy validation; values AWS also refuses make it refuse', async (t) => {
  const long = 'v'.repeat(300);
  const r = convertEffectiveRules([{ policy_key: 'team', tag_key: 'Team', tag_value: [long], enforced_for: ['ec2:instance'], report_required_tag_for: null, sources: [] }]);
  t.throws(() => parsePolicy(r.document), /allowed_values\[0\] must not have more than 256 characters/);
  const ok = convertTagPolicies([src('basic', BASIC)]);
  t.doesNotThrow(() => parsePolicy(ok.document));
});
