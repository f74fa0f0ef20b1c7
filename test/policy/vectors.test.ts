import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { PolicyError } from '../../src/core/errors.js';
import { complianceScore } from '../../src/compliance/score.js';
import { evaluateResources } from '../../src/compliance/evaluate.js';
import { summarize } from '../../src/compliance/summarize.js';
import { parsePolicy } from '../../src/policy/load.js';
import { loadVectors, resource, SHARED_VECTORS, VECTORS_COPY } from './helpers.js';

const vectors = loadVectors();

t.test('the committed copy of the vectors is identical to the shared file', async (t) => {
  if (!existsSync(SHARED_VECTORS)) {
    t.pass('shared/ is absent in this clone: the committed copy is used');
    return;
  }
  t.equal(readFileSync(VECTORS_COPY, 'utf8'), readFileSync(SHARED_VECTORS, 'utf8'));
});

t.test('the vectors file has every section', async (t) => {
  t.ok(vectors.cases.length >= 15);
  t.ok(vectors.scores.length >= 2);
  t.ok(vectors.invalid_policies.length >= 3);
});

const key = (v: { tag_name: string; violation_type: string; severity: string }): string => `${v.tag_name}|${v.violation_type}|${v.severity}`;

for (const c of vectors.cases) {
  t.test(`case ${c.id}`, async (t) => {
    const doc = vectors.policies[c.policy];
    if (doc === undefined) throw new Error(`unknown policy ${c.policy}`);
    const policy = parsePolicy(doc);
    const result = policy.evaluate(c.type, c.tags);
    t.equal(result.in_scope, c.expect.in_scope, 'in_scope');
    t.equal(result.compliant, c.expect.compliant, 'compliant');
    t.same(result.violations.map(key).sort(), c.expect.violations.map(key).sort(), 'violations (order-free)');
    // Same verdict through the aggregation path that tools use.
    const evaluated = evaluateResources(policy, [resource({ type: c.type, tags: c.tags })]);
    const summary = summarize(evaluated);
    t.equal(summary.total_resources, c.expect.in_scope ? 1 : 0);
    t.equal(summary.compliant_resources, c.expect.in_scope && c.expect.compliant ? 1 : 0);
    t.equal(summary.violation_count, c.expect.violations.length);
  });
}

for (const s of vectors.scores) {
  t.test(`score ${s.id}`, async (t) => {
    t.equal(complianceScore(s.compliant, s.in_scope), s.expect_score);
    if (s.precision !== undefined) t.equal(Number(complianceScore(s.compliant, s.in_scope).toFixed(s.precision)), s.expect_score);
  });
}

for (const inv of vectors.invalid_policies) {
  t.test(`invalid policy ${inv.id}`, async (t) => {
    const doc = { ...vectors.policies.base, ...inv.patch };
    t.throws(() => parsePolicy(doc), PolicyError);
    try {
      parsePolicy(doc);
    } catch (err) {
      t.type(err, PolicyError);
      t.match((err as PolicyError).message, inv.error_mentions);
      t.not((err as PolicyError).field, '', 'the error names a field');
    }
  });
}
