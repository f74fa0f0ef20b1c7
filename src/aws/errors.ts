/**
 * SDK error → AwsAccessError. Messages are built from the error's code, HTTP status and what we
 * were doing; raw AWS text is never copied (it can carry foreign principals' ARNs), and nothing
 * here ever sees credentials.
 */
import { AwsAccessError } from './gateway.js';

const OPERATION = Symbol.for('finops.aws.operation');

const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'RequestThrottled',
  'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded', 'LimitExceededException', 'PriorRequestNotComplete', 'EC2ThrottledException',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden', 'AllAccessDisabled']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const REGION_DISABLED = new Set(['OptInRequired', 'AuthFailure', 'InvalidClientTokenId', 'UnrecognizedClientException', 'RegionDisabledException']);
const NOT_FOUND = new Set(['NoSuchBucket', 'NotFound', 'ResourceNotFoundException']);
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

function field(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

export function errorName(err: unknown): string {
  const name = field(err, 'name');
  const code = field(err, 'Code') ?? field(err, 'code');
  if (typeof code === 'string' && (name === 'Error' || name === undefined || SOCKET.has(code))) return code;
  return typeof name === 'string' ? name : 'Error';
}

export function httpStatus(err: unknown): number | undefined {
  const meta = field(err, '$metadata');
  const status = field(meta, 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

export function isThrottlingError(err: unknown): boolean {
  return THROTTLING.has(errorName(err)) || httpStatus(err) === 429;
}

/** The metrics outcome of a failed attempt: throttled, access_denied, timeout or error. */
export function callOutcome(err: unknown): 'throttled' | 'access_denied' | 'timeout' | 'error' {
  if (isThrottlingError(err)) return 'throttled';
  const name = errorName(err);
  if (ACCESS_DENIED.has(name) || httpStatus(err) === 403) return 'access_denied';
  if (TIMEOUT.has(name) || name === 'ETIMEDOUT') return 'timeout';
  return 'error';
}

export function isExpiredTokenError(err: unknown): boolean {
  return (err instanceof AwsAccessError && err.code === 'ExpiredToken') || EXPIRED.has(errorName(err));
}

/** Remember which `service:Operation` raised the error (set by the call-counting middleware). */
export function tagOperation(err: unknown, operation: string): void {
  if (typeof err === 'object' && err !== null && !Object.prototype.hasOwnProperty.call(err, OPERATION)) {
    Object.defineProperty(err, OPERATION, { value: operation, enumerable: false });
  }
}

export function operationOf(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const op: unknown = (err as Record<symbol, unknown>)[OPERATION];
  return typeof op === 'string' ? op : null;
}

const IAM_ACTION_OVERRIDES: Record<string, string> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
};

/** The IAM action an operation needs (`tagging:GetResources` → `tag:GetResources`, `s3:ListBuckets` → `s3:ListAllMyBuckets`). */
export function iamActionFor(operation: string): string {
  return IAM_ACTION_OVERRIDES[operation] ?? operation.replace(/^tagging:/, 'tag:');
}

/** An AWS error code is safe to show: it is a short identifier, never free text. */
function safeCode(name: string): string {
  return /^[A-Za-z0-9._-]{1,64}$/.test(name) ? name : 'Error';
}

export interface ErrorContext {
  /** null: the server's own account, not yet known. */
  account_id: string | null;
  /** The role assumed for the account (null: the server's own credentials). */
  role_arn: string | null;
  region?: string | null;
  /** The caller's signal: an abort from it is Cancelled (or Timeout when it fired as a timeout). */
  signal?: AbortSignal;
  /** What was being done, e.g. "listing ec2:instance". */
  activity?: string;
}

function abortedBy(signal: AbortSignal | undefined): 'Cancelled' | 'Timeout' | null {
  if (!signal?.aborted) return null;
  const reason: unknown = signal.reason;
  return field(reason, 'name') === 'TimeoutError' ? 'Timeout' : 'Cancelled';
}

/** Map anything thrown by an SDK call (or by our own code) to an AwsAccessError. */
export function toAwsAccessError(err: unknown, ctx: ErrorContext): AwsAccessError {
  if (err instanceof AwsAccessError) return err;
  const where = `${ctx.account_id === null ? "the server's account" : `account ${ctx.account_id}`}${ctx.region ? ` region ${ctx.region}` : ''}`;
  const doing = ctx.activity ? ` while ${ctx.activity}` : '';
  const base = { account_id: ctx.account_id, role_arn: ctx.role_arn, cause: err };
  const name = errorName(err);
  const status = httpStatus(err);
  const operation = operationOf(err);

  const aborted = abortedBy(ctx.signal);
  if (aborted === 'Cancelled') return new AwsAccessError(`The request to ${where}${doing} was cancelled by the caller.`, { ...base, code: 'Cancelled' });
  if (aborted === 'Timeout') return new AwsAccessError(`The request to ${where}${doing} was stopped: the time allowed for it ran out.`, { ...base, code: 'Timeout', retryable: true });
  if (name === 'AbortError') return new AwsAccessError(`The request to ${where}${doing} was aborted.`, { ...base, code: 'Cancelled' });

  if (isThrottlingError(err)) {
    return new AwsAccessError(
      `AWS kept throttling ${operation ?? 'the requests'} in ${where}${doing}, even after the SDK's retries. Lower MAX_CONCURRENT_ACCOUNTS or MAX_CONCURRENT_CELLS_PER_ACCOUNT, or retry later.`,
      { ...base, code: 'Throttling', retryable: true },
    );
  }
  if (EXPIRED.has(name)) {
    return new AwsAccessError(`The credentials for ${where} expired${doing}; they are refreshed on the next attempt.`, { ...base, code: 'ExpiredToken', retryable: true });
  }
  if (REGION_DISABLED.has(name) && ctx.region) {
    return new AwsAccessError(
      `Region ${ctx.region} is not enabled for ${ctx.account_id === null ? "the server's account" : `account ${ctx.account_id}`} (AWS answered ${safeCode(name)}). Enable the region in the account, or leave it out with ALLOWED_REGIONS.`,
      { ...base, code: 'RegionDisabled' },
    );
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    const action = operation ? iamActionFor(operation) : null;
    const who = ctx.role_arn ? `the role ${ctx.role_arn}` : "the server's own credentials";
    const what = action ? `Grant ${action} to ${who}` : `Check the read-only permissions of ${who}`;
    return new AwsAccessError(`Access denied in ${where}${doing}${action ? ` (${action})` : ''}. ${what}.`, { ...base, code: 'AccessDenied' });
  }
  if (TIMEOUT.has(name) || name === 'ETIMEDOUT') {
    return new AwsAccessError(`AWS did not answer in time in ${where}${doing}. Raise AWS_REQUEST_TIMEOUT_MS or retry later.`, { ...base, code: 'Timeout', retryable: true });
  }
  if (SOCKET.has(name) || name === 'NetworkingError') {
    return new AwsAccessError(`Could not reach the AWS endpoint for ${where}${doing} (${safeCode(name)}). Check network access and AWS_ENDPOINT_URL.`, { ...base, code: 'EndpointUnreachable', retryable: true });
  }
  if (NOT_FOUND.has(name) || status === 404) {
    return new AwsAccessError(`A resource was not found in ${where}${doing} (${safeCode(name)}).`, { ...base, code: 'NotFound' });
  }
  const statusText = status === undefined ? '' : `, HTTP ${status}`;
  const call = operation ? `AWS call ${operation}` : 'An AWS call';
  return new AwsAccessError(`${call} failed in ${where}${doing} (${safeCode(name)}${statusText}).`, {
    ...base,
    code: 'Unknown',
    retryable: status !== undefined && status >= 500,
  });
}

export interface AssumeRoleContext {
  account_id: string;
  role_arn: string;
  external_id_configured: boolean;
  signal?: AbortSignal;
}

/** Map an STS AssumeRole failure to code AssumeRoleFailed with a message that says what to fix. */
export function assumeRoleError(err: unknown, ctx: AssumeRoleContext): AwsAccessError {
  const base = { account_id: ctx.account_id, role_arn: ctx.role_arn, cause: err, code: 'AssumeRoleFailed' };
  const aborted = abortedBy(ctx.signal);
  if (aborted !== null) return toAwsAccessError(err, { account_id: ctx.account_id, role_arn: ctx.role_arn, signal: ctx.signal, activity: 'assuming the role' });
  const name = errorName(err);
  const rawMessage = field(err, 'message');
  const text = typeof rawMessage === 'string' ? rawMessage : '';
  const prefix = `Cannot assume role ${ctx.role_arn} in account ${ctx.account_id}`;
  if (/suspend|closed/i.test(text) || /Suspended/.test(name)) {
    return new AwsAccessError(`${prefix}: the account is suspended or closed. Remove it from AWS_ACCOUNT_IDS or add it to AWS_ACCOUNTS_EXCLUDE.`, { ...base });
  }
  if (isThrottlingError(err)) {
    return new AwsAccessError(`${prefix}: STS throttled the AssumeRole requests. Lower MAX_CONCURRENT_ACCOUNTS or retry later.`, { ...base, retryable: true });
  }
  if (EXPIRED.has(name) || name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch') {
    return new AwsAccessError(`${prefix}: the server's own AWS credentials are invalid or expired (${safeCode(name)}). Renew the credentials the server runs with.`, { ...base });
  }
  if (name === 'RegionDisabledException') {
    return new AwsAccessError(`${prefix}: STS is not activated in the server's region. Activate STS for that region or change AWS_REGION.`, { ...base });
  }
  if (ACCESS_DENIED.has(name) || httpStatus(err) === 403) {
    const externalId = ctx.external_id_configured
      ? ' The ExternalId sent (AWS_ASSUME_ROLE_EXTERNAL_ID) may also differ from the one the trust policy requires.'
      : ' If the trust policy requires an ExternalId, set AWS_ASSUME_ROLE_EXTERNAL_ID.';
    return new AwsAccessError(
      `${prefix}: the role does not exist or its trust policy does not allow this server's principal. Deploy the member role ${ctx.role_arn} (the member-account role stack) and make its trust policy trust the server's account.${externalId}`,
      { ...base },
    );
  }
  const mapped = toAwsAccessError(err, { account_id: ctx.account_id, role_arn: ctx.role_arn, activity: 'assuming the role' });
  return new AwsAccessError(`${prefix}: ${mapped.message}`, { ...base, retryable: mapped.retryable });
}
