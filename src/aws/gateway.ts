/**
 * The one door to AWS. Everything above this line (scanner, tools) talks to AWS only through
 * an `AwsGateway`; everything below it is the real SDK v3, configured once (region, retries,
 * shared keep-alive agent, AWS_ENDPOINT_URL, abort signals on every call).
 */
import type { AccountInfo, CellRef, ResourceRecord } from '../core/types.js';

/** Raised for any AWS failure, already mapped to a safe message. Never carries credentials. */
export class AwsAccessError extends Error {
  /** Stable code: AccessDenied, AssumeRoleFailed, Throttling, Timeout, RegionDisabled, ExpiredToken,
   * AccountSuspended, EndpointUnreachable, NotFound, Unknown … */
  readonly code: string;
  readonly account_id: string | null;
  /** The role the server tried to assume (the one to fix), when relevant. */
  readonly role_arn: string | null;
  readonly retryable: boolean;
  constructor(message: string, opts: { code: string; account_id?: string | null; role_arn?: string | null; retryable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AwsAccessError';
    this.code = opts.code;
    this.account_id = opts.account_id ?? null;
    this.role_arn = opts.role_arn ?? null;
    this.retryable = opts.retryable ?? false;
  }
}

export interface ServiceCostLine {
  account_id: string;
  /** Cost Explorer SERVICE dimension value. */
  service: string;
  /** Unblended cost in USD over the requested period. */
  amount: number;
}

export interface CostQuery {
  account_ids: string[];
  /** Inclusive start, YYYY-MM-DD. */
  start: string;
  /** Exclusive end, YYYY-MM-DD (Cost Explorer semantics). */
  end: string;
}

/** Counters the benchmarks and metrics read. */
export interface GatewayStats {
  /** AssumeRole calls made, per account. */
  assume_role_calls: Record<string, number>;
  assume_role_failures: Record<string, number>;
  /** AWS API calls by `service:Operation`. */
  calls: Record<string, number>;
  cost_explorer_requests: number;
  throttled: number;
}

/** How one AWS API attempt ended (metrics label). */
export type AwsCallOutcome = 'ok' | 'throttled' | 'access_denied' | 'timeout' | 'error';

/** One attempt on the wire (retries are separate attempts). */
export interface AwsCallEvent {
  /** Stats-key prefix: ec2, rds, s3, tagging, ce, organizations, sts. */
  service: string;
  /** SDK operation name, e.g. DescribeInstances. */
  operation: string;
  outcome: AwsCallOutcome;
  duration_ms: number;
}

/** Receives every AWS attempt and every AssumeRole as it happens (the metrics plugin). */
export interface GatewayObserver {
  call?(event: AwsCallEvent): void;
  assumeRole?(accountId: string, ok: boolean): void;
}

/** An Organizations policy (ListPolicies / DescribePolicy summary). */
export interface OrgPolicySummary {
  id: string;
  arn: string | null;
  name: string;
  description: string | null;
  /** TAG_POLICY, SERVICE_CONTROL_POLICY, … (null when AWS does not say). */
  type: string | null;
  aws_managed: boolean;
}

/** A root, OU or account a policy is attached to (ListTargetsForPolicy). */
export interface OrgPolicyTarget {
  target_id: string;
  name: string | null;
  /** ROOT, ORGANIZATIONAL_UNIT or ACCOUNT. */
  type: string;
  arn: string | null;
}

export interface OrgPolicy {
  summary: OrgPolicySummary;
  /** The policy document as stored (JSON text). */
  content: string;
}

/** DescribeEffectivePolicy of type TAG_POLICY for one account. */
export interface EffectiveOrgPolicy {
  target_id: string;
  content: string;
  last_updated: string | null;
}

export interface AwsGateway {
  /** The account of the server's base credentials (STS GetCallerIdentity, cached). */
  localAccountId(signal: AbortSignal): Promise<string>;
  /** The role ARN the server assumes in `accountId` (from AWS_ASSUME_ROLE_ARN_TEMPLATE). */
  roleArnFor(accountId: string): string;
  /** Ensure usable credentials for the account (AssumeRole unless local; cached, single flight,
   * refreshed 5 min before expiry). Throws AwsAccessError (code AssumeRoleFailed, with role_arn). */
  ensureAccount(accountId: string, signal: AbortSignal): Promise<void>;
  /** The account's IAM alias (iam:ListAccountAliases with the account's credentials), cached;
   * null when it has none. Throws AwsAccessError when it cannot be read. */
  accountAlias?(accountId: string, signal: AbortSignal): Promise<string | null>;
  /** Enabled regions of the account (EC2 DescribeRegions), cached. */
  enabledRegions(accountId: string, signal: AbortSignal): Promise<string[]>;
  /** Read one cell to the end (every page). Throws AwsAccessError on failure: a cell is either
   * complete or failed, never silently short. `onPage` is called after each page with the
   * number of resources read so far. */
  listCell(cell: CellRef, signal: AbortSignal, onPage?: (readSoFar: number) => void): Promise<ResourceRecord[]>;
  /** ACTIVE and non-active accounts of the organization (all pages), optionally only below the
   * given OUs (recursively). Uses the base credentials (management or delegated account). */
  listOrganizationAccounts(signal: AbortSignal, ouIds?: string[]): Promise<AccountInfo[]>;
  /** One Cost Explorer GetCostAndUsage call (all pages) grouped by LINKED_ACCOUNT and SERVICE,
   * from the base credentials. */
  serviceCosts(query: CostQuery, signal: AbortSignal): Promise<ServiceCostLine[]>;
  /** Organizations tag policies (ListPolicies, Filter TAG_POLICY, every page), base credentials.
   * Errors: AwsAccessError AccessDenied (names the action), OrganizationsNotInUse. */
  listTagPolicies?(signal: AbortSignal): Promise<OrgPolicySummary[]>;
  /** One policy with its content (DescribePolicy). Error code PolicyNotFound for an unknown id. */
  describePolicy?(policyId: string, signal: AbortSignal): Promise<OrgPolicy>;
  /** Roots, OUs and accounts the policy is attached to (ListTargetsForPolicy, every page). */
  listPolicyTargets?(policyId: string, signal: AbortSignal): Promise<OrgPolicyTarget[]>;
  /** The account's effective tag policy (DescribeEffectivePolicy with TargetId). Error codes
   * TargetNotFound, EffectivePolicyNotFound (no tag policy applies to it). */
  effectiveTagPolicy?(accountId: string, signal: AbortSignal): Promise<EffectiveOrgPolicy>;
  /** Forget cached credentials and clients of one account (or all). */
  invalidate(accountId?: string): void;
  stats(): GatewayStats;
  /** Subscribe to calls and AssumeRoles as they happen; returns the unsubscribe function. */
  observe?(observer: GatewayObserver): () => void;
  /** Release sockets and clients. */
  close(): Promise<void>;
}
