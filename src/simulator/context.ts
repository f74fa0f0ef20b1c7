/** What every protocol handler receives about one call. */
import type { Caller, SimState } from './state.js';

export interface CallContext {
  state: SimState;
  caller: Caller;
  /** Signing service from the credential scope (sts, ec2, rds, s3, iam, tagging, ce, organizations). */
  service: string;
  region: string;
  requestId: string;
}

/** Parses an integer query parameter; undefined when absent. */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : Number.NaN;
}

/** Reads `Name.1`, `Name.2` … (query-protocol lists). */
export function listParam(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}
