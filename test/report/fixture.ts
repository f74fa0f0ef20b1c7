/** A hand-built report input with hostile user data (tag values, resource ids). Not a test file. */
import type { Violation } from '../../src/core/types.js';
import { buildReportModel, type ReportInput } from '../../src/report/build-model.js';
import type { ReportModel } from '../../src/report/model.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const XSS = '<script>alert(1)</script>';
export const ATTR = '"onerror=alert(1) x="';

function v(p: Partial<Violation> & Pick<Violation, 'resource_id' | 'account_id' | 'region' | 'tag_name' | 'violation_type' | 'cost_impact_monthly'>): Violation {
  return {
    resource_arn: `arn:aws:ec2:${p.region}:${p.account_id}:instance/${p.resource_id}`,
    resource_type: 'ec2:instance',
    severity: 'error',
    current_value: null,
    allowed_values: null,
    message: `${p.tag_name} problem`,
    ...p,
  };
}

export function violations(): Violation[] {
  return [
    v({ resource_id: 'i-2', account_id: A, region: 'us-east-1', tag_name: 'CostCenter', violation_type: 'missing_required_tag', cost_impact_monthly: 310 }),
    v({ resource_id: 'i-1', account_id: A, region: 'us-east-1', tag_name: 'Owner', violation_type: 'missing_required_tag', cost_impact_monthly: 1000 }),
    v({ resource_id: 'i-1', account_id: A, region: 'us-east-1', tag_name: 'CostCenter', violation_type: 'missing_required_tag', cost_impact_monthly: 1000 }),
    v({ resource_id: 'db-1', resource_type: 'rds:db', account_id: B, region: 'eu-west-1', tag_name: 'Environment', violation_type: 'invalid_value', current_value: XSS, message: `Value ${XSS} is not allowed`, cost_impact_monthly: 500 }),
    v({ resource_id: '=cmd|calc', resource_type: 's3:bucket', account_id: B, region: 'eu-west-1', tag_name: 'Team', violation_type: 'wrong_value_case', severity: 'warning', current_value: ATTR, cost_impact_monthly: 0 }),
    v({ resource_id: 'i-3', account_id: A, region: 'eu-west-1', tag_name: 'temp', violation_type: 'prohibited_tag', current_value: 'yes, "really"\nnew line', cost_impact_monthly: 20.5 }),
  ];
}

export function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    generated_at: '2026-11-22T12:00:00.000Z',
    scope: { account_ids: [B, A, C], regions: ['us-east-1', 'eu-west-1'], resource_types: ['rds:db', 'ec2:instance', 's3:bucket'], policy_version: '1.0' },
    summary: { compliance_score: 0.6, total_resources: 10, compliant_resources: 6, cost_attribution_gap: 1830.5 },
    by_region: [
      { key: 'us-east-1', total_resources: 6, compliant_resources: 4, compliance_score: 0.6667, violation_count: 3, cost_attribution_gap: 1310 },
      { key: 'eu-west-1', total_resources: 4, compliant_resources: 2, compliance_score: 0.5, violation_count: 3, cost_attribution_gap: 520.5 },
    ],
    by_account: [
      { key: A, total_resources: 7, compliant_resources: 4, compliance_score: 0.5714, violation_count: 4, cost_attribution_gap: 1330.5 },
      { key: B, total_resources: 3, compliant_resources: 2, compliance_score: 0.6667, violation_count: 2, cost_attribution_gap: 500 },
    ],
    account_names: { [A]: 'prod', [B]: null, [C]: `evil${XSS}` },
    violations: violations(),
    data_quality: {
      status: 'partial',
      cells_requested: 18,
      cells_complete: 16,
      failed: [
        { account_id: C, region: 'us-east-1', resource_type: 'ec2:instance', error_code: 'AccessDenied', message: `Access denied ${XSS}` },
        { account_id: B, region: 'ap-south-1', resource_type: 'rds:db', error_code: 'Throttling', message: 'Rate exceeded' },
      ],
      coverage_notes: ['Lambda functions that were never tagged are not visible.'],
    },
    account_errors: [{ account_id: C, status: 'failed', code: 'AssumeRoleFailed', message: 'AccessDenied when assuming the role', role_arn: `arn:aws:iam::${C}:role/FinOpsTagComplianceReadOnly` }],
    include_recommendations: true,
    ...over,
  };
}

export function model(over: Partial<ReportInput> = {}): ReportModel {
  return buildReportModel(input(over));
}
