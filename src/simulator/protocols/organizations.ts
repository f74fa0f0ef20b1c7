/** AWS Organizations (JSON 1.1): the read calls a FinOps scanner needs, from the management account. */
import type { CallContext } from '../context.js';
import { SimError, accessDenied, jsonResponse, type WireResponse } from '../errors.js';
import { paginate } from '../paging.js';
import type { SimAccount, SimFixture } from '../types.js';
import { effectiveTagPolicy } from './tag-policy.js';
import { optInt, optString, reqString, tokenOffset, type JsonBody } from './json.js';

const INVALID = 'InvalidInputException';

function arns(f: SimFixture) {
  const base = `arn:aws:organizations::${f.organization.management_account_id}`;
  const org = f.organization.id;
  return {
    org: `${base}:organization/${org}`,
    account: (id: string) => `${base}:account/${org}/${id}`,
    ou: (id: string) => `${base}:ou/${org}/${id}`,
    root: (id: string) => `${base}:root/${org}/${id}`,
    policy: (id: string) => `${base}:policy/${org}/tag_policy/${id}`,
  };
}

/** Stable join date per account (the fixture has none): one day apart from 2021-01-04. */
function joined(f: SimFixture, a: SimAccount): number {
  const i = f.accounts.indexOf(a);
  return Date.UTC(2021, 0, 4) / 1000 + Math.max(0, i) * 86_400;
}

