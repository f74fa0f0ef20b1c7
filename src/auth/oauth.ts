/**
 * OAuth resource-server mode: Bearer JWTs verified against the issuer's JWKS (signature,
 * issuer, audience, expiry) with jose; scopes decide which tools a token may call; the
 * protected-resource metadata document of RFC 9728 tells clients where to get a token.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';
import { ForbiddenError } from '../core/errors.js';
import type { Principal } from '../tools/types.js';

export const SCAN_SCOPE = 'finops:scan';
export const READ_SCOPE = 'finops:read';
export const SCOPES_SUPPORTED = [READ_SCOPE, SCAN_SCOPE];
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface OAuthSettings {
  issuer: string;
  audience: string;
  jwks_url: string;
}

export type TokenCheck = { ok: true; principal: Principal } | { ok: false; message: string };

/** A verifier bound to one issuer; the JWKS is fetched once and cached by jose. */
export function tokenVerifier(settings: OAuthSettings): (token: string) => Promise<TokenCheck> {
  const jwks = createRemoteJWKSet(new URL(settings.jwks_url));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience, requiredClaims: ['sub', 'exp'] });
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      return { ok: true, principal: { id: `sub:${String(payload.sub)}`, allowed_accounts: null, scopes: scope.split(' ').filter((s) => s !== '') } };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { ok: false, message: 'The access token has expired: get a new one from the authorization server.' };
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud') return { ok: false, message: `The access token is not for this server: its audience must be ${settings.audience}.` };
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'iss') return { ok: false, message: `The access token was not issued by ${settings.issuer}.` };
      return { ok: false, message: 'The access token is not valid.' };
    }
  };
}

/** Throws 403 when an OAuth principal lacks the scope a tool needs (API-key principals have no scopes). */
export function requireScope(principal: Principal, tool: string, scans: boolean): void {
  if (principal.scopes === undefined) return;
  const needed = scans ? [SCAN_SCOPE] : [READ_SCOPE, SCAN_SCOPE];
  if (needed.some((s) => principal.scopes?.includes(s) === true)) return;
  throw new ForbiddenError(`The access token lacks the scope ${needed[0] ?? SCAN_SCOPE} that ${tool} needs (token scopes: ${principal.scopes.join(' ') || 'none'}).`);
}

/** WWW-Authenticate for a 401 in OAuth mode (RFC 6750 + RFC 9728 resource_metadata). */
export function oauthChallenge(resourceMetadataUrl: string, error?: string): string {
  return `Bearer resource_metadata="${resourceMetadataUrl}"${error === undefined ? '' : `, error="${error}"`}`;
}
