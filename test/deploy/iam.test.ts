/**
 * Generated IAM: the member role allows exactly the registry's read actions (nothing missing,
 * nothing extra, nothing that writes), the server role assumes only the member role name, every
 * AWS call in the code is covered, and the committed generated files are up to date.
 */
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject, loadTemplate, type Json } from './cfn.js';
import { memberRoleActions } from '../../src/aws/registry.js';
import { SERVER_ACTIONS, memberRolePolicy, serverRoleActions, serverRolePolicy } from '../../src/aws/iam.js';
import { fillTemplate, renderIam, replaceBlock } from '../../scripts/generate-iam.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITE_VERBS = /^[a-z0-9-]+:(Put|Create|Delete|Update|Modify|Tag|Untag|Attach|Detach|Run|Start|Stop|Terminate|Reboot|Restore|Copy|Set|Remove|Add|Enable|Disable|Associate|Disassociate|Invoke|Publish|Send|Write|Upload)/;

function obj(v: Json | undefined, what: string): { [k: string]: Json } {
  if (!isObject(v)) throw new Error(`${what} is not a mapping`);
  return v;
}

function rolePolicies(template: string, resource: string): { [k: string]: Json }[] {
  const tpl = loadTemplate(join(ROOT, template));
  const props = obj(obj(obj(tpl['Resources'], 'Resources')[resource], resource)['Properties'], 'Properties');
  const policies = props['Policies'];
  return Array.isArray(policies) ? policies.map((p) => obj(p, 'policy')) : [];
}

function statements(policy: { [k: string]: Json }): { [k: string]: Json }[] {
  const st = obj(policy['PolicyDocument'], 'PolicyDocument')['Statement'];
  return Array.isArray(st) ? st.map((s) => obj(s, 'statement')) : [];
}

function actionsOf(s: { [k: string]: Json }): string[] {
  const a = s['Action'];
  return typeof a === 'string' ? [a] : Array.isArray(a) ? a.map(String) : [];
}

t.test('the member role allows exactly the read actions of the registry', async (t) => {
  const policies = rolePolicies('cloudformation/member-role.yaml', 'TagComplianceReadOnlyRole');
  t.equal(policies.length, 1);
  const st = statements(policies[0] ?? {});
  t.equal(st.length, 1, 'one statement');
  const s = st[0] ?? {};
  t.equal(s['Effect'], 'Allow');
  t.equal(s['Resource'], '*');
  t.same(actionsOf(s), memberRoleActions(), 'template actions = memberRoleActions()');
  t.same([...actionsOf(s)].sort(), [...new Set(actionsOf(s))].sort(), 'no duplicates');
  for (const a of actionsOf(s)) t.notMatch(a, WRITE_VERBS, `${a} is read-only`);
  for (const a of actionsOf(s)) t.notMatch(a, /\*/, `${a} has no wildcard`);
  t.same(memberRolePolicy().Statement[0]?.Action, memberRoleActions());
});

