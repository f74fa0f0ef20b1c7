/**
 * Test-only tools and a fake tool context, so the transports are tested on a bare Fastify
 * instance (config, errors, auth, tools, routes) without AWS or the service plugins.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import Type from 'typebox';
import configPlugin from '../../plugins/config.js';
import errorsPlugin from '../../plugins/errors.js';
import authPlugin from '../../plugins/auth.js';
import toolsPlugin, { type ContextFactory } from '../../plugins/tools.js';
import routes from '../../routes/index.js';
import { testConfig, type DeepPartial } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { UserError } from '../../src/core/errors.js';
import { echoRequestId, fastifyOptions } from '../../src/logging.js';
import { defineTool, type AnyTool } from '../../src/tools/types.js';

const ResourceType = Type.Union([Type.Literal('ec2:instance'), Type.Literal('s3:bucket'), Type.Literal('rds:db')]);

export const echoTool = defineTool({
  name: 'echo_scope',
  title: 'Echo scope',
  description: 'Returns the validated arguments and the caller (test tool).',
  inputSchema: Type.Object(
    {
      resource_types: Type.Optional(Type.Array(ResourceType)),
      account_ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{12}$' }))),
      regions: Type.Optional(Type.Array(Type.String())),
      mode: Type.Optional(Type.Union([Type.Literal('summary'), Type.Literal('full')])),
      limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    },
    { additionalProperties: false },
  ),
  outputSchema: Type.Object({ received: Type.Record(Type.String(), Type.Unknown()), principal: Type.String() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{ limit: 5 }],
  async handler(ctx, input) {
    for (let i = 1; i <= 3; i++) {
      ctx.progress({ progress: i, total: 3, message: `step ${i}` });
      // Let each notification leave on its own: the SDK client handles notifications a
      // microtask later than responses, so a progress event read in the same chunk as the
      // result would arrive after its request is settled.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { received: { ...input }, principal: ctx.principal.id };
  },
});

export const explodeTool = defineTool({
  name: 'explode',
  title: 'Explode',
  description: 'Fails with an unexpected error (test tool).',
  inputSchema: Type.Object({}, { additionalProperties: false }),
  outputSchema: Type.Object({}),
  annotations: { readOnlyHint: true },
  scans: false,
  examples: [{}],
  async handler() {
    throw new Error('database password=hunter2 leaked in stack');
  },
});

export const refuseTool = defineTool({
  name: 'refuse',
  title: 'Refuse',
  description: 'Fails with a UserError (test tool).',
  inputSchema: Type.Object({}, { additionalProperties: false }),
  outputSchema: Type.Object({}),
  annotations: { readOnlyHint: true },
  scans: false,
  examples: [{}],
  async handler() {
    throw new UserError('Account 999999999999 is not configured: use one of 111111111111, 222222222222', { field: 'account_ids' });
  },
});

/** Waits until cancelled; reports whether its signal fired. */
export const waitTool = defineTool({
  name: 'wait_for_cancel',
  title: 'Wait',
  description: 'Waits until the call is cancelled (test tool).',
  inputSchema: Type.Object({}, { additionalProperties: false }),
  outputSchema: Type.Object({ cancelled: Type.Boolean() }),
  annotations: { readOnlyHint: true },
  scans: false,
  examples: [{}],
  async handler(ctx) {
    cancellations.started += 1;
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    cancellations.aborted += 1;
    return { cancelled: true };
  },
});

export const cancellations = { started: 0, aborted: 0 };

export const testTools: AnyTool[] = [echoTool, explodeTool, refuseTool, waitTool];

function unused(name: string): never {
  throw new Error(`${name} is not available in transport tests`);
}

/** A context without services: the test tools only use progress, principal and signal. */
export const fakeContext: ContextFactory = (base) => ({
  ...base,
  inventory: { collect: () => unused('inventory'), invalidate: () => unused('inventory') },
  costs: { serviceCosts: () => unused('costs') },
  policy: { current: () => unused('policy'), reload: () => unused('policy'), path: 'none' },
  history: {
    backend: 'memory',
    saveSnapshot: () => unused('history'),
    listSnapshots: () => unused('history'),
    snapshotResources: () => unused('history'),
    prune: () => unused('history'),
    health: async () => ({ ok: true }),
    close: async () => {},
  },
  accounts: { multiAccountEnabled: false, list: () => unused('accounts'), resolve: () => unused('accounts'), lastAssumeRole: () => null },
});

/** config + errors + auth + tools (fake context) + routes, like buildApp without the services. */
export async function transportApp(overrides: DeepPartial<AppConfig> = {}, tools: AnyTool[] = testTools): Promise<FastifyInstance> {
  const config = testConfig(overrides);
  const app = Fastify(fastifyOptions(config, false));
  app.addHook('onRequest', echoRequestId);
  await app.register(configPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(authPlugin);
  await app.register(toolsPlugin, { tools, contextFactory: fakeContext });
  await app.register(routes, { health: { probeWaitMs: 10 } });
  await app.ready();
  return app;
}

export const API_KEY = 'test-key-0123456789abcdef';
