/**
 * The IAM the code needs, as data: the member-account role's read actions come from the
 * resource-type registry; the server (management-side) role's own actions are listed here, each
 * with the code that calls it. `scripts/generate-iam.ts` renders both into the CloudFormation
 * templates and the policy JSON files, so none of them is maintained by hand.
 */
import { memberRoleActions } from './registry.js';

export interface ServerAction {
  action: string;
  /** What calls it (file or feature), for reviewers of the generated policy. */
  used_by: string;
}

/**
 * Actions the server calls with its own (base) credentials, besides scanning its own account.
 * sts:AssumeRole is not listed: it is granted separately, on the member role name only.
 */
export const SERVER_ACTIONS: readonly ServerAction[] = [
  { action: 'sts:GetCallerIdentity', used_by: 'src/aws/credentials.ts (the server account id)' },
  { action: 'ce:GetCostAndUsage', used_by: 'src/aws/costs.ts (cost attribution)' },
  { action: 'organizations:ListRoots', used_by: 'src/aws/organizations.ts (account discovery)' },
  { action: 'organizations:ListAccountsForParent', used_by: 'src/aws/organizations.ts (account discovery)' },
  { action: 'organizations:ListOrganizationalUnitsForParent', used_by: 'src/aws/organizations.ts (account discovery)' },
  { action: 'organizations:ListPolicies', used_by: 'src/aws/tag-policies.ts (import_aws_tag_policy: list tag policies)' },
  { action: 'organizations:DescribePolicy', used_by: 'src/aws/tag-policies.ts (import_aws_tag_policy: read a tag policy)' },
  { action: 'organizations:ListTargetsForPolicy', used_by: 'src/aws/tag-policies.ts (import_aws_tag_policy: where a policy is attached)' },
  { action: 'organizations:DescribeEffectivePolicy', used_by: 'src/aws/tag-policies.ts (import_aws_tag_policy: effective policy of an account)' },
];

export const DEFAULT_MEMBER_ROLE_NAME = 'FinOpsTagComplianceReadOnly';

/** Management-side read actions of the server role, sorted and unique (sts:AssumeRole excluded). */
export function serverRoleActions(): string[] {
  return [...new Set(SERVER_ACTIONS.map((a) => a.action))].sort();
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Permissions of the member-account role (read-only, everything the scan of an account calls). */
export function memberRolePolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TagComplianceReadOnly', Effect: 'Allow', Action: memberRoleActions(), Resource: '*' }],
  };
}

/**
 * Permissions of the server role: AssumeRole on the member role name only, the management-side
 * reads, and the member read actions for scanning the server's own account with its own credentials.
 */
export function serverRolePolicy(memberRoleName = DEFAULT_MEMBER_ROLE_NAME, partition = 'aws'): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AssumeMemberAccountRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: `arn:${partition}:iam::*:role/${memberRoleName}` },
      { Sid: 'ManagementRead', Effect: 'Allow', Action: serverRoleActions(), Resource: '*' },
      { Sid: 'ScanOwnAccount', Effect: 'Allow', Action: memberRoleActions(), Resource: '*' },
    ],
  };
}
