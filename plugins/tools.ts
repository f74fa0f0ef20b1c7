/**
 * 'tools': the one tool runner every transport uses. `app.toolRunner.call(name, rawArgs, …)`
 * normalises and validates the arguments against the tool's TypeBox schema (compiled once),
 * builds the ToolContext from the service plugins and runs the handler. In-flight calls are
 * aborted when the app closes.
 */
import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import type { ProgressReporter } from '../src/core/types.js';
import { CancelledError, NotFoundError, UserError } from '../src/core/errors.js';
import { describeValidationErrors, normaliseArguments } from '../src/mcp/arguments.js';
import type { AwsGateway } from '../src/aws/gateway.js';
import type { AuditSchedulerHandle } from '../src/scheduler/types.js';
import type { PolicyStore } from '../src/policy/types.js';
import type { AccountDirectory, CostService, InventoryService } from '../src/scan/types.js';
import type { HistoryStore } from '../src/store/types.js';
import type { AnyTool, Principal, ToolAnnotations, ToolContext } from '../src/tools/types.js';

export interface ToolCallOptions {
  signal?: AbortSignal;
  progress?: ProgressReporter;
  logger: FastifyBaseLogger;
  principal: Principal;
}

/** What the transports list: plain JSON Schemas (the TypeBox schemas serialised once). */
export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
  examples: unknown[];
}

/** One finished tool call (the metrics plugin observes these). `error` null = success. */
export interface ToolCallEvent {
  tool: string;
  duration_ms: number;
  error: unknown;
}

export interface ToolRunner {
  list(): ToolListing[];
  has(name: string): boolean;
  call(name: string, rawArgs: unknown, options: ToolCallOptions): Promise<unknown>;
  /** Subscribe to finished calls of known tools; returns the unsubscribe function. */
  observe?(listener: (event: ToolCallEvent) => void): () => void;
}

/** Everything a context needs from the request; the factory adds the services. */
export interface ContextBase {
  signal: AbortSignal;
  progress: ProgressReporter;
  logger: Logger;
  principal: Principal;
  now(): Date;
}

export type ContextFactory = (base: ContextBase) => ToolContext;

export interface ToolsPluginOptions {
  tools: AnyTool[];
  /** Tests inject a fake context; by default the context is built from the app decorations. */
  contextFactory?: ContextFactory;
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    toolRunner: ToolRunner;
  }
}

function service<T>(app: FastifyInstance, name: string, plugin: string): T {
  if (!app.hasDecorator(name)) throw new Error(`Tool context needs app.${name}: register the '${plugin}' plugin before 'tools'`);
  return app.getDecorator<T>(name);
}

const SERVICES: [string, string][] = [
  ['inventory', 'scan'],
  ['costs', 'scan'],
  ['accounts', 'scan'],
  ['policyStore', 'policy'],
  ['history', 'history'],
];

/** The inventory as a tool sees it: its scans log through the call's logger (request id, tool) unless told otherwise. */
function loggingInventory(inventory: InventoryService, logger: Logger): InventoryService {
  return {
    collect: (request) => inventory.collect({ logger, ...request }),
    invalidate: (accountId) => inventory.invalidate(accountId),
  };
}

/** The default context: services from the 'scan', 'policy' and 'history' plugins. */
export function appContextFactory(app: FastifyInstance): ContextFactory {
  return (base) => ({
    ...base,
    inventory: loggingInventory(service<InventoryService>(app, 'inventory', 'scan'), base.logger),
    costs: service<CostService>(app, 'costs', 'scan'),
    accounts: service<AccountDirectory>(app, 'accounts', 'scan'),
    policy: service<PolicyStore>(app, 'policyStore', 'policy'),
    history: service<HistoryStore>(app, 'history', 'history'),
    ...(app.hasDecorator('aws') ? { aws: app.getDecorator<AwsGateway>('aws') } : {}),
    // Registered after 'tools' (it calls the runner); looked up per call.
    ...(app.hasDecorator('auditScheduler') ? { scheduler: app.getDecorator<AuditSchedulerHandle>('auditScheduler') } : {}),
    ...(app.hasDecorator('config') ? { config: app.config } : {}),
  });
}

