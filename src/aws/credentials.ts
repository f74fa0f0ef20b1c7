/**
 * The STS credential cache. One AssumeRole per account and role per credential lifetime:
 * cached per account+role, refreshed 5 minutes before expiry (judged with the injectable clock),
 * single flight for concurrent callers, and one credential set shared by every region and
 * service of the account. Clients receive `providerFor(account)`, a provider function backed by
 * this cache and marked as memoized so the SDK asks the cache on every request instead of
 * keeping its own copy (the SDK judges expiry with the real clock, the cache with `now()`).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsLogger } from './logger.js';
import type { MultiAccountConfig } from '../config/types.js';
import { AwsAccessError } from './gateway.js';
import { assumeRoleError, toAwsAccessError } from './errors.js';
import { raceAbort } from './abort.js';
import type { StatsRecorder } from './stats.js';

export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
export const SESSION_NAME_PREFIX = 'finops-tag-compliance';

export interface AssumedCredentials {
  identity: AwsCredentialIdentity & { sessionToken: string; expiration: Date };
  expiration: Date;
  account_id: string;
  role_arn: string;
}

export type RoleSettings = Pick<MultiAccountConfig, 'role_name' | 'role_arn_template' | 'external_id' | 'session_duration_seconds'>;

export interface CredentialCacheOptions {
  roles: RoleSettings;
  /** STS client running with the base credentials. */
  sts: () => STSClient;
  stats: StatsRecorder;
  logger: AwsLogger;
  now: () => Date;
}

/** `{account_id}` and `{role_name}` filled in; any partition in the template is kept. */
export function roleArnFromTemplate(template: string, accountId: string, roleName: string): string {
  return template.replaceAll('{account_id}', accountId).replaceAll('{role_name}', roleName);
}

export function sessionNameFor(accountId: string): string {
  return `${SESSION_NAME_PREFIX}-${accountId}`.slice(0, 64);
}

/** True when the credentials are expired or within `bufferMs` of expiring. */
export function needsRefresh(expiration: Date, now: Date, bufferMs = REFRESH_BEFORE_EXPIRY_MS): boolean {
  return now.getTime() >= expiration.getTime() - bufferMs;
}

type MemoizedProvider = AwsCredentialIdentityProvider & { memoized: true };

export class CredentialCache {
  private readonly cache = new Map<string, AssumedCredentials>();
  private readonly inFlight = new Map<string, Promise<AssumedCredentials>>();
  private localId: string | null = null;
  private localInFlight: Promise<string> | null = null;

  constructor(private readonly opts: CredentialCacheOptions) {}

  roleArnFor(accountId: string, roleName = this.opts.roles.role_name): string {
    return roleArnFromTemplate(this.opts.roles.role_arn_template, accountId, roleName);
  }

  /** The account of the base credentials (GetCallerIdentity once; concurrent callers share it). */
  async localAccountId(signal?: AbortSignal): Promise<string> {
    if (this.localId !== null) return this.localId;
    if (this.localInFlight === null) {
      const flight = this.opts.sts().send(new GetCallerIdentityCommand({}), { abortSignal: new AbortController().signal })
        .then((out) => {
          if (!out.Account) throw new AwsAccessError('STS GetCallerIdentity returned no account id for the server credentials.', { code: 'Unknown' });
          this.localId = out.Account;
          return out.Account;
        })
        .catch((err: unknown) => {
          throw toAwsAccessError(err, { account_id: null, role_arn: null, activity: 'identifying the server account (sts:GetCallerIdentity)' });
        })
        .finally(() => { this.localInFlight = null; });
      this.localInFlight = flight;
    }
    try {
      return await raceAbort(this.localInFlight, signal);
    } catch (err) {
      throw toAwsAccessError(err, { account_id: null, role_arn: null, ...(signal ? { signal } : {}), activity: 'identifying the server account' });
    }
  }

