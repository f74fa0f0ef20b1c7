/**
 * Cloud Custodian policies from the tagging policy: one policy per resource type (per Custodian
 * resource), whose filter matches exactly the resources this server finds in error for the chosen
 * violation kinds and tags. Pure: no I/O, YAML through the `yaml` package.
 *
 * dry_run true: one `notify` policy per resource (no mutating action).
 * dry_run false: the classic Custodian tag-compliance trio per resource:
 *   `-mark`   non-compliant and not yet marked → mark-for-op (op, days) + notify;
 *   `-unmark` marked but compliant again      → remove-tag of the marker;
 *   `-act`    marked, due, still non-compliant → the op (`notify` again, or `stop` where
 *             Custodian can stop the resource).
 * Nothing is ever tagged with guessed values.
 */
import { stringify } from 'yaml';
import { getResourceType } from '../aws/registry.js';
import type { CompiledPolicy } from '../policy/types.js';
import { tagConditions, type CustodianFilter, type ViolationKind } from './custodian-filters.js';
import { custodianResourcesFor, type CustodianResource } from './custodian-resources.js';

export type RemediationOp = 'notify' | 'stop';

export interface CustodianBuildInput {
  policy: CompiledPolicy;
  /** Validated registry type names. */
  resourceTypes: readonly string[];
  kinds: readonly ViolationKind[];
  /** null: every required tag that applies to each type. */
  targetTags: readonly string[] | null;
  dryRun: boolean;
  remediationOp: RemediationOp;
  graceDays: number;
  markerTag: string;
  notifyTo: readonly string[];
  ownerAbsentContact: readonly string[];
  queueUrl: string;
  /** Region the global services (CloudFront, Route 53) are evaluated in. */
  globalRegion: string;
}

export interface CustodianPolicySummary {
  name: string;
  /** Custodian resource, e.g. `aws.ec2`. */
  resource_type: string;
  /** Registry type it was generated for, e.g. `ec2:instance`. */
  registry_type: string;
  /** report (dry run), mark, unmark or act. */
  role: 'report' | 'mark' | 'unmark' | 'act';
  action_type: string;
  description: string;
  tags: string[];
  /** Tag conditions OR-ed in the filter (one per tag and violation kind). */
  filter_count: number;
  yaml_content: string;
}

export interface SkippedType {
  resource_type: string;
  reason: string;
}

export interface CustodianBuild {
  policies: CustodianPolicySummary[];
  /** The policy documents in order (what policy_yaml holds). */
  documents: Record<string, unknown>[];
  policy_yaml: string;
  resource_types_covered: string[];
  target_tags: string[];
  skipped_types: SkippedType[];
  notes: string[];
}

/** YAML 1.1 rules: Custodian reads policies with PyYAML, which takes yes/on/0123 for booleans and numbers unless quoted. */
export const YAML_OPTIONS = { version: '1.1', lineWidth: 0, minContentWidth: 0 } as const;

function slug(type: string): string {
  return type.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

function policyBaseName(type: string, res: CustodianResource, several: boolean): string {
  const base = `tag-compliance-${slug(type)}`;
  return several ? `${base}-${slug(res.resource.replace(/^aws\./, ''))}` : base;
}

function notifyAction(input: CustodianBuildInput, subject: string, violation: string, action: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'notify',
    template: 'default.html',
    subject,
    violation_desc: violation,
    action_desc: action,
    to: [...input.notifyTo],
    transport: { type: 'sqs', queue: input.queueUrl },
  };
  if (input.ownerAbsentContact.length > 0) out['owner_absent_contact'] = [...input.ownerAbsentContact];
  return out;
}

function kindsText(kinds: readonly ViolationKind[]): string {
  if (kinds.length === 2) return 'missing or invalid';
  return kinds[0] === 'missing_tag' ? 'missing' : 'invalid';
}

/** Which target tags apply to a type (policy order), and which asked-for tags do not. */
export function tagsForType(policy: CompiledPolicy, type: string, targetTags: readonly string[] | null): string[] {
  const required = policy.requiredTagsFor(type);
  if (targetTags === null) return [...required];
  return required.filter((n) => targetTags.includes(n));
}

