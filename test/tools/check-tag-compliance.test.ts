import t, { type Test } from 'tap';
import { ForbiddenError, UserError } from '../../src/core/errors.js';
import { checkTagCompliance } from '../../src/tools/check-tag-compliance.js';
import { A, B, C, D, ROLE_C, SCANNED_AT, fakeCosts, fakeInventory, makeContext, schemaErrors } from './helpers.js';

type Out = {
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  violations: { resource_id: string; tag_name: string; violation_type: string; severity: string; cost_impact_monthly: number; account_id: string; region: string; current_value: string | null }[];
  violations_by_tag: Record<string, number>;
  violations_by_type: Record<string, number>;
  cost_attribution_gap: number;
  scan_timestamp: string;
  regional_breakdown: Record<string, unknown>;
  data_quality: { status: string; coverage_notes: string[]; failed: unknown[] };
  snapshot_id: string | null;
  next_cursor: string | null;
  note: string;
  account_metadata?: unknown;
  account_breakdown?: Record<string, unknown>;
  account_errors?: unknown[];
};

async function call(t: Test, ctx: ReturnType<typeof makeContext>, input: Record<string, unknown>): Promise<Out> {
  t.same(schemaErrors(checkTagCompliance.inputSchema, input), [], 'input valid');
  const out = await checkTagCompliance.handler(ctx, input);
  t.same(schemaErrors(checkTagCompliance.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

t.test('examples validate against the input schema', async (t) => {
  for (const ex of checkTagCompliance.examples) t.same(schemaErrors(checkTagCompliance.inputSchema, ex), [], JSON.stringify(ex));
  t.equal(checkTagCompliance.annotations.readOnlyHint, true);
  t.equal(checkTagCompliance.annotations.openWorldHint, true);
});

t.test('single-account answer: exact totals, violations, costs, no multi-account fields', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, {});
  t.equal(out.total_resources, 5);
  t.equal(out.compliant_resources, 2);
  t.equal(out.compliance_score, 0.4);
  t.equal(out.violation_count, 6);
  t.same(
    out.violations.map((v) => [v.resource_id, v.tag_name, v.violation_type, v.severity, v.cost_impact_monthly]),
    [
      ['i-a3', 'CostCenter', 'invalid_format', 'error', 5.2],
      ['i-a2', 'CostCenter', 'missing_required_tag', 'error', 41.6],
      ['i-a2', 'Environment', 'invalid_value', 'error', 41.6],
      ['vol-a1', 'Environment', 'missing_required_tag', 'error', 50],
      ['vol-a1', 'Owner', 'missing_required_tag', 'error', 50],
      ['bucket-a', 'Environment', 'wrong_key_case', 'warning', 0],
    ],
  );
  t.equal(out.violations[2]?.current_value, 'production');
  t.equal(out.violations[0]?.region, 'eu-west-1');
  t.same(out.violations_by_tag, { CostCenter: 2, Environment: 3, Owner: 1 });
  t.same(out.violations_by_type, { invalid_format: 1, missing_required_tag: 3, invalid_value: 1, wrong_key_case: 1 });
  t.equal(out.cost_attribution_gap, 96.8);
  t.same(out.regional_breakdown, {
    'eu-west-1': { total_resources: 1, compliant_resources: 0, compliance_score: 0, violation_count: 1 },
    'us-east-1': { total_resources: 4, compliant_resources: 2, compliance_score: 0.5, violation_count: 5 },
  });
  t.equal(out.scan_timestamp, SCANNED_AT);
  t.equal(out.data_quality.status, 'complete');
  t.equal(out.next_cursor, null);
  t.equal(out.snapshot_id, null);
  t.notOk('account_metadata' in out);
  t.notOk('account_breakdown' in out);
  // one inventory call in single-account mode, signal and progress passed down
  const req = ctx.fakeInventory.requests[0];
  t.equal(req?.account_ids, null);
  t.equal(req?.signal, ctx.signal);
  t.equal(req?.progress, ctx.progress);
  t.equal(ctx.progressUpdates.length, 1);
  t.same(ctx.fakeCosts.calls, [{ account_ids: [A], start: '2026-10-23', end: '2026-11-22' }]);
});

t.test('multi-account answer: account_metadata, account_breakdown, account_errors', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, { account_ids: ['prod', 'Staging', C, 'old'] });
  t.equal(out.total_resources, 7);
  t.equal(out.compliant_resources, 4);
  t.equal(out.compliance_score, 0.5714);
  t.same(out.account_metadata, { total_accounts: 4, successful_accounts: [A, B], failed_accounts: [C], skipped_accounts: [D], partial_accounts: [] });
  t.same(out.account_breakdown, {
    [A]: { account_id: A, account_alias: 'prod', account_name: 'Production', total_resources: 5, compliant_resources: 2, compliance_score: 0.4, violation_count: 6, cost_attribution_gap: 96.8 },
    [B]: { account_id: B, account_alias: 'staging', account_name: 'Staging', total_resources: 2, compliant_resources: 2, compliance_score: 1, violation_count: 0, cost_attribution_gap: 0 },
  });
  t.same(out.account_errors, [
    { account_id: C, status: 'failed', code: 'AssumeRoleFailed', message: 'AccessDenied when assuming the role', role_arn: ROLE_C, duration_ms: 42 },
    { account_id: D, status: 'skipped', code: 'Skipped', message: 'account is SUSPENDED', role_arn: null, duration_ms: 0 },
  ]);
  t.equal(out.data_quality.status, 'partial');
  t.match(out.note, /Data is partial/);
  t.same(ctx.fakeInventory.requests[0]?.account_ids, [A, B, C]);
  t.same(ctx.fakeInventory.requests[0]?.skipped_accounts, [{ account_id: D, reason: 'account is SUSPENDED' }], 'skipped accounts handed to the scan');
  t.same(ctx.fakeCosts.calls.map((c) => c.account_ids), [[A, B, C]], 'one CE query for every attempted account: the failed one\'s spend is reported unallocated, not dropped');
});

