/**
 * Bounded LRU of SDK clients per owner (account id, or `base` for the server's own credentials)
 * × region × service. Every client shares one HTTP handler, uses adaptive retries and the
 * configured endpoint, and counts its calls. Evicted clients are destroyed (the shared handler
 * survives: see http.ts).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { LRUCache } from 'lru-cache';
import type { AwsConfig } from '../config/types.js';
import type { SharedHttp } from './http.js';
import { addCallCounter, type StatsRecorder } from './stats.js';

export interface ClientMap {
  ec2: EC2Client;
  rds: RDSClient;
  s3: S3Client;
  tagging: ResourceGroupsTaggingAPIClient;
  ce: CostExplorerClient;
  organizations: OrganizationsClient;
  sts: STSClient;
  iam: IAMClient;
}
export type ServiceKind = keyof ClientMap;

/** Owner key for clients that run with the server's own (base) credentials. */
export const BASE_OWNER = 'base';

export type CredentialSource = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface ClientPoolOptions {
  aws: Pick<AwsConfig, 'endpoint_url' | 'max_attempts'>;
  http: SharedHttp;
  stats: StatsRecorder;
  /** Credentials for an owner (an account id or BASE_OWNER); undefined = the SDK default chain. */
  credentialsFor: (owner: string) => CredentialSource | undefined;
  /** Most clients kept at once (default 512). */
  max?: number;
}

type AnyClient = ClientMap[ServiceKind];

export class ClientPool {
  private readonly cache: LRUCache<string, AnyClient>;

  constructor(private readonly opts: ClientPoolOptions) {
    this.cache = new LRUCache<string, AnyClient>({
      max: opts.max ?? 512,
      dispose: (client) => client.destroy(),
    });
  }

  get<K extends ServiceKind>(kind: K, owner: string, region: string): ClientMap[K] {
    const key = `${owner}|${region}|${kind}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as ClientMap[K];
    const client = this.build(kind, owner, region);
    this.cache.set(key, client);
    return client;
  }

  /** Destroy every client of one owner. */
  evict(owner: string): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${owner}|`)) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }

  close(): void {
    this.cache.clear();
  }

  private build<K extends ServiceKind>(kind: K, owner: string, region: string): ClientMap[K] {
    const { aws, http, stats } = this.opts;
    const credentials = this.opts.credentialsFor(owner);
    const common = {
      region,
      requestHandler: http.handler,
      maxAttempts: aws.max_attempts,
      retryMode: 'adaptive',
      ...(credentials === undefined ? {} : { credentials }),
      ...(aws.endpoint_url === null ? {} : { endpoint: aws.endpoint_url }),
    } as const;
    let client: AnyClient;
    switch (kind) {
      case 'ec2': {
        const c = new EC2Client(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'rds': {
        const c = new RDSClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 's3': {
        const c = new S3Client({
          ...common,
          forcePathStyle: aws.endpoint_url !== null,
          // One client per bucket region: never follow cross-region redirects.
          followRegionRedirects: false,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        });
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'tagging': {
        const c = new ResourceGroupsTaggingAPIClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'ce': {
        const c = new CostExplorerClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'organizations': {
        const c = new OrganizationsClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'iam': {
        const c = new IAMClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      case 'sts': {
        const c = new STSClient(common);
        addCallCounter(c.middlewareStack, kind, stats);
        client = c;
        break;
      }
      default:
        throw new Error(`unknown AWS service ${String(kind)}`);
    }
    return client as ClientMap[K];
  }
}
