/**
 * The CloudFormation templates: they parse (intrinsic-function tags), every resource type and
 * property is valid against the CloudFormation resource specification (@aws-cdk/cfnspec),
 * references and conditions resolve, and the settings reach the container.
 */
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTemplate, isObject, loadSpec, loadTemplate, parseTemplate, type Json } from './cfn.js';
import { ENV_VARS } from '../../src/config/env-schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const spec = loadSpec();
const server = loadTemplate(join(ROOT, 'cloudformation/server.yaml'));
const member = loadTemplate(join(ROOT, 'cloudformation/member-role.yaml'));

function obj(v: Json | undefined, what: string): { [k: string]: Json } {
  if (!isObject(v)) throw new Error(`${what} is not a mapping`);
  return v;
}

t.test('the intrinsic-function tags parse in scalar, sequence and mapping forms', async (t) => {
  const doc = parseTemplate([
    'a: !Ref X',
    'b: !GetAtt Res.Attr.Nested',
    'c: !If [Cond, !Sub "x${Y}", !Ref AWS::NoValue]',
    'd: !Sub',
    '  - "a${B}"',
    '  - B: !ImportValue Other',
    'e: !Join ["", [!Select [0, !Split [",", !Ref L]], !Base64 z]]',
    'f: !And [!Condition C1, !Or [!Equals [a, b], !Not [!Condition C2]]]',
    'g: !FindInMap [M, K, V]',
    'h: !Cidr [!GetAZs "", 6, 5]',
    'i: !Base64',
    '  Fn::Sub: text',
    'j: !GetAtt [Res, Attr]',
  ].join('\n'));
  t.same(doc, {
    a: { Ref: 'X' },
    b: { 'Fn::GetAtt': ['Res', 'Attr.Nested'] },
    c: { 'Fn::If': ['Cond', { 'Fn::Sub': 'x${Y}' }, { Ref: 'AWS::NoValue' }] },
    d: { 'Fn::Sub': ['a${B}', { B: { 'Fn::ImportValue': 'Other' } }] },
    e: { 'Fn::Join': ['', [{ 'Fn::Select': ['0', { 'Fn::Split': [',', { Ref: 'L' }] }] }, { 'Fn::Base64': 'z' }]] },
    f: { 'Fn::And': [{ Condition: 'C1' }, { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Not': [{ Condition: 'C2' }] }] }] },
    g: { 'Fn::FindInMap': ['M', 'K', 'V'] },
    h: { 'Fn::Cidr': [{ 'Fn::GetAZs': '' }, '6', '5'] },
    i: { 'Fn::Base64': { 'Fn::Sub': 'text' } },
    j: { 'Fn::GetAtt': ['Res', 'Attr'] },
  });
});

t.test('the checker finds what it is meant to find', async (t) => {
  const bad = parseTemplate([
    'Parameters:',
    '  Unused: { Type: String }',
    'Conditions:',
    '  C: !Equals [a, b]',
    'Resources:',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
    '    Condition: Missing',
    '    Properties:',
    '      BucketNam: x',
    '      Tags: [{ Key: k }]',
    '  Role:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      RoleName: !Ref Nowhere',
    '  Thing:',
    '    Type: AWS::Nope::Thing',
    'Outputs:',
    '  O:',
    '    Value: !GetAtt Bucket.NoSuchAttr',
  ].join('\n'));
  t.same(checkTemplate(bad, spec).sort(), [
    'Bucket(AWS::S3::Bucket).BucketNam: not a property of AWS::S3::Bucket here',
    'Bucket(AWS::S3::Bucket).Tags[0]: required property Value missing',
    'GetAtt Bucket.NoSuchAttr: AWS::S3::Bucket has no attribute NoSuchAttr',
    'Ref/Sub target Nowhere is not a parameter, resource or pseudo parameter',
    'Role(AWS::IAM::Role): required property AssumeRolePolicyDocument missing',
    'condition Missing is used but not defined',
    'parameter Unused is never used',
    'resource Thing: unknown type AWS::Nope::Thing',
  ].sort());
});

t.test('server.yaml is valid against the CloudFormation resource specification', async (t) => {
  t.same(checkTemplate(server, spec), []);
  const types = Object.values(obj(server['Resources'], 'Resources')).map((r) => (isObject(r) ? r['Type'] : null));
  for (const type of ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::EC2::Instance', 'AWS::ElastiCache::CacheCluster', 'AWS::SecretsManager::Secret', 'AWS::IAM::Role']) {
    t.ok(types.includes(type), `server.yaml has a ${type}`);
  }
});

t.test('member-role.yaml is valid against the CloudFormation resource specification', async (t) => {
  t.same(checkTemplate(member, spec), []);
});

t.test('the HTTPS listener uses the certificate parameter; the Fargate form requires it', async (t) => {
  const res = obj(server['Resources'], 'Resources');
  const listener = obj(obj(res['HttpsListener'], 'HttpsListener')['Properties'], 'props');
  t.equal(listener['Protocol'], 'HTTPS');
  t.same(listener['Certificates'], [{ CertificateArn: { Ref: 'CertificateArn' } }]);
  const rule = obj(obj(server['Rules'], 'Rules')['FargateNeedsCertificate'], 'rule');
  t.same(rule['RuleCondition'], { 'Fn::Equals': [{ Ref: 'DeploymentMode' }, 'Fargate'] });
  t.same(obj(server['Parameters'], 'Parameters')['DeploymentMode'], {
    Type: 'String', Default: 'Fargate', AllowedValues: ['Fargate', 'EC2'],
    Description: 'Fargate = ECS service behind an HTTPS ALB (recommended); EC2 = one instance running the container on port 8080 (the guide\'s simple form).',
  });
});

const MULTI_ACCOUNT_ENV: Record<string, string> = {
  MULTI_ACCOUNT_ENABLED: 'MultiAccountEnabled',
  AWS_ACCOUNT_DISCOVERY: 'AccountDiscovery',
  AWS_ACCOUNT_IDS: 'AccountIds',
  AWS_ACCOUNTS_EXCLUDE: 'AccountsExclude',
  AWS_ORGANIZATION_UNIT_IDS: 'OrganizationUnitIds',
  AWS_ASSUME_ROLE_NAME: 'MemberRoleName',
  AWS_ASSUME_ROLE_EXTERNAL_ID: 'ExternalId',
  AWS_ASSUME_ROLE_SESSION_DURATION: 'SessionDurationSeconds',
  MAX_CONCURRENT_ACCOUNTS: 'MaxConcurrentAccounts',
  ACCOUNT_SCAN_TIMEOUT_SECONDS: 'AccountScanTimeoutSeconds',
  ACCOUNT_DISCOVERY_TTL_SECONDS: 'AccountDiscoveryTtlSeconds',
  MAX_CONCURRENT_CELLS_PER_ACCOUNT: 'MaxConcurrentCellsPerAccount',
  ALLOWED_REGIONS: 'AllowedRegions',
};

t.test('every multi-account setting is a parameter wired into the Fargate container', async (t) => {
  const td = obj(obj(obj(server['Resources'], 'Resources')['TaskDefinition'], 'td')['Properties'], 'props');
  const containers = td['ContainerDefinitions'];
  if (!Array.isArray(containers)) throw new Error('no containers');
  const c = obj(containers[0], 'container');
  const env = new Map<string, Json>();
  for (const e of Array.isArray(c['Environment']) ? c['Environment'] : []) {
    const o = obj(e, 'env entry');
    env.set(String(o['Name']), o['Value'] ?? null);
  }
  const known = new Set(ENV_VARS.map((v) => v.name));
  for (const name of env.keys()) t.ok(known.has(name), `${name} is a variable of src/config/env-schema.ts`);
  for (const [name, param] of Object.entries(MULTI_ACCOUNT_ENV)) t.same(env.get(name), { Ref: param }, `${name} = !Ref ${param}`);
  t.same(env.get('HOST'), '0.0.0.0');
  t.same(c['Secrets'], [
    { Name: 'API_KEYS', ValueFrom: { 'Fn::If': ['CreateApiKeysSecret', { Ref: 'ApiKeysSecret' }, { Ref: 'ApiKeysSecretArn' }] } },
    { 'Fn::If': ['HasHistoryDatabaseSecret', { Name: 'HISTORY_DATABASE_URL', ValueFrom: { Ref: 'HistoryDatabaseUrlSecretArn' } }, { Ref: 'AWS::NoValue' }] },
  ]);
  t.notOk(env.has('API_KEYS'), 'API keys never in plain environment');
  t.equal(td['TaskRoleArn'] !== undefined, true);
  t.same(td['TaskRoleArn'], { 'Fn::GetAtt': ['MCPServerRole', 'Arn'] });
});

t.test('the EC2 form writes the same settings into the container env file', async (t) => {
  const inst = obj(obj(obj(server['Resources'], 'Resources')['Instance'], 'Instance')['Properties'], 'props');
  const sub = obj(obj(inst['UserData'], 'UserData')['Fn::Base64'], 'Base64')['Fn::Sub'];
  if (!Array.isArray(sub) || typeof sub[0] !== 'string') throw new Error('UserData is not a Fn::Sub list');
  const script = sub[0];
  const known = new Set(ENV_VARS.map((v) => v.name));
  const envLines = script.slice(script.indexOf('<<ENVFILE'), script.indexOf('\nENVFILE')).split('\n').slice(1);
  for (const line of envLines) t.ok(known.has(line.slice(0, line.indexOf('='))), `${line.slice(0, line.indexOf('='))} is a configuration variable`);
  for (const [name, param] of Object.entries(MULTI_ACCOUNT_ENV)) t.ok(envLines.includes(`${name}=\${${param}}`), `${name}=\${${param}}`);
  t.ok(envLines.includes('API_KEYS=$API_KEYS'), 'API keys read from Secrets Manager at boot, not from a parameter');
});