t.test('pagination: pages concatenate to the full list; foreign and broken cursors are refused', async (t) => {
  const ctx = makeContext();
  const full = await call(t, ctx, { account_ids: ['all'] });
  const seen: unknown[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await call(t, ctx, { account_ids: ['all'], limit: 4, ...(cursor === undefined ? {} : { cursor }) });
    t.ok(page.violations.length <= 4);
    seen.push(...page.violations);
    cursor = page.next_cursor ?? undefined;
    pages++;
    if (cursor !== undefined) t.match(page.note, /more not shown/);
  } while (cursor !== undefined && pages < 10);
  t.equal(pages, 2);
  t.same(seen, full.violations);
  const first = await call(t, ctx, { limit: 2 });
  t.type(first.next_cursor, 'string');
  await t.rejects(checkTagCompliance.handler(ctx, { limit: 2, severity: 'errors_only', cursor: first.next_cursor }), { name: 'UserError', code: 'cursor_mismatch' });
  await t.rejects(checkTagCompliance.handler(ctx, { cursor: 'not-a-cursor' }), { name: 'UserError', code: 'invalid_cursor' });
  const second = await call(t, ctx, { limit: 5, cursor: first.next_cursor });
  t.same(second.violations.map((v) => v.resource_id), ['i-a2', 'vol-a1', 'vol-a1', 'bucket-a'], 'limit may change between pages');
});

t.test('severity filter changes the list and counts, not the score', async (t) => {
  const ctx = makeContext();
  const errors = await call(t, ctx, { severity: 'errors_only' });
  t.equal(errors.violation_count, 5);
  t.equal(errors.violations_by_type.wrong_key_case, undefined);
  t.equal(errors.compliance_score, 0.4);
  const warnings = await call(t, ctx, { severity: 'warnings_only' });
  t.same(warnings.violations.map((v) => v.resource_id), ['bucket-a']);
});

