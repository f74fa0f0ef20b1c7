/**
 * OpenOps workflow definitions (schema `finops-tag-compliance/openops-workflow@1`, documented in
 * README.md here). A workflow runs on a schedule, scans through this server's REST API
 * (`POST /tools/<name>`, Bearer API key), stops when the compliance score is at or above the
 * threshold, and otherwise acts per strategy:
 *   notify   → notify owners / FinOps with the violations, open a ticket;
 *   report   → compliance report + violations CSV, sent to stakeholders;
 *   auto_tag → for each violation, ask suggest_tags; apply only suggestions at or above
 *              min_confidence, after an approval step, with the Tagging API in the resource's
 *              account (member role), then re-validate; everything else goes to the owners.
 * Pure: the caller passes the policy facts, settings and the clock.
 */
import { stringify } from 'yaml';
import { YAML_OPTIONS } from './custodian-policy.js';

export const OPENOPS_SCHEMA = 'finops-tag-compliance/openops-workflow@1' as const;
export type Strategy = 'notify' | 'auto_tag' | 'report';

export interface WorkflowStep {
  id: string;
  name: string;
  action: 'http_request' | 'condition' | 'loop' | 'approval' | 'aws_cli' | 'notification' | 'ticket';
  description: string;
  [key: string]: unknown;
}

export interface WorkflowInput {
  resourceTypes: readonly string[];
  strategy: Strategy;
  /** 0–1. */
  threshold: number;
  targetTags: readonly string[];
  schedule: { cron: string; label: string };
  accountIds: readonly string[] | null;
  serverUrl: string;
  minConfidence: number;
  approvalRequired: boolean;
  roleArnTemplate: string;
  roleName: string;
  policyVersion: string;
  policyHash: string;
  generatedAt: string;
}

export interface WorkflowBuild {
  name: string;
  description: string;
  workflow: Record<string, unknown>;
  steps: WorkflowStep[];
  yaml: string;
  json: string;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

function toolCall(id: string, name: string, description: string, url: string, tool: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}): WorkflowStep {
  return {
    id,
    name,
    action: 'http_request',
    description,
    request: {
      method: 'POST',
      url: `${url}/tools/${tool}`,
      headers: { Authorization: 'Bearer {{connections.finops_tag_compliance.api_key}}', 'Content-Type': 'application/json' },
      body,
      timeout_seconds: 300,
    },
    on_failure: 'stop',
    ...extra,
  };
}

