/** RDS (query protocol): DescribeDBInstances, DescribeDBClusters with Marker/MaxRecords paging. */
import { resourceArn } from '../arn.js';
import type { CallContext } from '../context.js';
import { intParam } from '../context.js';
import { SimError, xmlResponse, type WireResponse } from '../errors.js';
import { decodeToken, paginate } from '../paging.js';
import type { SimResource } from '../types.js';
import { el, isoTime, wrap } from '../xml.js';

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/';

function respond(action: string, result: string, requestId: string): WireResponse {
  return xmlResponse(
    `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
  );
}

function str(r: SimResource, key: string, fallback: string): string {
  const v = r.attributes?.[key];
  return v === undefined || v === null ? fallback : String(v);
}

function tagList(tags: Record<string, string>): string {
  return wrap('TagList', Object.entries(tags).map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`).join(''));
}

function page(ctx: CallContext, action: string, params: URLSearchParams, items: SimResource[]) {
  const requested = intParam(params, 'MaxRecords');
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 20 || requested > 100)) {
    throw new SimError('InvalidParameterValue', `Invalid value ${String(requested)} for MaxRecords. Must be between 20 and 100`);
  }
  const scope = `rds:${action}:${ctx.caller.account.id}:${ctx.region}`;
  const marker = params.get('Marker');
  let offset = 0;
  if (marker !== null && marker !== '') {
    const o = decodeToken(scope, marker);
    if (o === null) throw new SimError('InvalidParameterValue', 'Invalid value for Marker');
    offset = o;
  }
  return paginate(items, scope, offset, ctx.state.pageSize('rds', action, requested, 100));
}

function describeDBInstances(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'rds:db', ctx.region);
  const id = params.get('DBInstanceIdentifier');
  if (id !== null && id !== '') {
    items = items.filter((r) => r.id === id);
    if (items.length === 0) throw new SimError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
  }
  const p = page(ctx, 'DescribeDBInstances', params, items);
  const acct = ctx.caller.account.id;
  const body = p.items
    .map((r) => {
      const cluster = r.attributes?.['cluster_id'];
      return (
        `<DBInstance>${el('DBInstanceIdentifier', r.id)}${el('DBInstanceClass', str(r, 'db_class', 'db.t3.medium'))}` +
        `${el('Engine', str(r, 'engine', 'postgres'))}${el('DBInstanceStatus', str(r, 'state', 'available'))}` +
        `${el('MasterUsername', 'admin')}${el('AllocatedStorage', Number(str(r, 'size_gb', '20')))}` +
        `${el('InstanceCreateTime', isoTime(r.created_at))}${el('AvailabilityZone', str(r, 'availability_zone', `${r.region}a`))}` +
        `${el('MultiAZ', r.attributes?.['multi_az'] === true)}${el('EngineVersion', str(r, 'engine_version', '16.3'))}` +
        `${el('StorageType', str(r, 'storage_type', 'gp3'))}${el('DbiResourceId', `db-${r.id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`)}` +
        `${el('DBInstanceArn', resourceArn(r, acct))}${typeof cluster === 'string' ? el('DBClusterIdentifier', cluster) : ''}` +
        `${tagList(r.tags)}</DBInstance>`
      );
    })
    .join('');
  return respond('DescribeDBInstances', wrap('DBInstances', body) + el('Marker', p.next), ctx.requestId);
}

function describeDBClusters(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'rds:cluster', ctx.region);
  const id = params.get('DBClusterIdentifier');
  if (id !== null && id !== '') {
    items = items.filter((r) => r.id === id);
    if (items.length === 0) throw new SimError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
  }
  const p = page(ctx, 'DescribeDBClusters', params, items);
  const acct = ctx.caller.account.id;
  const dbs = ctx.state.resources(ctx.caller.account, 'rds:db', ctx.region);
  const body = p.items
    .map((r) => {
      const members = dbs
        .filter((d) => d.attributes?.['cluster_id'] === r.id)
        .map((d, i) => `<DBClusterMember>${el('DBInstanceIdentifier', d.id)}${el('IsClusterWriter', i === 0)}</DBClusterMember>`)
        .join('');
      return (
        `<DBCluster>${el('AllocatedStorage', Number(str(r, 'size_gb', '1')))}${el('DBClusterIdentifier', r.id)}` +
        `${el('Status', str(r, 'state', 'available'))}${el('Engine', str(r, 'engine', 'aurora-postgresql'))}` +
        `${el('EngineVersion', str(r, 'engine_version', '16.2'))}${el('ClusterCreateTime', isoTime(r.created_at))}` +
        `${el('DBClusterArn', resourceArn(r, acct))}${el('DbClusterResourceId', `cluster-${r.id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`)}` +
        `${el('MultiAZ', r.attributes?.['multi_az'] === true)}${wrap('DBClusterMembers', members)}${tagList(r.tags)}</DBCluster>`
      );
    })
    .join('');
  return respond('DescribeDBClusters', wrap('DBClusters', body) + el('Marker', p.next), ctx.requestId);
}

export function handleRds(ctx: CallContext, action: string, params: URLSearchParams): WireResponse {
  // Filters would change the answer; refuse them rather than silently return unfiltered results.
  if ([...params.keys()].some((k) => k.startsWith('Filters.'))) {
    throw new SimError('InvalidParameterCombination', `The simulator does not support Filters on ${action}; list without them.`);
  }
  switch (action) {
    case 'DescribeDBInstances':
      return describeDBInstances(ctx, params);
    case 'DescribeDBClusters':
      return describeDBClusters(ctx, params);
    default:
      throw new SimError('InvalidAction', `Could not find operation ${action} for version 2014-10-31`);
  }
}
