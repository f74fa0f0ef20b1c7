/** Narrowing helpers for JSON 1.1 request bodies; bad shapes become the service's validation error. */
import { SimError } from '../errors.js';
import { decodeToken } from '../paging.js';

export type JsonBody = Record<string, unknown>;

export function optString(body: JsonBody, key: string, errorCode: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimError(errorCode, `${key} must be a string`);
  return v;
}

export function reqString(body: JsonBody, key: string, errorCode: string): string {
  const v = optString(body, key, errorCode);
  if (v === undefined || v === '') throw new SimError(errorCode, `${key} is required`);
  return v;
}

export function optInt(body: JsonBody, key: string, errorCode: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SimError(errorCode, `${key} must be an integer`);
  return v;
}

export function optStringArray(body: JsonBody, key: string, errorCode: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new SimError(errorCode, `${key} must be a list of strings`);
  return v;
}

export function optObjectArray(body: JsonBody, key: string, errorCode: string): JsonBody[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is JsonBody => typeof x === 'object' && x !== null && !Array.isArray(x))) {
    throw new SimError(errorCode, `${key} must be a list of objects`);
  }
  return v;
}

export function optObject(body: JsonBody, key: string, errorCode: string): JsonBody | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new SimError(errorCode, `${key} must be an object`);
  return v as JsonBody;
}

/** Offset from an optional token; `invalid` builds the service's own invalid-token error. */
export function tokenOffset(scope: string, token: string | undefined, invalid: () => SimError): number {
  if (token === undefined || token === '') return 0;
  const o = decodeToken(scope, token);
  if (o === null) throw invalid();
  return o;
}
