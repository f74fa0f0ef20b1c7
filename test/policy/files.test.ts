import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadPolicyFile } from '../../src/policy/load.js';
import { policyJsonSchema } from '../../src/policy/schema.js';

const root = fileURLToPath(new URL('../../policies/', import.meta.url));

t.test('the shipped default policy loads and requires Owner, Environment, CostCenter, Application', async (t) => {
  const p = await loadPolicyFile(`${root}tagging_policy.json`);
  t.same(p.warnings, []);
  t.same(p.requiredTagsFor('ec2:instance'), ['Owner', 'Environment', 'CostCenter', 'Application']);
  t.same(p.requiredTagsFor('route53:hostedzone'), ['Owner', 'Environment', 'CostCenter']);
  t.same(
    p.evaluate('ec2:instance', { Owner: 'ann.lee@example.com', Environment: 'production', CostCenter: 'Engineering', Application: 'billing-api' }).violations,
    [],
  );
  t.same(
    p.evaluate('ec2:instance', { Owner: 'ann', Environment: 'prod', CostCenter: 'engineering', Application: 'Billing API' }).violations.map((v) => `${v.tag_name}:${v.violation_type}`),
    ['Owner:invalid_format', 'Environment:invalid_value', 'CostCenter:wrong_value_case', 'Application:invalid_format'],
  );
});

t.test('every example policy loads without warnings', async (t) => {
  const files = readdirSync(`${root}examples`).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 2 && files.length <= 3, `${files.length} examples`);
  for (const f of files) {
    const p = await loadPolicyFile(`${root}examples/${f}`);
    t.same(p.warnings, [], f);
    t.ok(p.applicableTypes.length > 0, f);
  }
});

t.test('policies/tagging_policy.schema.json is the TypeBox schema, verbatim', async (t) => {
  t.same(JSON.parse(readFileSync(`${root}tagging_policy.schema.json`, 'utf8')), policyJsonSchema());
});
