/**
 * The CPU floor of a scan: the same pages read with the bare AWS SDK v3 (no gateway, cache,
 * scheduler or evaluation), one request after another, in this process, against the same
 * simulator. With no latency, a scan is bound by the CPU of building, signing, sending and
 * parsing these pages (and of the in-process simulator answering them): this is that cost alone.
 */
import { Agent } from 'node:http';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketTaggingCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { getResourceType } from '../../src/aws/registry.js';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface BareSdkInput {
  endpoint: string;
  credentials: Creds;
  /** ACTIVE accounts to read, the management account first. */
  accountIds: readonly string[];
  managementAccountId: string;
  regions: readonly string[];
  resourceTypes: readonly string[];
  roleName: string;
  homeRegion: string;
}

export interface BareSdkResult {
  ms: number;
  calls: number;
  items: number;
}

/** Read every page of every cell sequentially with the bare SDK; returns the elapsed time. */
export async function bareSdkScan(input: BareSdkInput): Promise<BareSdkResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const requestHandler = new NodeHttpHandler({ httpAgent: agent });
  const base = { endpoint: input.endpoint, requestHandler, maxAttempts: 1 };
  const signal = new AbortController().signal;
  let calls = 0;
  let items = 0;
  const send = async <T>(fn: () => Promise<T>): Promise<T> => {
    calls += 1;
    return fn();
  };
  const regional = [...input.resourceTypes].filter((t) => getResourceType(t)?.global !== true).sort();
  const global = [...input.resourceTypes].filter((t) => getResourceType(t)?.global === true).sort();
  const started = performance.now();

  const sts = new STSClient({ ...base, region: input.homeRegion, credentials: input.credentials });
  await send(() => sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal }));
  const org = new OrganizationsClient({ ...base, region: input.homeRegion, credentials: input.credentials });
  let orgToken: string | undefined;
  do {
    const page = await send(() => org.send(new ListAccountsCommand({ ...(orgToken ? { NextToken: orgToken } : {}) }), { abortSignal: signal }));
    items += page.Accounts?.length ?? 0;
    orgToken = page.NextToken;
  } while (orgToken);

  for (const accountId of input.accountIds) {
    let credentials: Creds = input.credentials;
    if (accountId !== input.managementAccountId) {
      const out = await send(() =>
        sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${input.roleName}`, RoleSessionName: 'bench-floor' }), { abortSignal: signal }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
      credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) };
    }
    const cfg = (region: string) => ({ ...base, region, credentials });
    const ec2Home = new EC2Client(cfg(input.homeRegion));
    if (regional.length > 0) await send(() => ec2Home.send(new DescribeRegionsCommand({}), { abortSignal: signal }));
    for (const region of [...input.regions].sort()) {
      const ec2 = new EC2Client(cfg(region));
      const rds = new RDSClient(cfg(region));
      const tagging = new ResourceGroupsTaggingAPIClient(cfg(region));
      for (const type of regional) items += await readCell(type, region, { ec2, rds, tagging }, send, signal);
    }
    for (const type of global) {
      if (type === 's3:bucket') items += await readBuckets(cfg, input.homeRegion, send, signal);
      else items += await readCell(type, 'us-east-1', { tagging: new ResourceGroupsTaggingAPIClient(cfg('us-east-1')) }, send, signal);
    }
  }

  const ce = new CostExplorerClient({ ...base, region: 'us-east-1', credentials: input.credentials });
  let ceToken: string | undefined;
  do {
    const page = await send(() =>
      ce.send(new GetCostAndUsageCommand({
        TimePeriod: { Start: '2026-10-01', End: '2026-10-31' },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'SERVICE' }],
        Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...input.accountIds] } },
        ...(ceToken ? { NextPageToken: ceToken } : {}),
      }), { abortSignal: signal }));
    ceToken = page.NextPageToken;
  } while (ceToken);

  const elapsed = performance.now() - started;
  agent.destroy();
  return { ms: elapsed, calls, items };
}

type Send = <T>(fn: () => Promise<T>) => Promise<T>;

/** Drain a paginated call; returns how many items the pages held. */
async function drain<P>(send: Send, fetch: (token: string | undefined) => Promise<P>, next: (p: P) => string | undefined, count: (p: P) => number): Promise<number> {
  let token: string | undefined;
  let n = 0;
  do {
    const page = await send(() => fetch(token));
    n += count(page);
    token = next(page) || undefined;
  } while (token);
  return n;
}

async function readCell(
  type: string,
  region: string,
  c: { ec2?: EC2Client; rds?: RDSClient; tagging: ResourceGroupsTaggingAPIClient },
  send: Send,
  abortSignal: AbortSignal,
): Promise<number> {
  const { ec2, rds, tagging } = c;
  const o = { abortSignal };
  if (type.startsWith('ec2:') && ec2 !== undefined) {
    switch (type) {
      case 'ec2:instance':
        return drain(send, (NextToken) => ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken }), o), (p) => p.NextToken, (p) => (p.Reservations ?? []).reduce((s, r) => s + (r.Instances?.length ?? 0), 0));
      case 'ec2:volume':
        return drain(send, (NextToken) => ec2.send(new DescribeVolumesCommand({ MaxResults: 500, NextToken }), o), (p) => p.NextToken, (p) => p.Volumes?.length ?? 0);
      case 'ec2:snapshot':
        return drain(send, (NextToken) => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 1000, NextToken }), o), (p) => p.NextToken, (p) => p.Snapshots?.length ?? 0);
      case 'ec2:natgateway':
        return drain(send, (NextToken) => ec2.send(new DescribeNatGatewaysCommand({ MaxResults: 1000, NextToken }), o), (p) => p.NextToken, (p) => p.NatGateways?.length ?? 0);
      case 'ec2:elastic-ip':
        return (await send(() => ec2.send(new DescribeAddressesCommand({}), o))).Addresses?.length ?? 0;
    }
  }
  if (type === 'rds:db' && rds !== undefined) {
    return drain(send, (Marker) => rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker }), o), (p) => p.Marker, (p) => p.DBInstances?.length ?? 0);
  }
  if (type === 'rds:cluster' && rds !== undefined) {
    return drain(send, (Marker) => rds.send(new DescribeDBClustersCommand({ MaxRecords: 100, Marker }), o), (p) => p.Marker, (p) => p.DBClusters?.length ?? 0);
  }
  const info = getResourceType(type);
  if (info === undefined || info.lister !== 'tagging') throw new Error(`bare SDK floor: no reader for ${type} in ${region}`);
  return drain(
    send,
    (PaginationToken) => tagging.send(new GetResourcesCommand({ ResourceTypeFilters: [info.tagging_filter], ResourcesPerPage: 100, ...(PaginationToken ? { PaginationToken } : {}) }), o),
    (p) => p.PaginationToken,
    (p) => p.ResourceTagMappingList?.length ?? 0,
  );
}

/** ListBuckets, GetResources 's3' per bucket region, GetBucketTagging for buckets without tags there. */
async function readBuckets(cfg: (region: string) => object, home: string, send: Send, abortSignal: AbortSignal): Promise<number> {
  const o = { abortSignal };
  const s3Home = new S3Client({ ...cfg(home), forcePathStyle: true });
  const buckets: { name: string; region: string }[] = [];
  await drain(
    send,
    (ContinuationToken) => s3Home.send(new ListBucketsCommand({ MaxBuckets: 1000, ...(ContinuationToken ? { ContinuationToken } : {}) }), o),
    (p) => p.ContinuationToken,
    (p) => {
      for (const b of p.Buckets ?? []) if (b.Name) buckets.push({ name: b.Name, region: b.BucketRegion ?? home });
      return p.Buckets?.length ?? 0;
    },
  );
  const tagged = new Set<string>();
  for (const region of new Set(buckets.map((b) => b.region))) {
    const tagging = new ResourceGroupsTaggingAPIClient(cfg(region));
    await drain(
      send,
      (PaginationToken) => tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'], ResourcesPerPage: 100, ...(PaginationToken ? { PaginationToken } : {}) }), o),
      (p) => p.PaginationToken,
      (p) => {
        for (const m of p.ResourceTagMappingList ?? []) if (m.ResourceARN && (m.Tags?.length ?? 0) > 0) tagged.add(m.ResourceARN.split(':::')[1] ?? '');
        return 0;
      },
    );
  }
  const clients = new Map<string, S3Client>([[home, s3Home]]);
  for (const b of buckets) {
    if (tagged.has(b.name)) continue;
    const s3 = clients.get(b.region) ?? new S3Client({ ...cfg(b.region), forcePathStyle: true });
    clients.set(b.region, s3);
    try {
      await send(() => s3.send(new GetBucketTaggingCommand({ Bucket: b.name }), o));
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'NoSuchTagSet') throw err;
    }
  }
  return buckets.length;
}
