/** STS (query protocol): GetCallerIdentity, AssumeRole. */
import type { CallContext } from '../context.js';
import { intParam } from '../context.js';
import { SimError, xmlResponse, type WireResponse } from '../errors.js';
import { roleId } from '../state.js';
import { el, isoTime } from '../xml.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function respond(action: string, result: string, requestId: string): WireResponse {
  return xmlResponse(
    `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
  );
}

function denied(callerArn: string, roleArn: string): SimError {
  return new SimError('AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
}

function assumeRole(ctx: CallContext, params: URLSearchParams): WireResponse {
  const roleArn = params.get('RoleArn') ?? '';
  const sessionName = params.get('RoleSessionName') ?? '';
  const duration = intParam(params, 'DurationSeconds') ?? 3600;
  if (!SESSION_NAME.test(sessionName)) {
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName.slice(0, 80)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64 and match [\\w+=,.@-]*`,
    );
  }
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${String(duration)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new SimError('ValidationError', `${roleArn.slice(0, 200)} is invalid`);
  const [, , accountId = '', roleName = ''] = m;
  const target = ctx.state.account(accountId);
  ctx.state.recordAssumeRole(accountId);
  if (!target || target.status === 'SUSPENDED' || target.role.name !== roleName || target.role.state !== 'ok') {
    throw denied(ctx.caller.arn, roleArn);
  }
  const externalId = params.get('ExternalId');
  if (target.role.external_id !== null && externalId !== target.role.external_id) throw denied(ctx.caller.arn, roleArn);
  const session = ctx.state.issueSession(accountId, roleName, sessionName, duration);
  const result =
    `<Credentials>${el('AccessKeyId', session.accessKeyId)}${el('SecretAccessKey', session.secretAccessKey)}` +
    `${el('SessionToken', session.sessionToken)}${el('Expiration', isoTime(session.expiration))}</Credentials>` +
    `<AssumedRoleUser>${el('AssumedRoleId', `${roleId(accountId, roleName)}:${sessionName}`)}` +
    `${el('Arn', `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`)}</AssumedRoleUser>` +
    el('PackedPolicySize', 0);
  return respond('AssumeRole', result, ctx.requestId);
}

export function handleSts(ctx: CallContext, action: string, params: URLSearchParams): WireResponse {
  switch (action) {
    case 'GetCallerIdentity':
      return respond(
        'GetCallerIdentity',
        `${el('Arn', ctx.caller.arn)}${el('UserId', ctx.caller.userId)}${el('Account', ctx.caller.account.id)}`,
        ctx.requestId,
      );
    case 'AssumeRole':
      return assumeRole(ctx, params);
    default:
      throw new SimError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  }
}
