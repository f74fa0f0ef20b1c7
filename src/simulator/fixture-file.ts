/** Loading fixtures for the CLI: `demo`, a JSON file (validated), or `generated:<accounts>x<regions>x<perRegion>`. */
import { readFile } from 'node:fs/promises';
import Type from 'typebox';
import Value from 'typebox/value';
import { demoOrganization } from './demo-org.js';
import { generateOrganization } from './generate.js';
import type { SimFixture } from './types.js';

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const ResourceSchema = Type.Object({
  type: Type.String({ minLength: 1 }),
  region: Type.String({ minLength: 1 }),
  id: Type.String({ minLength: 1 }),
  arn: Type.Optional(Type.String()),
  tags: Type.Record(Type.String(), Type.String()),
  ever_tagged: Type.Optional(Type.Boolean()),
  monthly_cost: Type.Number({ minimum: 0 }),
  created_at: Type.String(),
  attributes: Type.Optional(Type.Record(Type.String(), Scalar)),
});

const AccountSchema = Type.Object({
  id: Type.String({ pattern: '^\\d{12}$' }),
  name: Type.String(),
  email: Type.String(),
  alias: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('SUSPENDED'), Type.Literal('PENDING_CLOSURE')]),
  parent_id: Type.String(),
  role: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64 }),
    external_id: Type.Union([Type.String(), Type.Null()]),
    state: Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('untrusted')]),
  }),
  hang: Type.Optional(Type.Boolean()),
  regions: Type.Optional(Type.Array(Type.String())),
  resources: Type.Array(ResourceSchema),
});

export const SimFixtureSchema = Type.Object({
  organization: Type.Object({ id: Type.String(), root_id: Type.String(), management_account_id: Type.String({ pattern: '^\\d{12}$' }) }),
  regions: Type.Array(Type.String(), { minItems: 1 }),
  organizational_units: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), parent_id: Type.String() })),
  accounts: Type.Array(AccountSchema, { minItems: 1 }),
  tag_policies: Type.Optional(
    Type.Array(Type.Object({ id: Type.String(), name: Type.String(), content: Type.String(), targets: Type.Array(Type.String()) })),
  ),
});

/** Validates parsed JSON as a fixture; the error names the first offending paths. */
export function parseFixture(value: unknown, source: string): SimFixture {
  if (!Value.Check(SimFixtureSchema, value)) {
    const problems = Value.Errors(SimFixtureSchema, value)
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new Error(`${source} is not a valid simulator fixture: ${problems.join('; ')}`);
  }
  const fixture: SimFixture = value;
  if (!fixture.accounts.some((a) => a.id === fixture.organization.management_account_id)) {
    throw new Error(`${source}: organization.management_account_id must be one of the accounts`);
  }
  return fixture;
}

const GENERATED = /^generated:(\d+)x(\d+)x(\d+)$/;
const GENERATED_REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1', 'ca-central-1', 'sa-east-1'];

export async function loadFixture(spec: string): Promise<SimFixture> {
  if (spec === 'demo') return demoOrganization();
  const m = GENERATED.exec(spec);
  if (m) {
    const [accounts, regions, perRegion] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (accounts < 1 || regions < 1 || regions > GENERATED_REGIONS.length) {
      throw new Error(`--fixture ${spec}: need at least 1 account and 1 to ${GENERATED_REGIONS.length} regions`);
    }
    return generateOrganization({ accounts, regions: GENERATED_REGIONS.slice(0, regions), resourcesPerRegion: perRegion });
  }
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch {
    throw new Error(`--fixture ${spec}: not "demo", not "generated:<accounts>x<regions>x<perRegion>", and no such readable file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`--fixture ${spec}: the file is not valid JSON`);
  }
  return parseFixture(parsed, spec);
}
