/** Simulator errors and their rendering in each wire protocol's own error format. */
import { el, xmlDoc } from './xml.js';

export type WireProtocol = 'query' | 'ec2' | 's3' | 'json';

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra S3 error fields (BucketName …). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function xmlResponse(body: string, status = 200): WireResponse {
  return { status, headers: { 'content-type': 'text/xml' }, body: xmlDoc(body) };
}

export function jsonResponse(body: unknown, status = 200): WireResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

export function renderError(protocol: WireProtocol, err: SimError, requestId: string): WireResponse {
  switch (protocol) {
    case 'ec2':
      return xmlResponse(
        `<Response><Errors><Error>${el('Code', err.code)}${el('Message', err.message)}</Error></Errors>${el('RequestID', requestId)}</Response>`,
        err.status,
      );
    case 'query':
      return xmlResponse(
        `<ErrorResponse><Error><Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type>${el('Code', err.code)}${el('Message', err.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
        err.status,
      );
    case 's3': {
      const extra = Object.entries(err.extra).map(([k, v]) => el(k, v)).join('');
      return xmlResponse(
        `<Error>${el('Code', err.code)}${el('Message', err.message)}${extra}${el('RequestId', requestId)}${el('HostId', requestId)}</Error>`,
        err.status,
      );
    }
    case 'json':
      return {
        status: err.status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': err.code },
        body: JSON.stringify({ __type: err.code, message: err.message }),
      };
  }
}

/** The service's own throttling error (the SDK's retry strategy classifies each as throttling). */
export function throttlingError(service: string): SimError {
  switch (service) {
    case 'ec2':
      return new SimError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    case 's3':
      return new SimError('SlowDown', 'Please reduce your request rate.', 503);
    case 'tagging':
      return new SimError('ThrottledException', 'Rate exceeded', 400);
    case 'ce':
      return new SimError('LimitExceededException', 'Rate exceeded', 400);
    case 'organizations':
      return new SimError('TooManyRequestsException', 'You have sent too many requests in too short a period of time.', 400);
    default:
      return new SimError('Throttling', 'Rate exceeded', 400);
  }
}

/** Refusal used for `access_denied_accounts` and calls a caller may not make. */
export function accessDenied(service: string, action: string): SimError {
  const msg = `User is not authorized to perform: ${action}`;
  switch (service) {
    case 'ec2':
      return new SimError('UnauthorizedOperation', `You are not authorized to perform this operation. ${msg}`, 403);
    case 's3':
      return new SimError('AccessDenied', 'Access Denied', 403);
    case 'tagging':
    case 'ce':
    case 'organizations':
      return new SimError('AccessDeniedException', msg, 400);
    default:
      return new SimError('AccessDenied', msg, 403);
  }
}

/** Unknown access key id, in the service's own words. */
export function unknownKey(service: string): SimError {
  switch (service) {
    case 'ec2':
      return new SimError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    case 's3':
      return new SimError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
    case 'tagging':
    case 'ce':
    case 'organizations':
      return new SimError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    default:
      return new SimError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  }
}

/** Credentials past their expiry on the simulated clock. */
export function expiredToken(service: string): SimError {
  switch (service) {
    case 'tagging':
    case 'ce':
    case 'organizations':
      return new SimError('ExpiredTokenException', 'The security token included in the request is expired', 400);
    case 's3':
      return new SimError('ExpiredToken', 'The provided token has expired.', 400);
    default:
      return new SimError('ExpiredToken', 'The security token included in the request is expired', 400);
  }
}

export function protocolOf(service: string): WireProtocol {
  switch (service) {
    case 'ec2':
      return 'ec2';
    case 's3':
      return 's3';
    case 'tagging':
    case 'ce':
    case 'organizations':
      return 'json';
    default:
      return 'query';
  }
}