t.test('filters: regions and tags', async (t) => {
  const ctx = makeContext();
  const eu = await call(t, ctx, { filters: { region: 'eu-west-1' }, resource_types: ['ec2:instance'] });
  t.same(ctx.fakeInventory.requests[0]?.regions, ['eu-west-1']);
  t.same(ctx.fakeInventory.requests[0]?.resource_types, ['ec2:instance']);
  t.equal(eu.total_resources, 1);
  const prod = await call(t, ctx, { filters: { tags: { Environment: 'prod' } } });
  t.equal(prod.total_resources, 1);
  t.equal(prod.compliant_resources, 1);
  t.match(prod.data_quality.coverage_notes.join(' '), /tag filter \(Environment\).*1 of 5/);
  const anyCc = await call(t, ctx, { filters: { tags: { CostCenter: '*' } } });
  t.equal(anyCc.total_resources, 2);
});

t.test('Cost Explorer failure: scan still answered, costs 0, note says why', async (t) => {
  const ctx = makeContext({ costs: fakeCosts({ fail: true }) });
  const out = await call(t, ctx, {});
  t.equal(out.total_resources, 5);
  t.equal(out.cost_attribution_gap, 0);
  t.ok(out.violations.every((v) => v.cost_impact_monthly === 0));
  t.match(out.data_quality.coverage_notes.join(' '), /Cost Explorer could not be read \(AccessDenied/);
});

t.test('store_snapshot writes the full run to history', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, { store_snapshot: true, severity: 'errors_only' });
  t.equal(out.snapshot_id, 'snap-1');
  const snap = ctx.memoryHistory.saved[0];
  t.equal(snap?.total_resources, 5);
  t.equal(snap?.violation_count, 6, 'snapshot counts every violation whatever the severity filter');
  t.equal(snap?.error_count, 5);
  t.equal(snap?.warning_count, 1);
  t.equal(snap?.cost_attribution_gap, 96.8);
  t.same(snap?.scope.account_ids, [A]);
  t.equal(snap?.scope.policy_hash, ctx.policy.current().hash);
  t.equal(snap?.resources.length, 5);
  t.same(snap?.resources.find((r) => r.arn.endsWith('vol-a1')), { arn: `arn:aws:ec2:us-east-1:${A}:volume/vol-a1`, resource_type: 'ec2:volume', account_id: A, region: 'us-east-1', tags: {}, compliant: false });
  t.same(snap?.accounts, [{ account_id: A, total_resources: 5, compliant_resources: 2, violation_count: 6, cost_attribution_gap: 96.8 }]);
});

t.test('scope errors: unknown type, forbidden account, partial cell', async (t) => {
  const ctx = makeContext();
  const err = await checkTagCompliance.handler(ctx, { resource_types: ['ec2:spaceship'] }).catch((e: unknown) => e);
  t.ok(err instanceof UserError);
  t.match((err as Error).message, /ec2:spaceship.*Valid names: .*ec2:instance/);
  const limited = makeContext({ allowed_accounts: [B] });
  await t.rejects(checkTagCompliance.handler(limited, { account_ids: ['prod'] }), ForbiddenError);
  await t.rejects(checkTagCompliance.handler(limited, {}), ForbiddenError);
  const onlyB = await call(t, limited, { account_ids: ['all'] });
  t.same((onlyB.account_metadata as { successful_accounts: string[] }).successful_accounts, [B]);

  const partial = makeContext({ inventory: fakeInventory({ cellFailures: [{ account_id: A, region: 'eu-west-1', resource_type: 'rds:db', error_code: 'AccessDenied', message: 'rds:DescribeDBInstances denied' }] }) });
  const out = await call(t, partial, { account_ids: ['prod'] });
  t.equal(out.data_quality.status, 'partial');
  t.same(out.data_quality.failed, [{ account_id: A, region: 'eu-west-1', resource_type: 'rds:db', error_code: 'AccessDenied', message: 'rds:DescribeDBInstances denied' }]);
  t.same((out.account_metadata as { partial_accounts: string[] }).partial_accounts, [A]);
});