t.test('the member role trusts only the server role, with an ExternalId condition', async (t) => {
  const tpl = loadTemplate(join(ROOT, 'cloudformation/member-role.yaml'));
  const props = obj(obj(obj(tpl['Resources'], 'Resources')['TagComplianceReadOnlyRole'], 'role')['Properties'], 'props');
  t.same(props['RoleName'], { Ref: 'RoleName' });
  t.equal(obj(tpl['Parameters'], 'Parameters')['RoleName'] !== undefined && obj(obj(tpl['Parameters'], 'p')['RoleName'], 'RoleName')['Default'], 'FinOpsTagComplianceReadOnly');
  t.same(obj(props['AssumeRolePolicyDocument'], 'trust')['Statement'], [{
    Sid: 'TrustTheMcpServerRoleOnly',
    Effect: 'Allow',
    Principal: { AWS: { 'Fn::If': ['HasServerRoleArn', { Ref: 'ServerRoleArn' }, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${ManagementAccountId}:role/${ServerRoleName}' }] } },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
  }]);
  t.notOk('ManagedPolicyArns' in props, 'no managed policies (ReadOnlyAccess would be far too broad)');
});

t.test('the server role: AssumeRole on the member role name only, management reads, own-account scan', async (t) => {
  const policies = rolePolicies('cloudformation/server.yaml', 'MCPServerRole');
  const main = policies.find((p) => p['PolicyName'] === 'FinOpsTagComplianceServer');
  if (main === undefined) throw new Error('no FinOpsTagComplianceServer policy');
  const st = statements(main);
  t.same(st.map((s) => s['Sid']), ['AssumeMemberAccountRole', 'ManagementRead', 'ScanOwnAccount']);
  t.same(st[0], { Sid: 'AssumeMemberAccountRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${MemberRoleName}' } });
  t.same(actionsOf(st[1] ?? {}), serverRoleActions());
  t.same(actionsOf(st[2] ?? {}), memberRoleActions());
  for (const s of st.slice(1)) for (const a of actionsOf(s)) {
    t.notMatch(a, WRITE_VERBS, `${a} is read-only`);
    t.not(a, 'sts:AssumeRole', 'AssumeRole only in its own, resource-restricted statement');
  }
  // The other (conditional) policy only reads the server's secrets.
  const others = policies.filter((p) => p !== main);
  t.same(JSON.stringify(others).match(/"[a-z0-9-]+:[A-Za-z]+"/g)?.filter((a) => !a.startsWith('"arn')), ['"secretsmanager:GetSecretValue"']);
  t.same(serverRolePolicy('Role1', 'aws-cn').Statement[0]?.Resource, 'arn:aws-cn:iam::*:role/Role1');
});

/** SDK calls of the product code (the simulator excluded): `<iam prefix>:<operation>`. */
function calledActions(): Map<string, string[]> {
  const PREFIX: Record<string, string> = {
    ec2: 'ec2', rds: 'rds', s3: 's3', sts: 'sts', organizations: 'organizations', 'cost-explorer': 'ce',
    'resource-groups-tagging-api': 'tag', iam: 'iam',
  };
  // Operations whose IAM action is named differently from the API operation.
  const IAM_NAME: Record<string, string> = { 's3:ListBuckets': 's3:ListAllMyBuckets' };
  const found = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) { if (!full.endsWith(join('src', 'simulator'))) walk(full); continue; }
      if (!name.endsWith('.ts')) continue;
      const text = readFileSync(full, 'utf8');
      for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g)) {
        const prefix = PREFIX[m[2] ?? ''];
        for (const id of (m[1] ?? '').split(',').map((s) => s.trim()).filter((s) => /^[A-Z]\w*Command$/.test(s))) {
          if (!new RegExp(`new ${id}\\(`).test(text)) continue;
          const op = `${prefix ?? `UNMAPPED(${m[2] ?? ''})`}:${id.slice(0, -'Command'.length)}`;
          const action = IAM_NAME[op] ?? op;
          found.set(action, [...(found.get(action) ?? []), relative(ROOT, full)]);
        }
      }
    }
  };
  for (const d of ['src', 'plugins', 'routes']) walk(join(ROOT, d));
  return found;
}

t.test('the generated IAM covers every AWS call the code makes, and nothing more', async (t) => {
  const called = calledActions();
  t.ok(called.size >= 15, `found the SDK calls (${called.size})`);
  const granted = new Set([...memberRoleActions(), ...serverRoleActions(), 'sts:AssumeRole']);
  for (const [action, files] of called) t.ok(granted.has(action), `${action} (${files.join(', ')}) is granted`);
  for (const a of memberRoleActions()) t.ok(called.has(a), `member action ${a} is called by the code`);
  for (const s of SERVER_ACTIONS) {
    t.ok(called.has(s.action), `server action ${s.action} is called (${s.used_by})`);
  }
});

t.test('the generator: marker blocks', async (t) => {
  const text = ['a:', '  # BEGIN GENERATED: member-actions (x)', '  - stale:Action', '  # END GENERATED: member-actions', 'b: 1'].join('\n');
  t.equal(replaceBlock(text, 'member-actions', ['x:A', 'x:B']), ['a:', '  # BEGIN GENERATED: member-actions (x)', '  - x:A', '  - x:B', '  # END GENERATED: member-actions', 'b: 1'].join('\n'));
  t.throws(() => replaceBlock('a: 1', 'member-actions', []), /marker block "member-actions" not found/);
  t.throws(() => fillTemplate('# BEGIN GENERATED: nope\n# END GENERATED: nope', 'x.yaml'), /unknown generated block "nope"/);
  t.throws(() => replaceBlock(`${text}\n${text}`, 'member-actions', []), /appears more than once/);
});

t.test('the committed generated files are up to date (npm run iam:generate)', async (t) => {
  const files = renderIam(ROOT);
  t.same([...files.keys()].sort(), ['cloudformation/iam/member-role-policy.json', 'cloudformation/iam/server-role-policy.json', 'cloudformation/member-role.yaml', 'cloudformation/server.yaml']);
  for (const [path, content] of files) t.equal(readFileSync(join(ROOT, path), 'utf8'), content, `${path} is what the generator writes`);
  t.same(JSON.parse(files.get('cloudformation/iam/member-role-policy.json') ?? 'null'), memberRolePolicy());
  t.same(JSON.parse(files.get('cloudformation/iam/server-role-policy.json') ?? 'null'), serverRolePolicy());
});
