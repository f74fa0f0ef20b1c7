import fc from 'fast-check';
import t from 'tap';
import { evaluateResources } from '../../src/compliance/evaluate.js';
import { filterBySeverity } from '../../src/compliance/severity.js';
import { sortViolations } from '../../src/compliance/sort.js';
import { summarize } from '../../src/compliance/summarize.js';
import type { ComplianceSummary, SeverityFilter } from '../../src/compliance/types.js';
import { costOf, policyArb, resourcesArb, reverseTags, tagsArb, typeArb } from './arbitraries.js';

const RUNS = { numRuns: 200 };
const severityArb = fc.constantFrom<SeverityFilter>('all', 'errors_only', 'warnings_only');
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const countValues = (r: Record<string, number>): number => sum(Object.values(r));

function checkBounds(s: ComplianceSummary): void {
  const parts = [s, ...Object.values(s.regional_breakdown), ...Object.values(s.account_breakdown)];
  for (const p of parts) {
    if (!(p.compliance_score >= 0 && p.compliance_score <= 1)) throw new Error(`score ${p.compliance_score}`);
    if (p.compliant_resources > p.total_resources) throw new Error('compliant > total');
    if (p.total_resources === 0 && p.compliance_score !== 1) throw new Error('empty score must be 1');
  }
}

t.test('scores are in [0,1], compliant <= total everywhere, empty is 1.0', async (t) => {
  fc.assert(
    fc.property(policyArb, resourcesArb(), severityArb, (policy, resources, severity) => {
      checkBounds(summarize(evaluateResources(policy, resources, costOf), { severity }));
    }),
    RUNS,
  );
  t.pass();
});

t.test('totals equal the sums of the per-account and per-region breakdowns', async (t) => {
  fc.assert(
    fc.property(policyArb, resourcesArb(), severityArb, (policy, resources, severity) => {
      const s = summarize(evaluateResources(policy, resources, costOf), { severity });
      const accounts = Object.values(s.account_breakdown);
      const regions = Object.values(s.regional_breakdown);
      t.equal(sum(accounts.map((a) => a.total_resources)), s.total_resources);
      t.equal(sum(regions.map((a) => a.total_resources)), s.total_resources);
      t.equal(sum(accounts.map((a) => a.compliant_resources)), s.compliant_resources);
      t.equal(sum(regions.map((a) => a.compliant_resources)), s.compliant_resources);
      t.equal(sum(accounts.map((a) => a.violation_count)), s.violation_count);
      t.equal(sum(regions.map((a) => a.violation_count)), s.violation_count);
      // Each account gap is rounded to the cent: the sum may differ by half a cent per account.
      t.ok(Math.abs(sum(accounts.map((a) => a.cost_attribution_gap)) - s.cost_attribution_gap) <= 0.005 * (accounts.length + 1));
      const inScope = resources.filter((r) => policy.requiredTagsFor(r.type).length > 0).length;
      t.equal(s.total_resources, inScope);
    }),
    { numRuns: 60 },
  );
});

t.test('violation counts equal list lengths', async (t) => {
  fc.assert(
    fc.property(policyArb, resourcesArb(), severityArb, (policy, resources, severity) => {
      const e = evaluateResources(policy, resources, costOf);
      const s = summarize(e, { severity });
      const listed = filterBySeverity(e.violations, severity);
      const perResource = sum(e.resources.map((r) => filterBySeverity(r.violations, severity).length));
      return (
        s.violation_count === listed.length &&
        s.violation_count === perResource &&
        s.error_count + s.warning_count === s.violation_count &&
        s.error_count === listed.filter((v) => v.severity === 'error').length &&
        countValues(s.violations_by_tag) === s.violation_count &&
        countValues(s.violations_by_type) === s.violation_count &&
        countValues(s.violations_by_resource_type) === s.violation_count
      );
    }),
    RUNS,
  );
  t.pass();
});

t.test('severity filters partition the violations', async (t) => {
  fc.assert(
    fc.property(policyArb, resourcesArb(), (policy, resources) => {
      const all = evaluateResources(policy, resources).violations;
      const errors = filterBySeverity(all, 'errors_only');
      const warnings = filterBySeverity(all, 'warnings_only');
      const everything = filterBySeverity(all, 'all');
      return (
        errors.length + warnings.length === all.length &&
        everything.length === all.length &&
        errors.every((v) => v.severity === 'error' && !warnings.includes(v)) &&
        warnings.every((v) => v.severity === 'warning') &&
        all.every((v) => errors.includes(v) !== warnings.includes(v))
      );
    }),
    RUNS,
  );
  t.pass();
});

t.test('compliant exactly when there is no error; out of scope means no violations', async (t) => {
  fc.assert(
    fc.property(policyArb, typeArb, tagsArb, (policy, type, tags) => {
      const r = policy.evaluate(type, tags);
      if (!r.in_scope) return r.compliant && r.violations.length === 0 && policy.requiredTagsFor(type).length === 0;
      return r.compliant === !r.violations.some((v) => v.severity === 'error') && policy.requiredTagsFor(type).length > 0;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

t.test('evaluation is deterministic and independent of tag order and resource order', async (t) => {
  fc.assert(
    fc.property(policyArb, typeArb, tagsArb, (policy, type, tags) => {
      const a = policy.evaluate(type, tags);
      t.same(policy.evaluate(type, tags), a);
      t.same(policy.evaluate(type, reverseTags(tags)), a);
    }),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(policyArb, resourcesArb(), fc.integer(), (policy, resources, seed) => {
      const shuffled = [...resources].sort((x, y) => ((x.id.length * 31 + seed) % 7) - ((y.id.length * 31 + seed) % 7) || (x.arn < y.arn ? 1 : -1));
      const retagged = shuffled.map((r) => ({ ...r, tags: reverseTags(r.tags) }));
      const a = evaluateResources(policy, resources, costOf);
      const b = evaluateResources(policy, retagged, costOf);
      t.same(b.violations, a.violations);
      t.same(sortViolations([...a.violations].reverse()), a.violations, 'evaluateResources emits compareViolations order');
      t.same(summarize(b), summarize(a));
    }),
    { numRuns: 60 },
  );
});
