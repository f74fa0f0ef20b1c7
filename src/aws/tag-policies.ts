/**
 * Organizations tag policies, read with the server's base credentials (management or delegated
 * administrator account): ListPolicies (Filter TAG_POLICY), DescribePolicy, ListTargetsForPolicy
 * and DescribeEffectivePolicy, every page. Organizations' own "not found" / "not in use" errors
 * become AwsAccessErrors with stable codes the tool turns into 4xx answers; everything else goes
 * through toAwsAccessError (AccessDenied names the IAM action to grant).
 */
import {
  DescribeEffectivePolicyCommand,
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  type OrganizationsClient,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import { errorName, toAwsAccessError } from './errors.js';
import { AwsAccessError, type EffectiveOrgPolicy, type OrgPolicy, type OrgPolicySummary, type OrgPolicyTarget } from './gateway.js';
import { drainPages } from './listers/types.js';

const WHERE = { account_id: 'organization' };

/** Organizations error names → our codes and what to do about them. */
const KNOWN: Record<string, { code: string; message: (subject: string) => string }> = {
  AWSOrganizationsNotInUseException: {
    code: 'OrganizationsNotInUse',
    message: () => "The server's account is not a member of an AWS Organization, so there are no tag policies to import. Run the server in the management (or delegated administrator) account.",
  },
  PolicyNotFoundException: {
    code: 'PolicyNotFound',
    message: (s) => `No Organizations policy has the id ${s}. Call import_aws_tag_policy without policy_id to list the tag policies and their ids.`,
  },
  TargetNotFoundException: {
    code: 'TargetNotFound',
    message: (s) => `The organization has no account ${s}. Check the id with list_accounts.`,
  },
  EffectivePolicyNotFoundException: {
    code: 'EffectivePolicyNotFound',
    message: (s) => `No tag policy applies to account ${s} (none is attached to it, its OUs or the root), so it has no effective tag policy.`,
  },
  InvalidInputException: {
    code: 'InvalidInput',
    message: (s) => `Organizations refused the request${s === '' ? '' : ` for ${s}`} as invalid input (for example, an effective policy is asked for the management account, which has none).`,
  },
  PolicyTypeNotEnabledException: {
    code: 'PolicyTypeNotEnabled',
    message: () => 'Tag policies are not enabled in this organization (Organizations console → Policies → Tag policies → Enable).',
  },
};

function mapError(err: unknown, subject: string, activity: string, signal: AbortSignal): AwsAccessError {
  const known = KNOWN[errorName(err)];
  if (known !== undefined) return new AwsAccessError(known.message(subject), { code: known.code, account_id: null, cause: err });
  return toAwsAccessError(err, { account_id: null, role_arn: null, signal, activity });
}

function summary(p: PolicySummary | undefined, fallbackId: string): OrgPolicySummary {
  return {
    id: p?.Id ?? fallbackId,
    arn: p?.Arn ?? null,
    name: p?.Name ?? fallbackId,
    description: p?.Description === undefined || p.Description === '' ? null : p.Description,
    type: p?.Type ?? null,
    aws_managed: p?.AwsManaged ?? false,
  };
}

export async function listTagPolicies(org: OrganizationsClient, signal: AbortSignal): Promise<OrgPolicySummary[]> {
  const out: OrgPolicySummary[] = [];
  try {
    await drainPages(
      (NextToken) => org.send(new ListPoliciesCommand({ Filter: 'TAG_POLICY', ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
      (p) => p.NextToken,
      (p) => { for (const s of p.Policies ?? []) if (s.Id) out.push(summary(s, s.Id)); },
      { ...WHERE, operation: 'organizations:ListPolicies' },
    );
  } catch (err) {
    throw mapError(err, '', 'listing the tag policies', signal);
  }
  return out;
}

export async function describePolicy(org: OrganizationsClient, policyId: string, signal: AbortSignal): Promise<OrgPolicy> {
  try {
    const out = await org.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: signal });
    const content = out.Policy?.Content;
    if (content === undefined) throw new AwsAccessError(`Organizations returned no content for policy ${policyId}.`, { code: 'Unknown', account_id: null });
    return { summary: summary(out.Policy?.PolicySummary, policyId), content };
  } catch (err) {
    throw mapError(err, policyId, `reading the policy ${policyId}`, signal);
  }
}

export async function listPolicyTargets(org: OrganizationsClient, policyId: string, signal: AbortSignal): Promise<OrgPolicyTarget[]> {
  const out: OrgPolicyTarget[] = [];
  try {
    await drainPages(
      (NextToken) => org.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, ...(NextToken ? { NextToken } : {}) }), { abortSignal: signal }),
      (p) => p.NextToken,
      (p) => {
        for (const t of p.Targets ?? []) {
          if (t.TargetId) out.push({ target_id: t.TargetId, name: t.Name ?? null, type: t.Type ?? 'UNKNOWN', arn: t.Arn ?? null });
        }
      },
      { ...WHERE, operation: 'organizations:ListTargetsForPolicy' },
    );
  } catch (err) {
    throw mapError(err, policyId, `listing the targets of policy ${policyId}`, signal);
  }
  return out;
}

export async function effectiveTagPolicy(org: OrganizationsClient, accountId: string, signal: AbortSignal): Promise<EffectiveOrgPolicy> {
  try {
    const out = await org.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: accountId }), { abortSignal: signal });
    const p = out.EffectivePolicy;
    if (p?.PolicyContent === undefined) throw new AwsAccessError(`Organizations returned no effective tag policy content for account ${accountId}.`, { code: 'Unknown', account_id: accountId });
    return { target_id: p.TargetId ?? accountId, content: p.PolicyContent, last_updated: p.LastUpdatedTimestamp?.toISOString() ?? null };
  } catch (err) {
    throw mapError(err, accountId, `reading the effective tag policy of account ${accountId}`, signal);
  }
}
