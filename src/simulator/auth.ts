/** SigV4 credential-scope parsing: which key, region and service a request was signed for. */

export interface SignedScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const SCOPE = /Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/;

/**
 * Reads the scope from the `Authorization` header, or from a presigned URL's `X-Amz-Credential`.
 * Signatures are not verified: the simulator identifies callers by access key id only.
 */
export function parseSignedScope(authorization: string | undefined, query: URLSearchParams): SignedScope | null {
  const source = authorization ?? (query.has('X-Amz-Credential') ? `Credential=${query.get('X-Amz-Credential') ?? ''}` : '');
  const m = SCOPE.exec(source);
  if (!m) return null;
  const [, accessKeyId, , region, service] = m;
  if (accessKeyId === undefined || region === undefined || service === undefined) return null;
  return { accessKeyId, region, service };
}
