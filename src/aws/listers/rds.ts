/** RDS family, enumerated directly with their TagList: DB instances and DB clusters, every page. */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { ResourceRecord } from '../../core/types.js';
import { drainPages, isoOrNull, tagsFromList, unknownType, type Lister } from './types.js';

export const listRds: Lister = async (ctx, cell, signal, onPage) => {
  const rds = ctx.client('rds', cell.region);
  const out: ResourceRecord[] = [];
  const base = { type: cell.resource_type, account_id: ctx.account_id, region: cell.region };
  const arnFor = (kind: string, id: string): string => `arn:${ctx.partition}:rds:${cell.region}:${ctx.account_id}:${kind}:${id}`;
  switch (cell.resource_type) {
    case 'rds:db':
      await drainPages(
        (Marker) => rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker }), { abortSignal: signal }),
        (p) => p.Marker,
        (p) => {
          for (const db of p.DBInstances ?? []) {
            if (!db.DBInstanceIdentifier) continue;
            out.push({
              ...base,
              arn: db.DBInstanceArn ?? arnFor('db', db.DBInstanceIdentifier),
              id: db.DBInstanceIdentifier,
              name: db.DBInstanceIdentifier,
              tags: tagsFromList(db.TagList),
              created_at: isoOrNull(db.InstanceCreateTime),
              attributes: {
                db_instance_class: db.DBInstanceClass ?? null,
                engine: db.Engine ?? null,
                engine_version: db.EngineVersion ?? null,
                state: db.DBInstanceStatus ?? null,
                size_gb: db.AllocatedStorage ?? null,
                multi_az: db.MultiAZ ?? null,
                cluster_id: db.DBClusterIdentifier ?? null,
              },
            });
          }
          onPage(out.length);
        },
        { account_id: ctx.account_id, operation: 'rds:DescribeDBInstances' },
      );
      return out;
    case 'rds:cluster':
      await drainPages(
        (Marker) => rds.send(new DescribeDBClustersCommand({ MaxRecords: 100, Marker }), { abortSignal: signal }),
        (p) => p.Marker,
        (p) => {
          for (const c of p.DBClusters ?? []) {
            if (!c.DBClusterIdentifier) continue;
            out.push({
              ...base,
              arn: c.DBClusterArn ?? arnFor('cluster', c.DBClusterIdentifier),
              id: c.DBClusterIdentifier,
              name: c.DBClusterIdentifier,
              tags: tagsFromList(c.TagList),
              created_at: isoOrNull(c.ClusterCreateTime),
              attributes: {
                db_instance_class: c.DBClusterInstanceClass ?? null,
                engine: c.Engine ?? null,
                engine_version: c.EngineVersion ?? null,
                state: c.Status ?? null,
                size_gb: c.AllocatedStorage ?? null,
                member_count: c.DBClusterMembers?.length ?? 0,
              },
            });
          }
          onPage(out.length);
        },
        { account_id: ctx.account_id, operation: 'rds:DescribeDBClusters' },
      );
      return out;
    default:
      throw unknownType(cell, 'RDS');
  }
};
