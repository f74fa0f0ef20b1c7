/**
 * generate_openops_workflow end to end on the demo organization (REST and MCP): the three
 * strategies, YAML and JSON holding the same workflow, every REST call the workflow makes names a
 * real tool with arguments its schema accepts (and the scan step really runs), threshold as a score
 * or a percentage, named and cron schedules, argument errors.
 */
import t from 'tap';
import { parse } from 'yaml';
import type { FastifyInstance } from 'fastify';
import Value from 'typebox/value';
import { allTools } from '../../src/app.js';
import { generateOpenOpsWorkflow } from '../../src/tools/generate-openops-workflow.js';
import { schemaErrors, startDemo, toolNamed } from '../e2e/harness.js';
import { connectMcp } from '../e2e/helpers.js';
import { isolateNetwork } from '../helpers/network.js';

isolateNetwork();

interface Step {
  id: string;
  name: string;
  action: string;
  request?: { method: string; url: string; headers: Record<string, string>; body: Record<string, unknown> };
  steps?: Step[];
  condition?: { left: string; operator: string; right: number };
  [k: string]: unknown;
}
interface Answer {
  workflow_name: string;
  yaml_content: string;
  json_content: string;
  workflow: { schema: string; trigger: { cron: string }; steps: Step[]; triggers: unknown[]; metadata: Record<string, unknown>; inputs: Record<string, unknown> };
  steps: { id: string; name: string; action: string }[];
  step_count: number;
  remediation_strategy: string;
  threshold: number;
  threshold_percent: number;
  schedule: { cron: string; description: string };
  target_tags: string[];
  resource_types: string[];
  notes: string[];
}

