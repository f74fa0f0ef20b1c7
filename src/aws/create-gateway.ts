/**
 * Builds the AwsGateway: one shared HTTP handler, one client pool, one STS credential cache,
 * the region cache and the listers, wired together. Everything AWS goes through here.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsConfig, MultiAccountConfig } from '../config/types.js';
import { GLOBAL_REGION, type CellRef, type ResourceRecord } from '../core/types.js';
import { raceAbort } from './abort.js';
import { globalRegionOf, partitionOf } from './arn.js';
import { BASE_OWNER, ClientPool, type CredentialSource } from './client-pool.js';
import { serviceCosts } from './costs.js';
import { CredentialCache } from './credentials.js';
import { toAwsAccessError } from './errors.js';
import { AwsAccessError, type AwsGateway, type CostQuery, type GatewayObserver, type GatewayStats, type ServiceCostLine } from './gateway.js';
import { createSharedHttp } from './http.js';
import { listerFor, type ListerContext } from './listers/index.js';
import { listOrganizationAccounts } from './organizations.js';
import { describePolicy, effectiveTagPolicy, listPolicyTargets, listTagPolicies } from './tag-policies.js';
import { describeEnabledRegions, RegionCache } from './regions.js';
import { getResourceType } from './registry.js';
import { StatsRecorder } from './stats.js';
import type { AwsLogger } from './logger.js';
import type { AccountInfo } from '../core/types.js';
import { ListAccountAliasesCommand } from '@aws-sdk/client-iam';

export interface CreateAwsGatewayOptions {
  aws: AwsConfig;
  multiAccount: MultiAccountConfig;
  /** A pino Logger (Fastify's `app.log` fits too). */
  logger: AwsLogger;
  /** Clock used to judge credential expiry and cache ages (tests move it). Default: real time. */
  now?: () => Date;
  /** Most SDK clients kept at once (default 512). */
  maxClients?: number;
  /** Most per-bucket S3 calls at once inside one cell (default 8). */
  bucketCallConcurrency?: number;
}