const asJson = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

export function createToolRunner(tools: AnyTool[], contextFactory: ContextFactory, now: () => Date, shutdown: AbortSignal): ToolRunner {
  const entries = new Map(
    tools.map((tool) => {
      const listing: ToolListing = {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: asJson(tool.inputSchema),
        outputSchema: asJson(tool.outputSchema),
        annotations: { title: tool.title, ...tool.annotations },
        examples: tool.examples,
      };
      return [tool.name, { tool, listing, input: Compile(tool.inputSchema), output: Compile(tool.outputSchema) }] as const;
    }),
  );
  if (entries.size !== tools.length) throw new Error('Two tools share a name');
  type Entry = NonNullable<ReturnType<typeof entries.get>>;
  const listeners = new Set<(event: ToolCallEvent) => void>();

  async function run(entry: Entry, name: string, rawArgs: unknown, options: ToolCallOptions): Promise<unknown> {
    const normalised = normaliseArguments(entry.listing.inputSchema, rawArgs);
    const args = entry.input.Default(structuredClone(normalised));
    if (!entry.input.Check(args)) {
      const { field, messages } = describeValidationErrors(entry.input.Errors(args), args, entry.listing.inputSchema);
      throw new UserError(`Invalid arguments for ${name}: ${messages.join('; ')}`, { field, code: 'invalid_arguments' });
    }
    const signal = options.signal === undefined ? shutdown : AbortSignal.any([options.signal, shutdown]);
    if (signal.aborted) throw new CancelledError();
    // Fastify's request logger is a pino child logger (see src/logging.ts); tools see its pino type.
    const logger = options.logger.child({ tool: name, principal: options.principal.id }) as unknown as Logger;
    const ctx = contextFactory({ signal, progress: options.progress ?? (() => {}), logger, principal: options.principal, now });
    const result = await entry.tool.handler(ctx, args);
    if (!entry.output.Check(result)) {
      const { messages } = describeValidationErrors(entry.output.Errors(result), result, entry.listing.outputSchema);
      logger.warn({ problems: messages.slice(0, 5) }, 'tool result does not match its output schema');
    }
    return result;
  }

  const notify = (event: ToolCallEvent): void => {
    for (const l of listeners) l(event);
  };

  return {
    observe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    list: () => [...entries.values()].map((e) => e.listing),
    has: (name) => entries.has(name),
    async call(name, rawArgs, options) {
      const entry = entries.get(name);
      if (entry === undefined) {
        throw new NotFoundError(`Unknown tool ${JSON.stringify(name)}. Valid tools: ${[...entries.keys()].join(', ')}`, 'name');
      }
      const started = performance.now();
      try {
        const result = await run(entry, name, rawArgs, options);
        notify({ tool: name, duration_ms: performance.now() - started, error: null });
        return result;
      } catch (err) {
        notify({ tool: name, duration_ms: performance.now() - started, error: err });
        throw err;
      }
    },
  };
}

const toolsPlugin: FastifyPluginAsync<ToolsPluginOptions> = async (app, opts) => {
  const shutdown = new AbortController();
  const runner = createToolRunner(opts.tools, opts.contextFactory ?? appContextFactory(app), opts.now ?? (() => new Date()), shutdown.signal);
  app.decorate('toolRunner', runner);
  if (opts.contextFactory === undefined) {
    // Fail at start-up, not on the first call, when a service plugin is missing.
    app.addHook('onReady', async () => {
      for (const [name, plugin] of SERVICES) service<unknown>(app, name, plugin);
    });
  }
  app.addHook('preClose', async () => {
    shutdown.abort(new CancelledError('The server is shutting down'));
  });
};

export default fp(toolsPlugin, { name: 'tools', fastify: '5.x', dependencies: ['config'] });
