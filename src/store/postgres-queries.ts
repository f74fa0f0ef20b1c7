/**
 * Read queries of the PostgreSQL history store (postgres.ts): snapshot summaries with their
 * per-account rows, and one snapshot's per-resource state with its (shared) tag sets.
 */
import type { Pool } from 'pg';
import { NotFoundError } from '../core/errors.js';
import { canonicalTags } from './postgres-support.js';
import { normaliseTime } from './snapshot.js';
import type { HistoryQuery, SnapshotAccountAggregate, SnapshotResourceState, SnapshotSummary } from './types.js';

interface SnapshotRow {
  id: string;
  taken_at: Date;
  scope_key: string;
  account_ids: string[];
  regions: string[];
  resource_types: string[];
  policy_hash: string;
  compliance_score: number;
  total_resources: number;
  compliant_resources: number;
  violation_count: number;
  error_count: number;
  warning_count: number;
  cost_attribution_gap: number;
  data_quality_status: 'complete' | 'partial';
  violations_by_tag: Record<string, number>;
}

interface AccountRow extends SnapshotAccountAggregate {
  snapshot_id: string;
}

interface ResourceRow {
  arn: string | null;
  resource_type: string;
  account_id: string;
  region: string;
  compliant: boolean;
  tag_set_id: string;
  tags: Record<string, string>;
}

const SNAPSHOT_COLUMNS = `id::text AS id, taken_at, scope_key, account_ids, regions, resource_types, policy_hash, compliance_score,
  total_resources, compliant_resources, violation_count, error_count, warning_count, cost_attribution_gap, data_quality_status, violations_by_tag`;

function toSummary(row: SnapshotRow, accounts: SnapshotAccountAggregate[]): SnapshotSummary {
  return {
    id: row.id,
    taken_at: row.taken_at.toISOString(),
    scope: { account_ids: row.account_ids, regions: row.regions, resource_types: row.resource_types, policy_hash: row.policy_hash },
    scope_key: row.scope_key,
    compliance_score: row.compliance_score,
    total_resources: row.total_resources,
    compliant_resources: row.compliant_resources,
    violation_count: row.violation_count,
    error_count: row.error_count,
    warning_count: row.warning_count,
    cost_attribution_gap: row.cost_attribution_gap,
    violations_by_tag: row.violations_by_tag,
    data_quality_status: row.data_quality_status,
    accounts,
  };
}

/** Snapshots matching the query, taken_at ascending then insertion order, with their per-account rows. */
export async function listSnapshots(pool: Pool, query: HistoryQuery): Promise<SnapshotSummary[]> {
  const params: unknown[] = [normaliseTime(query.since, 'since')];
  let sql = `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE taken_at >= $1`;
  if (query.until !== undefined) {
    params.push(normaliseTime(query.until, 'until'));
    sql += ` AND taken_at <= $${params.length}`;
  }
  if (query.scope_key !== undefined) {
    params.push(query.scope_key);
    sql += ` AND scope_key = $${params.length}`;
  }
  if (query.account_ids !== undefined && query.account_ids.length > 0) {
    params.push(query.account_ids);
    sql += ` AND account_ids @> $${params.length}::text[]`;
  }
  sql += ' ORDER BY taken_at, id';
  const rows = (await pool.query<SnapshotRow>(sql, params)).rows;
  if (rows.length === 0) return [];
  const accounts = await pool.query<AccountRow>(
    `SELECT snapshot_id::text AS snapshot_id, account_id, total_resources, compliant_resources, violation_count, cost_attribution_gap
     FROM snapshot_accounts WHERE snapshot_id = ANY($1::bigint[]) ORDER BY snapshot_id, account_id`,
    [rows.map((r) => r.id)],
  );
  const bySnapshot = new Map<string, SnapshotAccountAggregate[]>();
  for (const { snapshot_id, ...a } of accounts.rows) {
    const list = bySnapshot.get(snapshot_id);
    if (list === undefined) bySnapshot.set(snapshot_id, [a]);
    else list.push(a);
  }
  return rows.map((r) => toSummary(r, bySnapshot.get(r.id) ?? []));
}

/** Per-resource state of one snapshot, by ARN (byte order); NotFoundError when the snapshot does not exist. */
export async function readResources(pool: Pool, id: string): Promise<SnapshotResourceState[]> {
  const { rows } = await pool.query<ResourceRow>(
    `SELECT r.arn, r.resource_type, r.account_id, r.region, r.compliant, r.tag_set_id::text AS tag_set_id, t.tags
     FROM snapshots s LEFT JOIN snapshot_resources r ON r.snapshot_id = s.id LEFT JOIN tag_sets t ON t.id = r.tag_set_id
     WHERE s.id = $1 ORDER BY r.arn`,
    [id],
  );
  if (rows.length === 0) throw new NotFoundError(`No history snapshot with id ${JSON.stringify(id)}`, 'id');
  const tagsById = new Map<string, Record<string, string>>();
  const out: SnapshotResourceState[] = [];
  for (const r of rows) {
    if (r.arn === null) continue; // the snapshot exists but holds no resources
    let tags = tagsById.get(r.tag_set_id);
    if (tags === undefined) {
      tags = canonicalTags(r.tags);
      tagsById.set(r.tag_set_id, tags);
    }
    out.push({ arn: r.arn, resource_type: r.resource_type, account_id: r.account_id, region: r.region, tags: { ...tags }, compliant: r.compliant });
  }
  return out;
}