export function createAwsGateway(opts: CreateAwsGatewayOptions): AwsGateway {
  const { aws, multiAccount } = opts;
  const logger = opts.logger.child({ component: 'aws' });
  const now = opts.now ?? ((): Date => new Date());
  const stats = new StatsRecorder();
  const http = createSharedHttp(aws);
  const partition = partitionOf(aws.region);
  const globalRegion = globalRegionOf(partition);
  const base: CredentialSource = aws.credentials === null ? fromNodeProviderChain() : { ...aws.credentials };

  // The cache reaches STS through the pool, and the pool hands member-account clients a
  // provider backed by the cache; both lookups happen at call time.
  const creds: CredentialCache = new CredentialCache({ roles: multiAccount, sts: (): STSClient => pool.get('sts', BASE_OWNER, aws.region), stats, logger, now });
  const pool: ClientPool = new ClientPool({
    aws,
    http,
    stats,
    ...(opts.maxClients === undefined ? {} : { max: opts.maxClients }),
    credentialsFor: (owner): CredentialSource => (owner === BASE_OWNER ? base : creds.providerFor(owner)),
  });
  const regions = new RegionCache({ allowed: aws.allowed_regions, now });
  /** Account aliases change rarely: read once per account per hour. */
  const aliases = new Map<string, { alias: string | null; at: number }>();
  const ALIAS_TTL_MS = 3_600_000;
  let closed = false;

  function assertOpen(accountId: string | null): void {
    if (closed) throw new AwsAccessError('The AWS gateway is closed (the server is shutting down).', { code: 'Cancelled', account_id: accountId });
  }

  /** BASE_OWNER for the server's own account, else the account id (after its credentials are ready). */
  async function ownerFor(accountId: string, signal: AbortSignal): Promise<string> {
    const local = await creds.localAccountId(signal);
    if (accountId === local) return BASE_OWNER;
    await creds.get(accountId, signal);
    return accountId;
  }

  /** Run `fn` with the account's clients; an ExpiredToken drops the credentials and retries once. */
  async function withAccount<T>(accountId: string, signal: AbortSignal, region: string | null, activity: string, fn: (owner: string) => Promise<T>): Promise<T> {
    assertOpen(accountId);
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw toAwsAccessError(signal.reason, { account_id: accountId, role_arn: null, region, signal, activity });
      const owner = await ownerFor(accountId, signal);
      // The credentials this call starts with: an ExpiredToken drops them only if still cached.
      const used = owner === BASE_OWNER ? null : creds.peek(accountId);
      try {
        return await fn(owner);
      } catch (err) {
        const roleArn = owner === BASE_OWNER ? null : creds.roleArnFor(accountId);
        const mapped = toAwsAccessError(err, { account_id: accountId, role_arn: roleArn, region, signal, activity });
        if (mapped.code === 'ExpiredToken' && attempt === 0) {
          logger.info({ account_id: accountId }, 'credentials expired during a call; refreshing and retrying once');
          creds.invalidateExpired(accountId, used);
          continue;
        }
        throw mapped;
      }
    }
  }

  function listerContext(accountId: string, owner: string): ListerContext {
    return {
      account_id: accountId,
      partition,
      home_region: aws.region,
      client: (kind, region) => pool.get(kind, owner, region),
      bucket_call_concurrency: opts.bucketCallConcurrency ?? 8,
    };
  }

  return {
    async localAccountId(signal) {
      assertOpen(null);
      return creds.localAccountId(signal);
    },

    roleArnFor(accountId) {
      return creds.roleArnFor(accountId);
    },

    async ensureAccount(accountId, signal) {
      assertOpen(accountId);
      await raceAbort(ownerFor(accountId, signal), signal).catch((err: unknown) => {
        throw toAwsAccessError(err, { account_id: accountId, role_arn: creds.roleArnFor(accountId), signal, activity: 'preparing credentials' });
      });
    },

    async accountAlias(accountId, signal) {
      const hit = aliases.get(accountId);
      if (hit !== undefined && now().getTime() - hit.at < ALIAS_TTL_MS) return hit.alias;
      const alias = await withAccount(accountId, signal, null, 'reading the account alias', async (owner) => {
        const out = await pool.get('iam', owner, aws.region).send(new ListAccountAliasesCommand({}), { abortSignal: signal });
        return out.AccountAliases?.[0] ?? null;
      });
      aliases.set(accountId, { alias, at: now().getTime() });
      return alias;
    },

    async enabledRegions(accountId, signal) {
      return regions.get(accountId, () =>
        withAccount(accountId, signal, null, 'reading enabled regions', (owner) =>
          describeEnabledRegions(pool.get('ec2', owner, aws.region), signal)),
      );
    },

    async listCell(cell: CellRef, signal: AbortSignal, onPage?: (readSoFar: number) => void): Promise<ResourceRecord[]> {
      const info = getResourceType(cell.resource_type);
      if (info === undefined) {
        throw new AwsAccessError(`Unknown resource type ${cell.resource_type}; it is not in the resource-type registry.`, { code: 'NotFound', account_id: cell.account_id });
      }
      if (!info.global && cell.region === GLOBAL_REGION) {
        throw new AwsAccessError(`Resource type ${cell.resource_type} is regional: a cell needs a real region, not '${GLOBAL_REGION}'.`, { code: 'NotFound', account_id: cell.account_id });
      }
      const lister = listerFor(info.lister);
      const report = onPage ?? ((): void => {});
      return withAccount(cell.account_id, signal, info.global ? null : cell.region, `listing ${cell.resource_type}`, (owner) =>
        lister(listerContext(cell.account_id, owner), cell, signal, report));
    },

    async listOrganizationAccounts(signal: AbortSignal, ouIds?: string[]): Promise<AccountInfo[]> {
      assertOpen(null);
      const local = await creds.localAccountId(signal);
      try {
        return await listOrganizationAccounts(pool.get('organizations', BASE_OWNER, globalRegion), signal, local, ouIds);
      } catch (err) {
        throw toAwsAccessError(err, { account_id: local, role_arn: null, signal, activity: 'listing the organization accounts' });
      }
    },

    // Organizations tag policies (import_aws_tag_policy), with the base credentials.
    async listTagPolicies(signal) {
      assertOpen(null);
      return listTagPolicies(pool.get('organizations', BASE_OWNER, globalRegion), signal);
    },

    async describePolicy(policyId, signal) {
      assertOpen(null);
      return describePolicy(pool.get('organizations', BASE_OWNER, globalRegion), policyId, signal);
    },

    async listPolicyTargets(policyId, signal) {
      assertOpen(null);
      return listPolicyTargets(pool.get('organizations', BASE_OWNER, globalRegion), policyId, signal);
    },

    async effectiveTagPolicy(accountId, signal) {
      assertOpen(null);
      return effectiveTagPolicy(pool.get('organizations', BASE_OWNER, globalRegion), accountId, signal);
    },

    async serviceCosts(query: CostQuery, signal: AbortSignal): Promise<ServiceCostLine[]> {
      assertOpen(null);
      try {
        return await serviceCosts(pool.get('ce', BASE_OWNER, globalRegion), query, signal);
      } catch (err) {
        throw toAwsAccessError(err, { account_id: null, role_arn: null, signal, activity: 'reading Cost Explorer costs' });
      }
    },

    invalidate(accountId?: string): void {
      creds.invalidate(accountId);
      regions.invalidate(accountId);
      if (accountId === undefined) pool.close();
      else pool.evict(accountId);
    },

    stats(): GatewayStats {
      return stats.snapshot();
    },

    observe(observer: GatewayObserver): () => void {
      return stats.observe(observer);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      pool.close();
      creds.invalidate();
      http.destroy();
    },
  };
}