export function buildOpenOpsWorkflow(input: WorkflowInput): WorkflowBuild {
  const types = [...input.resourceTypes];
  const tags = [...input.targetTags];
  const scope: Record<string, unknown> = { resource_types: types };
  if (input.accountIds !== null) scope['account_ids'] = [...input.accountIds];
  const url = input.serverUrl.replace(/\/+$/, '');
  const name = `Tag compliance ${input.strategy.replace('_', '-')}: ${types.join(', ')}`;
  const description = `Every ${input.schedule.label}, scans ${types.join(', ')} with the FinOps tag compliance server; when the compliance score is below ${pct(input.threshold)} it ${
    input.strategy === 'notify' ? 'notifies the owners and opens a ticket' : input.strategy === 'report' ? 'sends a compliance report and a violations CSV' : `applies suggested values (confidence ≥ ${input.minConfidence}) to missing or invalid tags${input.approvalRequired ? ' after approval' : ''}, and notifies owners of the rest`
  }.`;

  const steps: WorkflowStep[] = [
    toolCall('scan', 'Scan tag compliance', 'Run check_tag_compliance for the scope (errors only) and store a history snapshot.', url, 'check_tag_compliance', { ...scope, severity: 'errors_only', store_snapshot: true, limit: 500 }),
    {
      id: 'check_threshold',
      name: 'Below threshold?',
      action: 'condition',
      description: `Continue only when compliance_score < ${input.threshold} (${pct(input.threshold)}); otherwise end the run.`,
      condition: { left: '{{steps.scan.body.compliance_score}}', operator: 'less_than', right: input.threshold },
      on_false: 'end',
    },
  ];

  const violationFilter = { violation_type: ['missing_required_tag', 'invalid_value', 'invalid_format'], tag_name: tags };
  if (input.strategy === 'notify') {
    steps.push(
      {
        id: 'notify_owners',
        name: 'Notify owners',
        action: 'notification',
        description: 'Send the violations on the target tags to the resource owners and the FinOps team.',
        channel: '{{connections.notification.channel}}',
        recipients: ['resource-owner', 'finops-team'],
        subject: `Tag compliance below ${pct(input.threshold)}: {{steps.scan.body.compliance_score}}`,
        items: { from: '{{steps.scan.body.violations}}', where: violationFilter },
        include_remediation_steps: true,
      },
      {
        id: 'create_ticket',
        name: 'Create remediation ticket',
        action: 'ticket',
        description: 'Open one ticket per account with its violations (7 days to fix).',
        group_by: 'account_id',
        title: 'Tag compliance violations in {{group.account_id}}',
        priority: 'medium',
        due_date_days: 7,
        items: { from: '{{steps.scan.body.violations}}', where: violationFilter },
      },
    );
  } else if (input.strategy === 'report') {
    steps.push(
      toolCall('report', 'Compliance report', 'generate_compliance_report in Markdown, with recommendations.', url, 'generate_compliance_report', { ...scope, format: 'markdown' }),
      toolCall('export_csv', 'Export violations CSV', 'export_violations_csv of the errors on the scope.', url, 'export_violations_csv', {
        ...scope,
        severity: 'errors_only',
        columns: ['account_id', 'account_name', 'resource_arn', 'resource_type', 'region', 'violation_type', 'tag_name', 'current_value', 'allowed_values', 'cost_impact_monthly'],
      }),
      {
        id: 'distribute',
        name: 'Distribute report',
        action: 'notification',
        description: 'Send the report and the CSV to the stakeholders.',
        channel: '{{connections.notification.channel}}',
        recipients: ['finops-team', 'management'],
        subject: 'Tag compliance report: {{steps.scan.body.compliance_score}}',
        attachments: ['{{steps.report.body.content}}', '{{steps.export_csv.body.csv}}'],
      },
    );
  } else {
    const role = input.roleArnTemplate.replaceAll('{role_name}', input.roleName).replaceAll('{account_id}', '{{item.account_id}}');
    steps.push(
      {
        id: 'each_violation',
        name: 'For each violation',
        action: 'loop',
        description: 'Iterate over the missing or invalid target tags found by the scan.',
        items: { from: '{{steps.scan.body.violations}}', where: violationFilter },
        steps: [
          toolCall('suggest', 'Suggest a value', 'suggest_tags for the resource: values backed by evidence (related resources, stack, naming), each with a confidence.', url, 'suggest_tags', { resource_arn: '{{item.resource_arn}}' }, { on_failure: 'continue' }),
          {
            id: 'confident',
            name: 'Confident suggestion?',
            action: 'condition',
            description: `Apply only a suggestion for {{item.tag_name}} with confidence ≥ ${input.minConfidence}; otherwise leave it to the owner.`,
            condition: { left: '{{steps.suggest.body.tags[tag_name={{item.tag_name}}].suggestions[0].confidence}}', operator: 'greater_or_equal', right: input.minConfidence },
            on_false: 'continue',
          },
          ...(input.approvalRequired
            ? [{ id: 'approve', name: 'Approve tag change', action: 'approval' as const, description: 'A FinOps approver confirms the value before it is written.', approvers: ['finops-team'], timeout_hours: 72, on_timeout: 'skip' }]
            : []),
          {
            id: 'apply_tag',
            name: 'Apply tag',
            action: 'aws_cli',
            description: 'Write the tag with the Resource Groups Tagging API in the resource\'s account and region.',
            assume_role: role,
            script: 'aws resourcegroupstaggingapi tag-resources --region {{item.region}} --resource-arn-list {{item.resource_arn}} --tags "{{item.tag_name}}={{steps.suggest.body.tags[tag_name={{item.tag_name}}].suggestions[0].value}}"',
            on_failure: 'continue',
          },
        ],
      },
      toolCall('verify', 'Verify', 'Re-scan (fresh read) to confirm the tags were applied.', url, 'check_tag_compliance', { ...scope, severity: 'errors_only', force_refresh: true, limit: 500 }),
      {
        id: 'notify_rest',
        name: 'Notify owners of what is left',
        action: 'notification',
        description: 'Violations that were not fixed automatically (no confident suggestion, not approved, or failed) go to the owners.',
        channel: '{{connections.notification.channel}}',
        recipients: ['resource-owner', 'finops-team'],
        subject: 'Tags to fix by hand: {{steps.verify.body.compliance_score}}',
        items: { from: '{{steps.verify.body.violations}}', where: violationFilter },
      },
    );
  }

  const workflow: Record<string, unknown> = {
    schema: OPENOPS_SCHEMA,
    name,
    version: '1.0',
    description,
    trigger: { type: 'schedule', cron: input.schedule.cron, timezone: 'UTC' },
    triggers: [{ compliance_score_below: input.threshold }, { schedule: input.schedule.cron }],
    connections: {
      finops_tag_compliance: { type: 'http_bearer', base_url: url, api_key: 'secret: FinOps tag compliance API key' },
      notification: { type: 'slack_or_email', channel: 'set in OpenOps' },
      ...(input.strategy === 'auto_tag' ? { aws: { type: 'aws', role_arn_template: input.roleArnTemplate, role_name: input.roleName, permissions: ['tag:TagResources', 'plus the service tagging action (e.g. ec2:CreateTags)'] } } : {}),
    },
    inputs: { ...scope, target_tags: tags, threshold: input.threshold, ...(input.strategy === 'auto_tag' ? { min_confidence: input.minConfidence, approval_required: input.approvalRequired } : {}) },
    filters: { resource_types: types, tag_keys: tags },
    steps,
    metadata: {
      generated_by: 'finops-tag-compliance-mcp',
      generated_at: input.generatedAt,
      policy_version: input.policyVersion,
      policy_hash: input.policyHash,
      remediation_strategy: input.strategy,
      target_tags: tags,
      threshold: input.threshold,
    },
  };
  return { name, description, workflow, steps, yaml: stringify(workflow, YAML_OPTIONS), json: JSON.stringify(workflow, null, 2) };
}

