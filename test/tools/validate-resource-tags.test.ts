import t, { type Test } from 'tap';
import { UserError } from '../../src/core/errors.js';
import { validateResourceTags } from '../../src/tools/validate-resource-tags.js';
import { A, B, C, D, fakeInventory, makeContext, schemaErrors } from './helpers.js';

interface Res {
  resource_arn: string;
  status: string;
  resource_type: string | null;
  account_id: string | null;
  compliant: boolean | null;
  has_tags: boolean | null;
  current_tags: Record<string, string> | null;
  violations: { tag_name: string; violation_type: string; severity: string }[];
  message: string;
}
interface Out {
  total: number;
  compliant: number;
  non_compliant: number;
  not_found: number;
  not_checked: number;
  results: Res[];
  data_quality: { status: string };
}

async function call(t: Test, ctx: ReturnType<typeof makeContext>, arns: string[]): Promise<Out> {
  const input = { resource_arns: arns };
  t.same(schemaErrors(validateResourceTags.inputSchema, input), [], 'input valid');
  const out = await validateResourceTags.handler(ctx, input);
  t.same(schemaErrors(validateResourceTags.outputSchema, out), [], 'output matches its schema');
  return out as Out;
}

t.test('examples validate', async (t) => {
  for (const ex of validateResourceTags.examples) t.same(schemaErrors(validateResourceTags.inputSchema, ex), [], JSON.stringify(ex));
});

t.test('found resources are evaluated; not_found differs from no tags', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, [
    `arn:aws:ec2:us-east-1:${A}:instance/i-a2`,
    `arn:aws:ec2:us-east-1:${A}:volume/vol-a1`,
    `arn:aws:ec2:us-east-1:${A}:instance/i-a1`,
    `arn:aws:ec2:us-east-1:${A}:instance/i-zzz`,
    `arn:aws:rds:us-east-1:${B}:db:db-b1`,
  ]);
  t.same(out.results.map((r) => r.status), ['non_compliant', 'non_compliant', 'compliant', 'not_found', 'compliant']);
  const [a2, vol, a1, missing] = out.results;
  t.same(a2?.violations.map((v) => [v.tag_name, v.violation_type]), [['Environment', 'invalid_value'], ['CostCenter', 'missing_required_tag']]);
  t.equal(a2?.has_tags, true);
  t.equal(vol?.has_tags, false);
  t.same(vol?.current_tags, {});
  t.match(vol?.message ?? '', /no tags at all/);
  t.equal(a1?.compliant, true);
  t.equal(missing?.current_tags, null);
  t.equal(missing?.has_tags, null);
  t.equal(missing?.compliant, null);
  t.match(missing?.message ?? '', /No ec2:instance with this ARN exists in account 111111111111 in us-east-1/);
  t.same([out.total, out.compliant, out.non_compliant, out.not_found, out.not_checked], [5, 2, 2, 1, 0]);
  // the two us-east-1 instance ARNs of A share one read; local account read in single-account form
  const reqs = ctx.fakeInventory.requests.map((r) => [r.account_ids, r.regions, r.resource_types]);
  t.same(reqs, [
    [null, ['us-east-1'], ['ec2:instance']],
    [null, ['us-east-1'], ['ec2:volume']],
    [[B], ['us-east-1'], ['rds:db']],
  ]);
});

t.test('S3 bucket ARNs (no account) are looked up in the accounts the caller may scan', async (t) => {
  const ctx = makeContext();
  const out = await call(t, ctx, ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::nope']);
  t.equal(out.results[0]?.status, 'compliant');
  t.equal(out.results[0]?.account_id, A);
  t.same(out.results[0]?.violations.map((v) => v.violation_type), ['wrong_key_case']);
  // account C failed during that read: a bucket we cannot find might live there
  t.equal(out.results[1]?.status, 'error');
  t.match(out.results[1]?.message ?? '', /AssumeRoleFailed/);
  t.equal(out.data_quality.status, 'partial');
});

t.test('per-ARN errors: invalid, unsupported, unknown/suspended/unreadable accounts, failed cell', async (t) => {
  const ctx = makeContext({ inventory: fakeInventory({ cellFailures: [{ account_id: A, region: 'eu-west-1', resource_type: 'rds:db', error_code: 'AccessDenied', message: 'denied' }] }) });
  const out = await call(t, ctx, [
    'hello',
    `arn:aws:iam::${A}:role/admin`,
    'arn:aws:ec2:us-east-1:999999999999:instance/i-1',
    `arn:aws:ec2:us-east-1:${D}:instance/i-1`,
    `arn:aws:ec2:us-east-1:${C}:instance/i-1`,
    `arn:aws:rds:eu-west-1:${A}:db:orders`,
  ]);
  t.same(out.results.map((r) => r.status), ['invalid_arn', 'unsupported_type', 'error', 'error', 'error', 'error']);
  t.match(out.results[2]?.message ?? '', /999999999999 is not one this server can scan/);
  t.match(out.results[3]?.message ?? '', /not scanned \(account is SUSPENDED\)/);
  t.match(out.results[4]?.message ?? '', /AssumeRoleFailed/);
  t.match(out.results[5]?.message ?? '', /AccessDenied: denied/);
  t.equal(out.not_checked, 6);
  // a region the scan refuses only fails its own ARN
  const refusing = makeContext();
  const inner = refusing.fakeInventory.collect.bind(refusing.fakeInventory);
  refusing.inventory.collect = async (req) => {
    if (req.regions?.includes('ap-south-2') === true) throw new UserError('Region(s) ap-south-2 are outside ALLOWED_REGIONS. Allowed: us-east-1.');
    return inner(req);
  };
  const mixed = await call(t, refusing, [`arn:aws:ec2:ap-south-2:${A}:instance/i-1`, `arn:aws:ec2:us-east-1:${A}:instance/i-a1`]);
  t.same(mixed.results.map((r) => r.status), ['error', 'compliant']);
  t.match(mixed.results[0]?.message ?? '', /Not checked: Region\(s\) ap-south-2 are outside ALLOWED_REGIONS/);
  const limited = makeContext({ allowed_accounts: [B] });
  const denied = await call(t, limited, [`arn:aws:ec2:us-east-1:${A}:instance/i-a1`]);
  t.equal(denied.results[0]?.status, 'error');
  t.match(denied.results[0]?.message ?? '', /may not read account/);
  t.equal(limited.fakeInventory.requests.length, 0, 'nothing read for a forbidden account');
});