export function buildCustodianPolicies(input: CustodianBuildInput): CustodianBuild {
  const { policy } = input;
  const policies: CustodianPolicySummary[] = [];
  const documents: Record<string, unknown>[] = [];
  const skipped: SkippedType[] = [];
  const notes = new Set<string>();
  const covered: string[] = [];
  const allTags = new Set<string>();
  const what = kindsText(input.kinds);

  for (const type of input.resourceTypes) {
    const resources = custodianResourcesFor(type);
    if (resources.length === 0) {
      skipped.push({ resource_type: type, reason: 'Cloud Custodian has no resource for this type.' });
      continue;
    }
    const tags = tagsForType(policy, type, input.targetTags);
    if (tags.length === 0) {
      skipped.push({
        resource_type: type,
        reason: policy.requiredTagsFor(type).length === 0 ? 'No required tag of the tagging policy applies to this type (out of scope).' : `None of the target tags applies to this type (its required tags: ${policy.requiredTagsFor(type).join(', ')}).`,
      });
      continue;
    }
    const built = tagConditions(policy, tags, input.kinds);
    for (const n of built.notes) notes.add(n);
    if (built.conditions.length === 0) {
      skipped.push({ resource_type: type, reason: 'No condition to check for the chosen violation types.' });
      continue;
    }
    covered.push(type);
    for (const t of tags) allTags.add(t);
    const violation: CustodianFilter = { or: built.conditions };
    const label = getResourceType(type)?.label ?? type;
    const tagList = tags.join(', ');
    for (const res of resources) {
      const base = policyBaseName(type, res, resources.length > 1);
      const conditions = res.global ? { conditions: [{ type: 'value', key: 'region', value: input.globalRegion }] } : {};
      const add = (name: string, role: CustodianPolicySummary['role'], description: string, filters: unknown[], actions: unknown[], actionType: string): void => {
        const doc: Record<string, unknown> = { name, resource: res.resource, description, ...conditions, filters, actions };
        documents.push(doc);
        policies.push({
          name,
          resource_type: res.resource,
          registry_type: type,
          role,
          action_type: actionType,
          description,
          tags: [...tags],
          filter_count: built.conditions.length,
          yaml_content: stringify({ policies: [doc] }, YAML_OPTIONS),
        });
      };
      const subject = `Tag compliance: ${label} with ${what} tags (${tagList}) in {account_id} / {region}`;
      const violationDesc = `This ${label} has ${what} required tags (${tagList}) under the tagging policy ${policy.version} (${policy.hash.slice(0, 12)}).`;
      if (input.dryRun) {
        add(base, 'report', `${label}: ${what} required tags (${tagList}). [DRY RUN - notify only]`, [violation], [notifyAction(input, subject, violationDesc, 'Please add or correct the tags. No automatic action is taken.')], 'notify');
        continue;
      }
      const op: RemediationOp = input.remediationOp === 'stop' && res.stoppable ? 'stop' : 'notify';
      if (input.remediationOp === 'stop' && !res.stoppable) notes.add(`${res.resource} cannot be stopped by Custodian: its policies use op notify instead of stop.`);
      const marker = `tag:${input.markerTag}`;
      const consequence = op === 'stop' ? `will be stopped after ${input.graceDays} day(s)` : `will be reported again after ${input.graceDays} day(s)`;
      add(
        `${base}-mark`,
        'mark',
        `${label}: mark resources with ${what} required tags (${tagList}) for ${op} in ${input.graceDays} day(s) (tag ${input.markerTag}).`,
        [{ [marker]: 'absent' }, violation],
        [
          { type: 'mark-for-op', tag: input.markerTag, op, days: input.graceDays, msg: `Tag compliance (${tagList}): {op}@{action_date}` },
          notifyAction(input, subject, violationDesc, `Add or correct the tags within ${input.graceDays} day(s): the resource ${consequence}.`),
        ],
        'mark-for-op',
      );
      add(`${base}-unmark`, 'unmark', `${label}: remove the ${input.markerTag} mark from resources whose tags are compliant again.`, [{ [marker]: 'present' }, { not: [violation] }], [{ type: 'remove-tag', tags: [input.markerTag] }], 'remove-tag');
      add(
        `${base}-act`,
        'act',
        `${label}: ${op} resources still non-compliant when their mark falls due.`,
        [{ type: 'marked-for-op', tag: input.markerTag, op }, violation],
        op === 'stop'
          ? [{ type: 'stop' }, notifyAction(input, `Stopped: ${subject}`, violationDesc, 'The resource was stopped because its tags were not corrected in time.')]
          : [notifyAction(input, `Still non-compliant: ${subject}`, violationDesc, `The grace period of ${input.graceDays} day(s) has passed: please fix the tags now.`)],
        op,
      );
    }
  }

  const policyYaml = documents.length === 0 ? '' : stringify({ policies: documents }, YAML_OPTIONS);
  return {
    policies,
    documents,
    policy_yaml: policyYaml,
    resource_types_covered: covered,
    target_tags: [...allTags],
    skipped_types: skipped,
    notes: [...notes],
  };
}
