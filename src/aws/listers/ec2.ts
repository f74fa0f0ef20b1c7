/**
 * EC2 family, enumerated directly (never-tagged resources included): instances, volumes,
 * snapshots owned by the account, Elastic IPs, NAT gateways. Every page, to the end.
 * Terminated instances and deleted NAT gateways are left out: they no longer exist or cost.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import type { CellRef, ResourceRecord, Tags } from '../../core/types.js';
import { ec2Arn } from '../arn.js';
import { drainPages, isoOrNull, tagsFromList, unknownType, type Lister, type ListerContext } from './types.js';

function record(ctx: ListerContext, cell: CellRef, kind: string, id: string, tags: Tags, createdAt: string | null, attributes: ResourceRecord['attributes']): ResourceRecord {
  return {
    // Snapshot ARNs carry no account id (arn:aws:ec2:<region>::snapshot/<id>), like AMIs.
    arn: ec2Arn(ctx.partition, cell.region, kind === 'snapshot' ? '' : ctx.account_id, kind, id),
    id,
    name: tags['Name'] ?? null,
    type: cell.resource_type,
    account_id: ctx.account_id,
    region: cell.region,
    tags,
    created_at: createdAt,
    attributes,
  };
}

export const listEc2: Lister = async (ctx, cell, signal, onPage) => {
  const ec2 = ctx.client('ec2', cell.region);
  const out: ResourceRecord[] = [];
  const where = { account_id: ctx.account_id, operation: '' };
  switch (cell.resource_type) {
    case 'ec2:instance':
      await drainPages(
        (NextToken) => ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken }), { abortSignal: signal }),
        (p) => p.NextToken,
        (p) => {
          for (const reservation of p.Reservations ?? []) {
            for (const i of reservation.Instances ?? []) {
              if (!i.InstanceId || i.State?.Name === 'terminated') continue;
              out.push(record(ctx, cell, 'instance', i.InstanceId, tagsFromList(i.Tags), isoOrNull(i.LaunchTime), {
                instance_type: i.InstanceType ?? null,
                state: i.State?.Name ?? null,
                availability_zone: i.Placement?.AvailabilityZone ?? null,
                platform: i.PlatformDetails ?? null,
              }));
            }
          }
          onPage(out.length);
        },
        { ...where, operation: 'ec2:DescribeInstances' },
      );
      return out;
    case 'ec2:volume':
      await drainPages(
        (NextToken) => ec2.send(new DescribeVolumesCommand({ MaxResults: 500, NextToken }), { abortSignal: signal }),
        (p) => p.NextToken,
        (p) => {
          for (const v of p.Volumes ?? []) {
            if (!v.VolumeId) continue;
            out.push(record(ctx, cell, 'volume', v.VolumeId, tagsFromList(v.Tags), isoOrNull(v.CreateTime), {
              size_gb: v.Size ?? null,
              volume_type: v.VolumeType ?? null,
              state: v.State ?? null,
              attached_instance_id: v.Attachments?.[0]?.InstanceId ?? null,
              availability_zone: v.AvailabilityZone ?? null,
            }));
          }
          onPage(out.length);
        },
        { ...where, operation: 'ec2:DescribeVolumes' },
      );
      return out;
    case 'ec2:snapshot':
      await drainPages(
        (NextToken) => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 1000, NextToken }), { abortSignal: signal }),
        (p) => p.NextToken,
        (p) => {
          for (const s of p.Snapshots ?? []) {
            if (!s.SnapshotId) continue;
            out.push(record(ctx, cell, 'snapshot', s.SnapshotId, tagsFromList(s.Tags), isoOrNull(s.StartTime), {
              size_gb: s.VolumeSize ?? null,
              volume_id: s.VolumeId ?? null,
              state: s.State ?? null,
              storage_tier: s.StorageTier ?? null,
            }));
          }
          onPage(out.length);
        },
        { ...where, operation: 'ec2:DescribeSnapshots' },
      );
      return out;
    case 'ec2:elastic-ip': {
      // DescribeAddresses is not paginated: one call returns every address of the region.
      const res = await ec2.send(new DescribeAddressesCommand({}), { abortSignal: signal });
      for (const a of res.Addresses ?? []) {
        const id = a.AllocationId ?? a.PublicIp;
        if (!id) continue;
        out.push(record(ctx, cell, 'elastic-ip', id, tagsFromList(a.Tags), null, {
          public_ip: a.PublicIp ?? null,
          associated_instance_id: a.InstanceId ?? null,
          attached: a.AssociationId !== undefined || a.InstanceId !== undefined,
          domain: a.Domain ?? null,
        }));
      }
      onPage(out.length);
      return out;
    }
    case 'ec2:natgateway':
      await drainPages(
        (NextToken) => ec2.send(new DescribeNatGatewaysCommand({ MaxResults: 1000, NextToken }), { abortSignal: signal }),
        (p) => p.NextToken,
        (p) => {
          for (const n of p.NatGateways ?? []) {
            if (!n.NatGatewayId || n.State === 'deleted') continue;
            out.push(record(ctx, cell, 'natgateway', n.NatGatewayId, tagsFromList(n.Tags), isoOrNull(n.CreateTime), {
              state: n.State ?? null,
              vpc_id: n.VpcId ?? null,
              subnet_id: n.SubnetId ?? null,
            }));
          }
          onPage(out.length);
        },
        { ...where, operation: 'ec2:DescribeNatGateways' },
      );
      return out;
    default:
      throw unknownType(cell, 'EC2');
  }
};