  /** Cached credentials for the account, assuming the role when missing or about to expire. */
  async get(accountId: string, signal?: AbortSignal, roleName = this.opts.roles.role_name): Promise<AssumedCredentials> {
    const roleArn = this.roleArnFor(accountId, roleName);
    const key = `${accountId}|${roleArn}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && !needsRefresh(cached.expiration, this.opts.now())) return cached;
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      flight = this.assume(accountId, roleArn).then(
        (creds) => {
          if (this.inFlight.get(key) === flight) this.cache.set(key, creds);
          return creds;
        },
      ).finally(() => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      });
      this.inFlight.set(key, flight);
    }
    try {
      return await raceAbort(flight, signal);
    } catch (err) {
      if (err instanceof AwsAccessError) throw err;
      throw assumeRoleError(err, { account_id: accountId, role_arn: roleArn, external_id_configured: this.opts.roles.external_id !== null, ...(signal ? { signal } : {}) });
    }
  }

  /** A provider for SDK clients of this account, backed by this cache. */
  providerFor(accountId: string): MemoizedProvider {
    const provider = async (): Promise<AwsCredentialIdentity> => (await this.get(accountId)).identity;
    return Object.assign(provider, { memoized: true as const });
  }

  /** Forget cached credentials of one account (or all); the next request assumes the role again. */
  invalidate(accountId?: string): void {
    for (const map of [this.cache, this.inFlight] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) if (accountId === undefined || key.startsWith(`${accountId}|`)) map.delete(key);
    }
  }

  /** The account's cached credentials, without calling STS (null when none are cached). */
  peek(accountId: string, roleName = this.opts.roles.role_name): AssumedCredentials | null {
    return this.cache.get(`${accountId}|${this.roleArnFor(accountId, roleName)}`) ?? null;
  }

  /**
   * A call signed with `used` was refused as expired: drop those credentials, unless the cache has
   * already moved on (another caller refreshed them, or a refresh is under way). Concurrent calls
   * refused together therefore cause one AssumeRole, not one each.
   */
  invalidateExpired(accountId: string, used: AssumedCredentials | null, roleName = this.opts.roles.role_name): void {
    const key = `${accountId}|${this.roleArnFor(accountId, roleName)}`;
    if (this.inFlight.has(key)) return;
    const cached = this.cache.get(key);
    if (cached !== undefined && used !== null && cached !== used) return;
    this.cache.delete(key);
  }

  /** Number of accounts with cached credentials (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  private async assume(accountId: string, roleArn: string): Promise<AssumedCredentials> {
    const { roles, logger, stats } = this.opts;
    logger.info({ account_id: accountId, role_arn: roleArn }, 'assuming member-account role');
    try {
      const out = await this.opts.sts().send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionNameFor(accountId),
          DurationSeconds: roles.session_duration_seconds,
          ...(roles.external_id === null ? {} : { ExternalId: roles.external_id }),
        }),
        // Shared by every waiter: not tied to one caller's signal; the HTTP timeouts bound it.
        { abortSignal: new AbortController().signal },
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new AwsAccessError(`Cannot assume role ${roleArn} in account ${accountId}: STS returned incomplete credentials.`, { code: 'AssumeRoleFailed', account_id: accountId, role_arn: roleArn });
      }
      stats.recordAssumeRole(accountId, true);
      const expiration = new Date(c.Expiration);
      logger.info({ account_id: accountId, role_arn: roleArn, expires_at: expiration.toISOString() }, 'assumed member-account role');
      return {
        identity: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration },
        expiration,
        account_id: accountId,
        role_arn: roleArn,
      };
    } catch (err) {
      stats.recordAssumeRole(accountId, false);
      const mapped = err instanceof AwsAccessError ? err : assumeRoleError(err, { account_id: accountId, role_arn: roleArn, external_id_configured: roles.external_id !== null });
      logger.warn({ account_id: accountId, role_arn: roleArn, code: mapped.code }, 'assume role failed');
      throw mapped;
    }
  }
}
