/**
 * Build the history snapshot of a compliance run (scope, aggregates over every violation whatever
 * severity filter the caller used, per-account figures and the per-resource tag state used for
 * drift detection).
 */
import type { SnapshotInput } from '../../store/types.js';
import type { RunComplianceResult } from './run-compliance.js';

export function buildSnapshot(run: RunComplianceResult, takenAt: Date): SnapshotInput {
  const { inventory, summary_all: s, evaluation, policy } = run;
  const accountIds = [...new Set(inventory.accounts.filter((a) => a.status !== 'skipped').map((a) => a.account_id))].sort();
  return {
    taken_at: takenAt.toISOString(),
    scope: {
      account_ids: accountIds,
      regions: [...inventory.regions].sort(),
      resource_types: [...inventory.resource_types].sort(),
      policy_hash: policy.hash,
    },
    compliance_score: s.compliance_score,
    total_resources: s.total_resources,
    compliant_resources: s.compliant_resources,
    violation_count: s.violation_count,
    error_count: s.error_count,
    warning_count: s.warning_count,
    cost_attribution_gap: s.cost_attribution_gap,
    violations_by_tag: { ...s.violations_by_tag },
    data_quality_status: run.data_quality.status,
    accounts: Object.values(s.account_breakdown).map((a) => ({
      account_id: a.account_id,
      total_resources: a.total_resources,
      compliant_resources: a.compliant_resources,
      violation_count: a.violation_count,
      cost_attribution_gap: a.cost_attribution_gap,
    })),
    resources: evaluation.map((e) => ({
      arn: e.resource.arn,
      resource_type: e.resource.type,
      account_id: e.resource.account_id,
      region: e.resource.region,
      tags: { ...e.resource.tags },
      compliant: e.compliant,
    })),
  };
}