const NAMED: Record<string, { cron: string; label: string }> = {
  hourly: { cron: '0 * * * *', label: 'hour' },
  daily: { cron: '0 6 * * *', label: 'day at 06:00 UTC' },
  weekly: { cron: '0 6 * * 1', label: 'Monday at 06:00 UTC' },
  monthly: { cron: '0 6 1 * *', label: 'month (1st, 06:00 UTC)' },
};

const FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const NAMES = [null, null, null, /^(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)$/i, /^(SUN|MON|TUE|WED|THU|FRI|SAT)$/i] as const;

/** daily/weekly/monthly/hourly or a 5-field cron expression; null when invalid (the reason). */
export function parseSchedule(text: string): { cron: string; label: string } | { error: string } {
  const named = NAMED[text.trim().toLowerCase()];
  if (named !== undefined) return named;
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return { error: `schedule '${text}' is neither daily, weekly, monthly, hourly nor a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 9 * * MON"` };
  for (let i = 0; i < 5; i++) {
    const f = fields[i] as string;
    if (!FIELD.test(f)) return { error: `cron field ${i + 1} ('${f}') is not valid` };
    const [lo, hi] = RANGES[i] as [number, number];
    for (const token of f.split(/[,/-]/)) {
      if (token === '*' || token === '') continue;
      if (/^[0-9]+$/.test(token)) {
        const n = Number(token);
        if (n < lo || n > hi) return { error: `cron field ${i + 1} ('${f}'): ${n} is outside ${lo}–${hi}` };
      } else if (!(NAMES[i]?.test(token) ?? false)) return { error: `cron field ${i + 1} ('${f}'): '${token}' is not valid` };
    }
  }
  return { cron: fields.join(' '), label: `cron "${fields.join(' ')}" (UTC)` };
}

/** 0–1, or a percentage (1 < x ≤ 100, or "80%"); null when out of range. */
export function normaliseThreshold(value: number | string): number | null {
  let n: number;
  if (typeof value === 'string') {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$/.exec(value);
    if (m === null) return null;
    n = Number(m[1]);
    if (m[2] === '%') return n <= 100 ? n / 100 : null;
  } else n = value;
  if (!Number.isFinite(n) || n < 0) return null;
  if (n <= 1) return n;
  if (n <= 100) return Math.round(n * 1e6) / 1e8;
  return null;
}