function accountJson(f: SimFixture, a: SimAccount) {
  return {
    Id: a.id,
    Arn: arns(f).account(a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status === 'ACTIVE' ? 'ACTIVE' : a.status === 'SUSPENDED' ? 'SUSPENDED' : 'PENDING_CLOSURE',
    JoinedMethod: a.id === f.organization.management_account_id ? 'CREATED' : 'INVITED',
    JoinedTimestamp: joined(f, a),
  };
}

function listPage<T>(ctx: CallContext, operation: string, body: JsonBody, items: T[], key: string, maxResults = 20): WireResponse {
  const max = optInt(body, 'MaxResults', INVALID);
  if (max !== undefined && (max < 1 || max > maxResults)) throw new SimError(INVALID, `MaxResults must be between 1 and ${maxResults}`);
  const scope = `organizations:${operation}:${JSON.stringify(body, (k, v: unknown) => (k === 'NextToken' || k === 'MaxResults' ? undefined : v))}`;
  const offset = tokenOffset(scope, optString(body, 'NextToken', INVALID), () => new SimError(INVALID, 'The NextToken value is not valid'));
  const page = paginate(items, scope, offset, ctx.state.pageSize('organizations', operation, max, maxResults));
  return jsonResponse({ [key]: page.items, ...(page.next === undefined ? {} : { NextToken: page.next }) });
}

function requireParent(f: SimFixture, parentId: string): void {
  if (parentId !== f.organization.root_id && !f.organizational_units.some((o) => o.id === parentId)) {
    throw new SimError('ParentNotFoundException', `We can't find a root or OU with the ParentId ${parentId}.`);
  }
}

function policies(f: SimFixture) {
  return f.tag_policies ?? [];
}

function policySummary(f: SimFixture, p: { id: string; name: string }) {
  return { Id: p.id, Arn: arns(f).policy(p.id), Name: p.name, Description: `Tag policy ${p.name}`, Type: 'TAG_POLICY', AwsManaged: false };
}

function findPolicy(f: SimFixture, id: string) {
  const p = policies(f).find((x) => x.id === id);
  if (!p) throw new SimError('PolicyNotFoundException', `We can't find a policy with the PolicyId ${id}.`);
  return p;
}

function targetJson(f: SimFixture, id: string) {
  const a = arns(f);
  if (id === f.organization.root_id) return { TargetId: id, Arn: a.root(id), Name: 'Root', Type: 'ROOT' };
  const ou = f.organizational_units.find((o) => o.id === id);
  if (ou) return { TargetId: id, Arn: a.ou(id), Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
  const acct = f.accounts.find((x) => x.id === id);
  return { TargetId: id, Arn: a.account(id), Name: acct?.name ?? id, Type: 'ACCOUNT' };
}

function describeEffectivePolicy(ctx: CallContext, body: JsonBody): WireResponse {
  const f = ctx.state.fixture;
  const type = reqString(body, 'PolicyType', INVALID);
  if (type !== 'TAG_POLICY') throw new SimError(INVALID, `The simulator supports effective policies of type TAG_POLICY only, not ${type}`);
  const targetId = optString(body, 'TargetId', INVALID) ?? ctx.caller.account.id;
  if (targetId !== ctx.caller.account.id && !ctx.state.isManagement(ctx.caller.account.id)) {
    throw accessDenied('organizations', 'organizations:DescribeEffectivePolicy');
  }
  const account = f.accounts.find((a) => a.id === targetId);
  if (!account) throw new SimError('TargetNotFoundException', `We can't find a target with the TargetId ${targetId}.`);
  const content = effectiveTagPolicy(f, account);
  if (content === null) throw new SimError('EffectivePolicyNotFoundException', 'No effective policy of type TAG_POLICY found for the target.');
  return jsonResponse({
    EffectivePolicy: { PolicyContent: content, LastUpdatedTimestamp: Date.UTC(2025, 0, 1) / 1000, TargetId: targetId, PolicyType: 'TAG_POLICY' },
  });
}

export function handleOrganizations(ctx: CallContext, operation: string, body: JsonBody): WireResponse {
  if (operation === 'DescribeEffectivePolicy') return describeEffectivePolicy(ctx, body);
  if (!ctx.state.isManagement(ctx.caller.account.id)) throw accessDenied('organizations', `organizations:${operation}`);
  const f = ctx.state.fixture;
  const a = arns(f);
  const mgmt = ctx.state.managementAccount();
  switch (operation) {
    case 'DescribeOrganization':
      return jsonResponse({
        Organization: {
          Id: f.organization.id,
          Arn: a.org,
          FeatureSet: 'ALL',
          MasterAccountArn: a.account(mgmt.id),
          MasterAccountId: mgmt.id,
          MasterAccountEmail: mgmt.email,
          AvailablePolicyTypes: [{ Type: 'TAG_POLICY', Status: 'ENABLED' }],
        },
      });
    case 'ListRoots':
      return listPage(ctx, operation, body, [{ Id: f.organization.root_id, Arn: a.root(f.organization.root_id), Name: 'Root', PolicyTypes: [{ Type: 'TAG_POLICY', Status: 'ENABLED' }] }], 'Roots');
    case 'ListAccounts':
      return listPage(ctx, operation, body, f.accounts.map((x) => accountJson(f, x)), 'Accounts');
    case 'ListAccountsForParent': {
      const parent = reqString(body, 'ParentId', INVALID);
      requireParent(f, parent);
      return listPage(ctx, operation, body, f.accounts.filter((x) => x.parent_id === parent).map((x) => accountJson(f, x)), 'Accounts');
    }
    case 'ListOrganizationalUnitsForParent': {
      const parent = reqString(body, 'ParentId', INVALID);
      requireParent(f, parent);
      const ous = f.organizational_units.filter((o) => o.parent_id === parent).map((o) => ({ Id: o.id, Arn: a.ou(o.id), Name: o.name }));
      return listPage(ctx, operation, body, ous, 'OrganizationalUnits');
    }
    case 'ListChildren': {
      const parent = reqString(body, 'ParentId', INVALID);
      const childType = reqString(body, 'ChildType', INVALID);
      requireParent(f, parent);
      let children: { Id: string; Type: string }[];
      if (childType === 'ACCOUNT') children = f.accounts.filter((x) => x.parent_id === parent).map((x) => ({ Id: x.id, Type: 'ACCOUNT' }));
      else if (childType === 'ORGANIZATIONAL_UNIT') {
        children = f.organizational_units.filter((o) => o.parent_id === parent).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      } else throw new SimError(INVALID, `ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT`);
      return listPage(ctx, operation, body, children, 'Children');
    }
    case 'DescribeAccount': {
      const id = reqString(body, 'AccountId', INVALID);
      const acct = f.accounts.find((x) => x.id === id);
      if (!acct) throw new SimError('AccountNotFoundException', `We can't find an AWS account with the AccountId ${id}.`);
      return jsonResponse({ Account: accountJson(f, acct) });
    }
    case 'ListPolicies': {
      const filter = reqString(body, 'Filter', INVALID);
      const known = ['SERVICE_CONTROL_POLICY', 'TAG_POLICY', 'BACKUP_POLICY', 'AISERVICES_OPT_OUT_POLICY', 'RESOURCE_CONTROL_POLICY', 'CHATBOT_POLICY', 'DECLARATIVE_POLICY_EC2'];
      if (!known.includes(filter)) throw new SimError(INVALID, `Filter ${filter} is not a policy type`);
      const list = filter === 'TAG_POLICY' ? policies(f).map((p) => policySummary(f, p)) : [];
      return listPage(ctx, operation, body, list, 'Policies');
    }
    case 'DescribePolicy': {
      const p = findPolicy(f, reqString(body, 'PolicyId', INVALID));
      return jsonResponse({ Policy: { PolicySummary: policySummary(f, p), Content: p.content } });
    }
    case 'ListTargetsForPolicy': {
      const p = findPolicy(f, reqString(body, 'PolicyId', INVALID));
      return listPage(ctx, operation, body, p.targets.map((id) => targetJson(f, id)), 'Targets');
    }
    default:
      throw new SimError('UnknownOperationException', `Unknown operation ${operation}`);
  }
}
