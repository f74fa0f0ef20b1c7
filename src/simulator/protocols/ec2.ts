/** EC2 (ec2 query protocol): DescribeRegions, DescribeInstances, DescribeVolumes, DescribeSnapshots, DescribeAddresses, DescribeNatGateways. */
import type { CallContext } from '../context.js';
import { intParam, listParam } from '../context.js';
import { SimError, xmlResponse, type WireResponse } from '../errors.js';
import { decodeToken, paginate } from '../paging.js';
import type { SimResource } from '../types.js';
import { el, isoTime, wrap } from '../xml.js';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STATE_CODES: Record<string, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

function respond(action: string, body: string, requestId: string): WireResponse {
  return xmlResponse(`<${action}Response xmlns="${NS}">${el('requestId', requestId)}${body}</${action}Response>`);
}

function str(r: SimResource, key: string, fallback = ''): string {
  const v = r.attributes?.[key];
  return v === undefined || v === null ? fallback : String(v);
}

function num(r: SimResource, key: string, fallback: number): number {
  const v = r.attributes?.[key];
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : fallback;
}

/** EC2 omits `tagSet` entirely for an untagged resource. */
export function tagSet(tags: Record<string, string>): string {
  if (Object.keys(tags).length === 0) return '';
  const items = Object.entries(tags).map(([k, v]) => `<item>${el('key', k)}${el('value', v)}</item>`).join('');
  return wrap('tagSet', items);
}

function az(r: SimResource): string {
  return str(r, 'availability_zone', `${r.region}a`);
}

interface Filter {
  name: string;
  values: string[];
}

function readFilters(params: URLSearchParams): Filter[] {
  const out: Filter[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    out.push({ name: params.get(`Filter.${i}.Name`) ?? '', values: listParam(params, `Filter.${i}.Value`) });
  }
  return out;
}

/** Applies EC2 filters; `fields` maps the filter names a call supports to the value they test. */
function applyFilters(items: SimResource[], filters: Filter[], fields: Record<string, (r: SimResource) => string>): SimResource[] {
  return items.filter((r) =>
    filters.every((f) => {
      if (f.name.startsWith('tag:')) {
        const v = r.tags[f.name.slice(4)];
        return v !== undefined && f.values.includes(v);
      }
      if (f.name === 'tag-key') return f.values.some((k) => k in r.tags);
      const field = fields[f.name];
      if (!field) throw new SimError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return f.values.includes(field(r));
    }),
  );
}

/** One page of `items`, honouring MaxResults (validated against [min, max]) and NextToken. */
function pageOf(ctx: CallContext, action: string, params: URLSearchParams, items: SimResource[], min: number, max: number) {
  const requested = intParam(params, 'MaxResults');
  if (requested !== undefined && (!Number.isInteger(requested) || requested < min || requested > max)) {
    throw new SimError('InvalidParameterValue', `Value ( ${String(requested)} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`);
  }
  const token = params.get('NextToken');
  let offset = 0;
  if (token !== null && token !== '') {
    const o = decodeToken(`ec2:${action}:${ctx.caller.account.id}:${ctx.region}`, token);
    if (o === null) throw new SimError('InvalidParameterValue', `Invalid value '${token.slice(0, 40)}' for nextToken`);
    offset = o;
  }
  const size = ctx.state.pageSize('ec2', action, requested, Number.POSITIVE_INFINITY);
  return paginate(items, `ec2:${action}:${ctx.caller.account.id}:${ctx.region}`, offset, size);
}

function byIds(items: SimResource[], ids: string[], notFoundCode: string): SimResource[] {
  if (ids.length === 0) return items;
  const missing = ids.filter((id) => !items.some((r) => r.id === id));
  if (missing.length > 0) throw new SimError(notFoundCode, `The id '${missing.join(', ')}' does not exist`);
  return items.filter((r) => ids.includes(r.id));
}

function describeRegions(ctx: CallContext): WireResponse {
  const items = ctx.state
    .regionsOf(ctx.caller.account)
    .map((r) => `<item>${el('regionName', r)}${el('regionEndpoint', `ec2.${r}.amazonaws.com`)}${el('optInStatus', 'opt-in-not-required')}</item>`)
    .join('');
  return respond('DescribeRegions', wrap('regionInfo', items), ctx.requestId);
}

