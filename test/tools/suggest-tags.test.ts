import t, { type Test } from 'tap';
import { NotFoundError, UserError } from '../../src/core/errors.js';
import type { ResourceRecord } from '../../src/core/types.js';
import { suggestTags } from '../../src/tools/suggest-tags.js';
import { A, fakeInventory, fixtureResources, makeContext, schemaErrors } from './helpers.js';

interface Sug {
  value: string;
  confidence: number;
  reasoning: string;
  evidence: { source: string; count: number; total: number; resource_arns: string[] }[];
}
interface Out {
  compliant: boolean;
  tags: { tag_name: string; problem: string; current_value: string | null; suggestions: Sug[]; no_evidence_reason: string | null }[];
  note: string;
}

async function call(t: Test, ctx: ReturnType<typeof makeContext>, arn: string): Promise<Out> {
  const input = { resource_arn: arn };
  t.same(schemaErrors(suggestTags.inputSchema, input), [], 'input valid');
  const out = await suggestTags.handler(ctx, input);
  t.same(schemaErrors(suggestTags.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

const brief = (o: Out): unknown => o.tags.map((x) => [x.tag_name, x.problem, x.suggestions.map((s) => [s.value, s.confidence, s.evidence.map((e) => `${e.source}:${e.count}/${e.total}`)])]);

t.test('examples validate', async (t) => {
  for (const ex of suggestTags.examples) t.same(schemaErrors(suggestTags.inputSchema, ex), [], JSON.stringify(ex));
});

t.test('volume: values from the attached instance and the account', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, `arn:aws:ec2:us-east-1:${A}:volume/vol-a1`);
  t.same(brief(out), [
    ['Owner', 'missing_required_tag', [['ann.lee@example.com', 0.92, ['attached_instance:1/1', 'account_dominant_value:2/3']]]],
    ['Environment', 'missing_required_tag', [['prod', 0.9, ['attached_instance:1/1']]]],
  ]);
  t.match(out.tags[0]?.suggestions[0]?.reasoning ?? '', /attached to instance i-a1 \(web-1\), which has Owner=ann\.lee@example\.com.*2 of 3 resource\(s\) in account 111111111111/);
  t.same(out.tags[0]?.suggestions[0]?.evidence[0]?.resource_arns, [`arn:aws:ec2:us-east-1:${A}:instance/i-a1`]);
  t.equal(out.compliant, false);
  const req = ctx.fakeInventory.requests[1];
  t.same([req?.account_ids, req?.regions], [null, ['us-east-1']], 'related resources read from the same account and region');
});

t.test('instance: stack and name prefix evidence; invalid current value replaced', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, `arn:aws:ec2:us-east-1:${A}:instance/i-a2`);
  t.same(brief(out), [
    ['Environment', 'invalid_value', [['prod', 0.94, ['cloudformation_stack:1/1', 'name_prefix:1/1']]]],
    ['CostCenter', 'missing_required_tag', [['CC-1234', 0.94, ['cloudformation_stack:1/1', 'name_prefix:1/1']]]],
  ]);
  t.equal(out.tags[0]?.current_value, 'production');
  t.match(out.tags[0]?.suggestions[0]?.reasoning ?? '', /1 of 1 other resource\(s\) in CloudFormation stack 'web' have Environment=prod \(i-a1 \(web-1\)\)/);
});

t.test('no evidence: says so, invents nothing', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, `arn:aws:ec2:eu-west-1:${A}:instance/i-a3`);
  t.equal(out.tags.length, 1);
  t.same(out.tags[0]?.suggestions, []);
  t.match(out.tags[0]?.no_evidence_reason ?? '', /No related resource .* carries a valid CostCenter/);
  const ok = await call(t, ctx, `arn:aws:ec2:us-east-1:${A}:instance/i-a1`);
  t.same(ok.tags, []);
  t.match(ok.note, /nothing to suggest/);
});

t.test('never suggests a value outside allowed_values or failing the pattern', async (t) => {
  const base = fixtureResources();
  const inst = (id: string, tags: Record<string, string>): ResourceRecord => ({ arn: `arn:aws:ec2:us-east-1:${A}:instance/${id}`, id, name: null, type: 'ec2:instance', account_id: A, region: 'us-east-1', tags, created_at: null, attributes: {} });
  const resources = [
    ...base.filter((r) => r.account_id === A),
    inst('i-bad1', { Owner: 'NOT AN EMAIL', Environment: 'Production', CostCenter: 'cc-1', 'aws:cloudformation:stack-name': 'bad' }),
    inst('i-bad2', { Owner: 'NOT AN EMAIL', Environment: 'PROD', CostCenter: 'cc-1', 'aws:cloudformation:stack-name': 'bad' }),
    { ...inst('vol-x', { 'aws:cloudformation:stack-name': 'bad' }), arn: `arn:aws:ec2:us-east-1:${A}:volume/vol-x`, id: 'vol-x', type: 'ec2:volume', attributes: { attached_instance_id: 'i-bad1' } },
  ];
  const ctx = makeContext({ inventory: fakeInventory({ resources }) });
  const out = await call(t, ctx, `arn:aws:ec2:us-east-1:${A}:volume/vol-x`);
  const policy = ctx.policy.current();
  for (const tag of out.tags) {
    for (const s of tag.suggestions) {
      const ev = policy.evaluate('ec2:volume', { [tag.tag_name]: s.value });
      t.same(ev.violations.filter((v) => v.tag_name === tag.tag_name), [], `${tag.tag_name}=${s.value} is accepted by the policy`);
      t.notOk(['NOT AN EMAIL', 'Production', 'PROD'].includes(s.value));
    }
  }
  // the only valid Owner in the account is the dominant one from A's good resources
  t.same(brief(out), [
    ['Owner', 'missing_required_tag', [['ann.lee@example.com', 0.2, ['account_dominant_value:2/3']]]],
    ['Environment', 'missing_required_tag', []],
  ]);
});

t.test('errors: bad ARN, unsupported type, not found', async (t) => {
  const ctx = makeContext();
  await t.rejects(suggestTags.handler(ctx, { resource_arn: 'nope' }), UserError);
  await t.rejects(suggestTags.handler(ctx, { resource_arn: `arn:aws:iam::${A}:role/x` }), { message: /does not scan/ });
  await t.rejects(suggestTags.handler(ctx, { resource_arn: `arn:aws:ec2:us-east-1:${A}:instance/i-none` }), NotFoundError);
  await t.rejects(suggestTags.handler(ctx, { resource_arn: 'arn:aws:ec2:us-east-1:999999999999:instance/i-1' }), UserError);
});
