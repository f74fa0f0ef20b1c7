/** SDK error → AwsAccessError mapping (pure). */
import t from 'tap';
import { assumeRoleError, iamActionFor, tagOperation, toAwsAccessError } from '../../src/aws/errors.js';
import { AwsAccessError } from '../../src/aws/gateway.js';
import { parseArn, partitionOf, resourceIdOf } from '../../src/aws/arn.js';

const ROLE = 'arn:aws:iam::222222222222:role/FinOps';
const ctx = { account_id: '222222222222', role_arn: ROLE, region: 'eu-west-1' };
const sdkError = (name: string, status: number, message = 'raw text with arn:aws:iam::999999999999:user/someone'): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

t.test('codes', async (t) => {
  const cases: [unknown, string][] = [
    [sdkError('ThrottlingException', 400), 'Throttling'],
    [sdkError('RequestLimitExceeded', 503), 'Throttling'],
    [sdkError('Whatever', 429), 'Throttling'],
    [sdkError('ExpiredToken', 400), 'ExpiredToken'],
    [sdkError('ExpiredTokenException', 400), 'ExpiredToken'],
    [sdkError('UnauthorizedOperation', 403), 'AccessDenied'],
    [sdkError('AccessDeniedException', 400), 'AccessDenied'],
    [sdkError('AuthFailure', 401), 'RegionDisabled'],
    [sdkError('OptInRequired', 403), 'RegionDisabled'],
    [sdkError('TimeoutError', 0), 'Timeout'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'EndpointUnreachable'],
    [sdkError('NoSuchBucket', 404), 'NotFound'],
    [sdkError('InternalError', 500), 'Unknown'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'Cancelled'],
  ];
  for (const [err, code] of cases) t.equal(toAwsAccessError(err, ctx).code, code, `${(err as Error).name} → ${code}`);
});

t.test('the caller signal decides Cancelled vs Timeout', async (t) => {
  const ac = new AbortController();
  ac.abort();
  t.equal(toAwsAccessError(sdkError('AbortError', 0), { ...ctx, signal: ac.signal }).code, 'Cancelled');
  const timeout = new AbortController();
  timeout.abort(new DOMException('timed out', 'TimeoutError'));
  t.equal(toAwsAccessError(sdkError('AbortError', 0), { ...ctx, signal: timeout.signal }).code, 'Timeout');
});

t.test('messages are safe and say what to fix', async (t) => {
  const denied = sdkError('UnauthorizedOperation', 403);
  tagOperation(denied, 'ec2:DescribeVolumes');
  const e = toAwsAccessError(denied, { ...ctx, activity: 'listing ec2:volume' });
  t.equal(e.message, `Access denied in account 222222222222 region eu-west-1 while listing ec2:volume (ec2:DescribeVolumes). Grant ec2:DescribeVolumes to the role ${ROLE}.`);
  t.notMatch(e.message, /999999999999|raw text/);
  const unknown = toAwsAccessError(sdkError('Weird Name With Spaces: arn:aws:iam::999999999999:root', 500), ctx);
  t.equal(unknown.message, 'An AWS call failed in account 222222222222 region eu-west-1 (Error, HTTP 500).');
  t.equal(unknown.retryable, true);
  const passthrough = new AwsAccessError('x', { code: 'AssumeRoleFailed' });
  t.equal(toAwsAccessError(passthrough, ctx), passthrough);
  t.equal(iamActionFor('tagging:GetResources'), 'tag:GetResources');
  t.equal(iamActionFor('s3:ListBuckets'), 's3:ListAllMyBuckets');
});

t.test('assume-role failures', async (t) => {
  const base = { account_id: '222222222222', role_arn: ROLE, external_id_configured: true };
  const denied = assumeRoleError(sdkError('AccessDenied', 403), base);
  t.equal(denied.code, 'AssumeRoleFailed');
  t.equal(denied.role_arn, ROLE);
  t.match(denied.message, `Deploy the member role ${ROLE}`);
  t.match(denied.message, 'ExternalId sent (AWS_ASSUME_ROLE_EXTERNAL_ID) may also differ');
  t.notMatch(denied.message, /999999999999/);
  const throttled = assumeRoleError(sdkError('Throttling', 400), base);
  t.equal(throttled.retryable, true);
  t.match(throttled.message, /throttled/);
  t.match(assumeRoleError(sdkError('AccessDenied', 403, 'account is suspended'), base).message, /suspended or closed/);
  t.match(assumeRoleError(sdkError('InvalidClientTokenId', 403), base).message, /server's own AWS credentials are invalid or expired/);
});

t.test('ARN helpers', async (t) => {
  t.equal(partitionOf('us-gov-west-1'), 'aws-us-gov');
  t.equal(partitionOf('cn-north-1'), 'aws-cn');
  t.equal(partitionOf('eu-west-1'), 'aws');
  t.same(parseArn('arn:aws:lambda:us-east-1:1:function:f'), { partition: 'aws', service: 'lambda', region: 'us-east-1', account: '1', resource: 'function:f' });
  t.equal(parseArn('not-an-arn'), null);
  t.equal(resourceIdOf('function:f'), 'f');
  t.equal(resourceIdOf('service/cluster/svc'), 'cluster/svc');
  t.equal(resourceIdOf('bucket'), 'bucket');
});
