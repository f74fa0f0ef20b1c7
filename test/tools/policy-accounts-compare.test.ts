import t, { type Test } from 'tap';
import { UserError } from '../../src/core/errors.js';
import { compareAccounts } from '../../src/tools/compare-accounts.js';
import { getTaggingPolicy } from '../../src/tools/get-tagging-policy.js';
import { listAccounts } from '../../src/tools/list-accounts.js';
import type { AnyTool } from '../../src/tools/types.js';
import { A, B, C, D, makeContext, schemaErrors } from './helpers.js';

async function call<T>(t: Test, tool: AnyTool, ctx: ReturnType<typeof makeContext>, input: Record<string, unknown>): Promise<T> {
  t.same(schemaErrors(tool.inputSchema, input), [], 'input valid');
  const out = await tool.handler(ctx, input);
  t.same(schemaErrors(tool.outputSchema, out), [], 'output matches its schema');
  return out as T;
}

t.test('get_tagging_policy', async (t) => {
  const ctx = makeContext();
  const out = await call<{
    version: string;
    policy_hash: string;
    required_tag_count: number;
    optional_tag_count: number;
    prohibited_tag_count: number;
    all_applicable_resource_types: string[];
    required_tags_by_type: Record<string, string[]>;
    policy: { required_tags: { name: string; allowed_values: string[] | null; applies_to: string[] }[] };
  }>(t, getTaggingPolicy, ctx, {});
  t.equal(out.version, '1.0');
  t.equal(out.policy_hash, ctx.policy.current().hash);
  t.same([out.required_tag_count, out.optional_tag_count, out.prohibited_tag_count], [3, 1, 0]);
  t.equal(out.all_applicable_resource_types.length, 22);
  t.same(out.required_tags_by_type['ec2:instance'], ['Owner', 'Environment', 'CostCenter']);
  t.same(out.required_tags_by_type['s3:bucket'], ['Owner', 'Environment']);
  t.same(out.policy.required_tags[1], { name: 'Environment', description: 'stage', allowed_values: ['prod', 'staging', 'dev'], validation_regex: null, applies_to: [] });
});

t.test('list_accounts', async (t) => {
  const ctx = makeContext();
  const out = await call<{ total_accounts: number; accounts: { account_id: string; alias: string | null; is_local: boolean; scannable: boolean; last_assume_role: unknown }[]; note: string; multi_account_enabled: boolean }>(t, listAccounts, ctx, {});
  t.equal(out.multi_account_enabled, true);
  t.same(out.accounts.map((a) => [a.account_id, a.alias, a.is_local, a.scannable]), [
    [A, 'prod', true, true],
    [B, 'staging', false, true],
    [C, 'sandbox', false, true],
    [D, 'old', false, false],
  ]);
  t.same(out.accounts[1]?.last_assume_role, { ok: true, at: '2026-11-22T11:00:00.000Z', error: null });
  t.same(out.accounts[2]?.last_assume_role, { ok: false, at: '2026-11-22T11:00:00.000Z', error: 'AccessDenied' });
  t.match(out.note, /1 account\(s\) failed their last AssumeRole/);
  const active = await call<{ total_accounts: number }>(t, listAccounts, ctx, { include_inactive: false });
  t.equal(active.total_accounts, 3);
  const limited = await call<{ accounts: { account_id: string }[] }>(t, listAccounts, makeContext({ allowed_accounts: [B] }), {});
  t.same(limited.accounts.map((a) => a.account_id), [B]);
});

t.test('compare_accounts', async (t) => {
  const ctx = makeContext();
  const out = await call<{
    accounts: { account_id: string; compliance_score: number; total_resources: number; violations_by_tag: Record<string, number>; violations_by_type: Record<string, number>; cost_attribution_gap: number; account_name: string | null }[];
    biggest_differences: { score_gaps: unknown[]; tag_differences: unknown[] };
    account_metadata: { failed_accounts: string[]; skipped_accounts: string[] };
    account_errors: { account_id: string; code: string }[];
    data_quality: { status: string };
    note: string;
  }>(t, compareAccounts, ctx, { account_ids: ['prod', 'staging', 'sandbox'] });
  t.same(out.accounts.map((a) => [a.account_id, a.account_name, a.compliance_score, a.total_resources, a.cost_attribution_gap]), [
    [B, 'Staging', 1, 2, 0],
    [A, 'Production', 0.4, 5, 96.8],
  ]);
  t.same(out.accounts[1]?.violations_by_tag, { CostCenter: 2, Environment: 3, Owner: 1 });
  t.same(out.accounts[1]?.violations_by_type, { invalid_format: 1, invalid_value: 1, missing_required_tag: 3, wrong_key_case: 1 });
  t.same(out.accounts[0]?.violations_by_tag, {});
  t.same(out.biggest_differences.score_gaps, [{ higher_account: B, lower_account: A, higher_score: 1, lower_score: 0.4, difference: 0.6 }]);
  t.same(out.biggest_differences.tag_differences, [
    { tag_name: 'Environment', counts: { [B]: 0, [A]: 3 }, most: A, least: B, spread: 3 },
    { tag_name: 'CostCenter', counts: { [B]: 0, [A]: 2 }, most: A, least: B, spread: 2 },
    { tag_name: 'Owner', counts: { [B]: 0, [A]: 1 }, most: A, least: B, spread: 1 },
  ]);
  t.same(out.account_metadata.failed_accounts, [C]);
  t.same(out.account_errors.map((e) => [e.account_id, e.code]), [[C, 'AssumeRoleFailed']]);
  t.equal(out.data_quality.status, 'partial');
  t.match(out.note, /Best: staging \(1\); worst: prod \(0\.4\)/);
  await t.rejects(compareAccounts.handler(ctx, { account_ids: ['prod', A] }), UserError);
  for (const ex of compareAccounts.examples) t.same(schemaErrors(compareAccounts.inputSchema, ex), [], JSON.stringify(ex));
  await t.rejects(compareAccounts.handler(ctx, { account_ids: ['prod'] }), { name: 'UserError', message: /at least two different accounts/ });
});