function instanceXml(ctx: CallContext, r: SimResource): string {
  const state = str(r, 'state', 'running');
  const volumes = ctx.state.resources(ctx.caller.account, 'ec2:volume', r.region).filter((v) => str(v, 'attached_instance_id') === r.id);
  const bdm = volumes
    .map(
      (v, i) =>
        `<item>${el('deviceName', str(v, 'device', i === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(102 + i)}`))}<ebs>${el('volumeId', v.id)}` +
        `${el('status', 'attached')}${el('attachTime', isoTime(r.created_at))}${el('deleteOnTermination', i === 0)}</ebs></item>`,
    )
    .join('');
  return (
    `<item>${el('instanceId', r.id)}${el('imageId', str(r, 'image_id', 'ami-0abcdef1234567890'))}` +
    `<instanceState>${el('code', STATE_CODES[state] ?? 16)}${el('name', state)}</instanceState>` +
    `${el('privateDnsName', '')}${el('amiLaunchIndex', 0)}${el('instanceType', str(r, 'instance_type', 't3.micro'))}` +
    `${el('launchTime', isoTime(r.created_at))}<placement>${el('availabilityZone', az(r))}${el('tenancy', 'default')}</placement>` +
    `<monitoring>${el('state', 'disabled')}</monitoring>${el('privateIpAddress', str(r, 'private_ip', '10.0.0.10'))}` +
    `${el('architecture', 'x86_64')}${el('rootDeviceType', 'ebs')}${el('rootDeviceName', '/dev/xvda')}` +
    `${wrap('blockDeviceMapping', bdm)}${el('platformDetails', str(r, 'platform', 'Linux/UNIX'))}${tagSet(r.tags)}</item>`
  );
}

function describeInstances(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'ec2:instance', ctx.region);
  items = byIds(items, listParam(params, 'InstanceId'), 'InvalidInstanceID.NotFound');
  items = applyFilters(items, readFilters(params), {
    'instance-state-name': (r) => str(r, 'state', 'running'),
    'instance-id': (r) => r.id,
    'instance-type': (r) => str(r, 'instance_type', 't3.micro'),
  });
  const page = pageOf(ctx, 'DescribeInstances', params, items, 5, 1000);
  const reservations = page.items
    .map(
      (r) =>
        `<item>${el('reservationId', `r-${r.id.replace(/^i-/, '')}`)}${el('ownerId', ctx.caller.account.id)}<groupSet/>` +
        `${wrap('instancesSet', instanceXml(ctx, r))}</item>`,
    )
    .join('');
  return respond('DescribeInstances', wrap('reservationSet', reservations) + el('nextToken', page.next), ctx.requestId);
}

function describeVolumes(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'ec2:volume', ctx.region);
  items = byIds(items, listParam(params, 'VolumeId'), 'InvalidVolume.NotFound');
  items = applyFilters(items, readFilters(params), {
    'attachment.instance-id': (r) => str(r, 'attached_instance_id'),
    status: (r) => (str(r, 'attached_instance_id') === '' ? 'available' : 'in-use'),
    'volume-id': (r) => r.id,
  });
  const page = pageOf(ctx, 'DescribeVolumes', params, items, 5, 500);
  const body = page.items
    .map((r) => {
      const attached = str(r, 'attached_instance_id');
      const attachment =
        attached === ''
          ? ''
          : `<item>${el('volumeId', r.id)}${el('instanceId', attached)}${el('device', str(r, 'device', '/dev/xvda'))}` +
            `${el('status', 'attached')}${el('attachTime', isoTime(r.created_at))}${el('deleteOnTermination', false)}</item>`;
      return (
        `<item>${el('volumeId', r.id)}${el('size', num(r, 'size_gb', 8))}${el('snapshotId', str(r, 'snapshot_id'))}` +
        `${el('availabilityZone', az(r))}${el('status', attached === '' ? 'available' : 'in-use')}${el('createTime', isoTime(r.created_at))}` +
        `${wrap('attachmentSet', attachment)}${el('volumeType', str(r, 'volume_type', 'gp3'))}${el('encrypted', r.attributes?.['encrypted'] === true)}` +
        `${tagSet(r.tags)}</item>`
      );
    })
    .join('');
  return respond('DescribeVolumes', wrap('volumeSet', body) + el('nextToken', page.next), ctx.requestId);
}

function describeSnapshots(ctx: CallContext, params: URLSearchParams): WireResponse {
  const owners = listParam(params, 'Owner');
  const self = ctx.caller.account.id;
  if (owners.some((o) => o !== 'self' && o !== self && o !== 'amazon' && !/^\d{12}$/.test(o))) {
    throw new SimError('InvalidUserID.Malformed', `Invalid owner id in ${owners.join(', ')}`);
  }
  let items = ctx.state.resources(ctx.caller.account, 'ec2:snapshot', ctx.region);
  if (owners.length > 0 && !owners.includes('self') && !owners.includes(self)) items = [];
  items = byIds(items, listParam(params, 'SnapshotId'), 'InvalidSnapshot.NotFound');
  items = applyFilters(items, readFilters(params), { 'snapshot-id': (r) => r.id, 'volume-id': (r) => str(r, 'volume_id') });
  const page = pageOf(ctx, 'DescribeSnapshots', params, items, 5, 1000);
  const body = page.items
    .map(
      (r) =>
        `<item>${el('snapshotId', r.id)}${el('volumeId', str(r, 'volume_id', 'vol-ffffffff'))}${el('status', str(r, 'state', 'completed'))}` +
        `${el('startTime', isoTime(r.created_at))}${el('progress', '100%')}${el('ownerId', self)}${el('volumeSize', num(r, 'size_gb', 8))}` +
        `${el('description', str(r, 'description'))}${el('encrypted', r.attributes?.['encrypted'] === true)}${el('storageTier', 'standard')}${tagSet(r.tags)}</item>`,
    )
    .join('');
  return respond('DescribeSnapshots', wrap('snapshotSet', body) + el('nextToken', page.next), ctx.requestId);
}

function describeAddresses(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'ec2:elastic-ip', ctx.region);
  items = byIds(items, listParam(params, 'AllocationId'), 'InvalidAllocationID.NotFound');
  items = applyFilters(items, readFilters(params), { 'allocation-id': (r) => r.id, 'instance-id': (r) => str(r, 'instance_id') });
  const body = items
    .map((r) => {
      const instance = str(r, 'instance_id');
      const assoc = instance === '' ? '' : `${el('instanceId', instance)}${el('associationId', `eipassoc-${r.id.replace(/^eipalloc-/, '')}`)}`;
      return (
        `<item>${el('publicIp', str(r, 'public_ip', '203.0.113.10'))}${el('allocationId', r.id)}${el('domain', 'vpc')}${assoc}` +
        `${el('networkBorderGroup', r.region)}${tagSet(r.tags)}</item>`
      );
    })
    .join('');
  return respond('DescribeAddresses', wrap('addressesSet', body), ctx.requestId);
}

function describeNatGateways(ctx: CallContext, params: URLSearchParams): WireResponse {
  let items = ctx.state.resources(ctx.caller.account, 'ec2:natgateway', ctx.region);
  items = byIds(items, listParam(params, 'NatGatewayId'), 'NatGatewayNotFound');
  items = applyFilters(items, readFilters(params), { 'nat-gateway-id': (r) => r.id, state: (r) => str(r, 'state', 'available') });
  const page = pageOf(ctx, 'DescribeNatGateways', params, items, 5, 1000);
  const body = page.items
    .map(
      (r) =>
        `<item>${el('natGatewayId', r.id)}${el('createTime', isoTime(r.created_at))}${el('state', str(r, 'state', 'available'))}` +
        `${el('subnetId', str(r, 'subnet_id', 'subnet-0123456789abcdef0'))}${el('vpcId', str(r, 'vpc_id', 'vpc-0123456789abcdef0'))}` +
        `${el('connectivityType', 'public')}${tagSet(r.tags)}</item>`,
    )
    .join('');
  return respond('DescribeNatGateways', wrap('natGatewaySet', body) + el('nextToken', page.next), ctx.requestId);
}

export function handleEc2(ctx: CallContext, action: string, params: URLSearchParams): WireResponse {
  switch (action) {
    case 'DescribeRegions':
      return describeRegions(ctx);
    case 'DescribeInstances':
      return describeInstances(ctx, params);
    case 'DescribeVolumes':
      return describeVolumes(ctx, params);
    case 'DescribeSnapshots':
      return describeSnapshots(ctx, params);
    case 'DescribeAddresses':
      return describeAddresses(ctx, params);
    case 'DescribeNatGateways':
      return describeNatGateways(ctx, params);
    default:
      throw new SimError('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}
