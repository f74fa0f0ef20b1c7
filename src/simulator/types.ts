/**
 * The bundled AWS simulator: fixture format and programmatic API. It speaks the real wire
 * protocols (STS/EC2/RDS query, S3 REST-XML, Tagging/CE/Organizations JSON 1.1) so the real SDK
 * v3 clients run against it unchanged, with AWS_ENDPOINT_URL pointing at `endpoint`.
 */

export interface SimResource {
  /** Registry type, e.g. `ec2:instance`. */
  type: string;
  /** Region of the resource (S3 buckets: the bucket's region; CloudFront/Route 53: us-east-1). */
  region: string;
  /** Short id (i-…, vol-…, bucket name, DB identifier …). ARN is derived when absent. */
  id: string;
  arn?: string;
  tags: Record<string, string>;
  /** False: never tagged (the Tagging API does not return it). Default: tags non-empty. */
  ever_tagged?: boolean;
  /** Monthly cost in USD (feeds Cost Explorer totals per account × service). */
  monthly_cost: number;
  created_at: string;
  /** Type-specific: instance_type, state, attached_instance_id, size_gb, engine, db_class … */
  attributes?: Record<string, string | number | boolean | null>;
}

export interface SimAccount {
  id: string;
  name: string;
  email: string;
  alias?: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** Parent OU id (or the root id). */
  parent_id: string;
  /** How AssumeRole into this account behaves. */
  role: {
    name: string;
    /** Required ExternalId (null: none required). */
    external_id: string | null;
    /** ok | missing (no such role) | untrusted (trust policy refuses the caller). */
    state: 'ok' | 'missing' | 'untrusted';
  };
  /** Every call in this account hangs until the client aborts. */
  hang?: boolean;
  /** Regions enabled in this account (default: fixture.regions). */
  regions?: string[];
  resources: SimResource[];
}

export interface SimOrganizationalUnit {
  id: string;
  name: string;
  parent_id: string;
}

export interface SimFixture {
  organization: { id: string; root_id: string; management_account_id: string };
  /** Enabled regions (DescribeRegions). */
  regions: string[];
  organizational_units: SimOrganizationalUnit[];
  accounts: SimAccount[];
  /** Organizations tag policies (issue 5). */
  tag_policies?: { id: string; name: string; content: string; targets: string[] }[];
}

export interface SimFaults {
  /** Added to every request, ms. */
  latency_ms?: number;
  /** 0..1: share of requests answered with the service's own throttling error. */
  throttle_rate?: number;
  /** Accounts whose calls hang (in addition to fixture `hang`). */
  hang_accounts?: string[];
  /** Account id → calls answered before every later call of that account hangs (a hang mid-scan). */
  hang_after_calls?: Record<string, number>;
  /** Accounts where every call except STS answers AccessDenied. */
  access_denied_accounts?: string[];
  /** Seed of the throttling PRNG (default 1): same seed, same sequence of throttled requests. */
  seed?: number;
  /** Account id → services (`rds`) or operations (`rds:DescribeDBInstances`) answered AccessDenied
   * in that account (one denied permission inside a role that otherwise works). */
  access_denied_services?: Record<string, string[]>;
  /** Once the account has made `after_calls` calls (counted from `setFaults`), every session issued
   * for it so far expires on the spot: later calls with them get ExpiredToken, whatever the
   * server's clock says (revoked or clock-skewed credentials). */
  expire_sessions?: { account_id: string; after_calls: number }[];
  /** When the `after_calls`-th call arrives (of `account_id`, or of every account), the simulated
   * clock moves forward `advance_ms` (sessions issued before can expire mid-scan). Each jump once. */
  clock_jumps?: { after_calls: number; advance_ms: number; account_id?: string }[];
}

export interface SimStats {
  /** Calls by `service:Operation` (e.g. `ec2:DescribeInstances`). */
  calls: Record<string, number>;
  /** Calls by account id. */
  calls_by_account: Record<string, number>;
  /** AssumeRole calls by target account. */
  assume_role: Record<string, number>;
  /** Highest number of requests in flight at once, overall and per account. */
  max_in_flight: number;
  max_accounts_in_flight: number;
  throttled: number;
  /** Requests in flight right now (0 once every hung request was given up by its client). */
  in_flight: number;
  /** Calls refused with ExpiredToken, by the account of the expired session. */
  expired_tokens: Record<string, number>;
  /** Calls refused by the `access_denied_accounts` / `access_denied_services` faults, by account. */
  denied: Record<string, number>;
  /** Clock jumps applied (`clock_jumps` fault): by whose call, after how many, and how far. */
  clock_jumps: { account_id: string; after_calls: number; advance_ms: number }[];
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43123 */
  readonly endpoint: string;
  /** Base credentials that identify the management account. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly fixture: SimFixture;
  stats(): SimStats;
  resetStats(): void;
  setFaults(faults: SimFaults): void;
  /** Simulated clock: credential expiry is judged against it. */
  now(): Date;
  advanceClock(ms: number): void;
  /** Replace or mutate resources at run time (drift tests, cache isolation tests). */
  updateFixture(mutate: (fixture: SimFixture) => void): void;
  stop(): Promise<void>;
}

export interface SimulatorOptions {
  fixture: SimFixture;
  /** 0 = ephemeral. */
  port?: number;
  host?: string;
  faults?: SimFaults;
  /** Page size caps (default: AWS's real maxima, e.g. EC2 1000, RDS 100, Tagging 100). */
  page_size?: Partial<Record<string, number>>;
}