async function call(app: FastifyInstance, args: unknown): Promise<{ status: number; body: Answer }> {
  const r = await app.inject({ method: 'POST', url: '/tools/generate_openops_workflow', payload: JSON.stringify(args), headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.json() };
}

function allSteps(steps: Step[]): Step[] {
  return steps.flatMap((s) => [s, ...allSteps(s.steps ?? [])]);
}

t.test('demo organization', async (t) => {
  const demo = await startDemo();
  t.teardown(() => demo.close());
  const { app } = demo;

  for (const strategy of ['notify', 'report', 'auto_tag'] as const) {
    t.test(`${strategy}: a complete workflow whose REST calls are real tool calls`, async (t) => {
      const { status, body } = await call(app, { resource_types: ['ec2:instance', 's3:bucket'], remediation_strategy: strategy, threshold: 0.9, account_ids: ['production'], server_url: 'https://finops.example.com/' });
      t.equal(status, 200);
      t.same(schemaErrors(generateOpenOpsWorkflow.outputSchema, body), []);
      t.equal(body.remediation_strategy, strategy);
      t.same(parse(body.yaml_content), body.workflow, 'YAML holds the workflow');
      t.same(JSON.parse(body.json_content), body.workflow, 'JSON holds the workflow');
      t.equal(body.workflow.schema, 'finops-tag-compliance/openops-workflow@1');
      t.equal(body.step_count, body.steps.length);
      t.same(body.steps.map((s) => s.id), body.workflow.steps.map((s) => s.id));
      t.same(body.workflow.steps.slice(0, 2).map((s) => s.id), ['scan', 'check_threshold']);
      t.same(body.workflow.steps[1]?.condition, { left: '{{steps.scan.body.compliance_score}}', operator: 'less_than', right: 0.9 });
      t.same(body.workflow.triggers, [{ compliance_score_below: 0.9 }, { schedule: '0 6 * * *' }]);
      const ids = allSteps(body.workflow.steps).map((s) => s.id);
      t.equal(new Set(ids).size, ids.length, 'step ids are unique');

      for (const step of allSteps(body.workflow.steps).filter((s) => s.action === 'http_request')) {
        const req = step.request;
        t.equal(req?.method, 'POST');
        const m = /^https:\/\/finops\.example\.com\/tools\/([a-z_]+)$/.exec(req?.url ?? '');
        t.ok(m, `${step.id}: calls ${req?.url}`);
        const tool = toolNamed(allTools, m?.[1] ?? '');
        t.ok(Value.Check(tool.inputSchema, req?.body), `${step.id}: ${tool.name} accepts ${JSON.stringify(req?.body)}`);
        t.match(req?.headers['Authorization'], /^Bearer \{\{connections\./);
      }
      const scan = body.workflow.steps[0]?.request?.body ?? {};
      const real = await app.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: scan });
      t.equal(real.statusCode, 200, 'the scan step runs against this server');
      t.type((real.json() as { compliance_score: number }).compliance_score, 'number');

      const actions = allSteps(body.workflow.steps).map((s) => s.action);
      if (strategy === 'notify') t.same(actions.slice(2), ['notification', 'ticket']);
      if (strategy === 'report') t.same(actions.slice(2), ['http_request', 'http_request', 'notification']);
      if (strategy === 'auto_tag') {
        t.ok(actions.includes('approval'), 'an approval before writing tags');
        const apply = allSteps(body.workflow.steps).find((s) => s.id === 'apply_tag');
        t.match(apply?.['assume_role'], /^arn:aws:iam::\{\{item\.account_id\}\}:role\//);
        t.match(apply?.['script'], /^aws resourcegroupstaggingapi tag-resources --region \{\{item\.region\}\}/);
        t.ok(allSteps(body.workflow.steps).some((s) => s.id === 'confident' && s.condition?.right === 0.8));
      }
    });
  }

  t.test('threshold as a score or a percentage; schedules', async (t) => {
    for (const [given, want] of [[0.75, 0.75], [75, 0.75], ['75%', 0.75], [1, 1], [0, 0], [100, 1]] as const) {
      const { status, body } = await call(app, { resource_types: ['ec2:instance'], threshold: given });
      t.equal(status, 200);
      t.equal(body.threshold, want, `${JSON.stringify(given)} → ${want}`);
      t.equal(body.threshold_percent, want * 100);
    }
    t.equal((await call(app, { threshold: 150 })).status, 400);
    t.equal((await call(app, { threshold: '120%' })).status, 400);
    const weekly = await call(app, { schedule: 'weekly' });
    t.equal(weekly.body.schedule.cron, '0 6 * * 1');
    t.equal(weekly.body.workflow.trigger.cron, '0 6 * * 1');
    t.equal((await call(app, { schedule: '0 9 * * MON' })).body.schedule.cron, '0 9 * * MON');
    t.equal((await call(app, { schedule: 'monthly' })).body.schedule.cron, '0 6 1 * *');
    const bad = await call(app, { schedule: '61 * * * *' });
    t.equal(bad.status, 400);
    t.match(JSON.stringify(bad.body), /outside 0–59/);
    t.equal((await call(app, { schedule: 'fortnightly' })).status, 400);
  });

  t.test('target tags default to the required tags of the types; unknown tags refused', async (t) => {
    const s3 = await call(app, { resource_types: ['s3:bucket'] });
    t.same(s3.body.target_tags, [...demo.policy.requiredTagsFor('s3:bucket')]);
    const some = await call(app, { resource_types: ['ec2:instance'], target_tags: ['owner'] });
    t.same(some.body.target_tags, ['Owner']);
    t.same(some.body.workflow.inputs['target_tags'], ['Owner']);
    const bad = await call(app, { target_tags: ['Team'] });
    t.equal(bad.status, 400);
    t.equal((await call(app, { remediation_strategy: 'delete' })).status, 400);
  });

  t.test('MCP gives the same workflow as REST (clock aside)', async (t) => {
    const mcp = await connectMcp(app);
    t.teardown(() => mcp.close());
    const args = { resource_types: ['ec2:instance'], remediation_strategy: 'report', schedule: 'weekly' };
    const viaMcp = await mcp.client.callTool({ name: 'generate_openops_workflow', arguments: args });
    t.notOk(viaMcp.isError);
    const rest = (await call(app, args)).body;
    const sc = viaMcp.structuredContent as unknown as Answer;
    t.same(sc.workflow.steps, rest.workflow.steps);
    t.equal(sc.workflow_name, rest.workflow_name);
    t.equal(sc.threshold, 0.8, 'default threshold 0.8');
  });
});
