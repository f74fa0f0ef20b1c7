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
import { createAnswerCache, type AnswerCache } from '../src/cache/answer-cache.js';
import { createReadLog, withReadLog } from '../src/cache/read-log.js';
import type { ResultCache } from '../src/cache/types.js';
import type { ProgressReporter } from '../src/core/types.js';
import { CancelledError, NotFoundError, UserError } from '../src/core/errors.js';
import { describeValidationErrors, MAX_ARGUMENT_DEPTH, nestedDeeperThan, normaliseArguments } from '../src/mcp/arguments.js';
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

/**
 * Finished-answer caching (src/cache/answer-cache.ts) for tools whose answer is a pure function
 * of their arguments, the caller's account scope, the policy, the day (default cost periods) and
 * what they read through the result cache. A call with force_refresh is never answered from it
 * (its fresh answer replaces the entry); a call with store_snapshot is neither answered from it
 * nor stored (its answer names the snapshot it saved).
 */
export interface AnswerCaching {
  cache: AnswerCache;
  tools: ReadonlySet<string>;
  /** What else the answers depend on: the policy hash. */
  version(): string;
}

/** Tools whose answers may be cached: no history, no clock beyond the day, no side effect. */
export const CACHEABLE_TOOLS: ReadonlySet<string> = new Set(['check_tag_compliance', 'compare_accounts', 'get_cost_attribution_gap']);

/** JSON with sorted keys and undefined members dropped: equal arguments give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The answer-cache key of a call (null: this call must not use the cache). */
function answerKey(caching: AnswerCaching, name: string, args: unknown, principal: Principal, now: Date): string {
  const scope = principal.allowed_accounts === null ? '*' : [...new Set(principal.allowed_accounts)].sort().join(',');
  return `${name}|${caching.version()}|${scope}|${now.toISOString().slice(0, 10)}|${canonicalJson(args)}`;
}

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
    ...(app.hasDecorator('config') ? { config: app.config } : {}),
    // Registered after 'tools' (it calls the runner); looked up per call.
    ...(app.hasDecorator('auditScheduler') ? { scheduler: app.getDecorator<AuditSchedulerHandle>('auditScheduler') } : {}),
  });
}

const asJson = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

export function createToolRunner(tools: AnyTool[], contextFactory: ContextFactory, now: () => Date, shutdown: AbortSignal, answers?: AnswerCaching): ToolRunner {
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
    // Found by the fuzz suite: arguments nested thousands of levels deep overflowed the stack in structuredClone (a 500).
    if (nestedDeeperThan(rawArgs, MAX_ARGUMENT_DEPTH)) {
      throw new UserError(`Invalid arguments for ${name}: nested more than ${MAX_ARGUMENT_DEPTH} levels deep; tool arguments are a plain object a few levels deep (see the tool schema).`, { code: 'invalid_arguments' });
    }
    const normalised = normaliseArguments(entry.listing.inputSchema, rawArgs);
    const args = entry.input.Default(structuredClone(normalised));
    if (!entry.input.Check(args)) {
      const { field, messages } = describeValidationErrors(entry.input.Errors(args), args, entry.listing.inputSchema);
      throw new UserError(`Invalid arguments for ${name}: ${messages.join('; ')}`, { field, code: 'invalid_arguments' });
    }
    if (shutdown.aborted || options.signal?.aborted === true) throw new CancelledError();
    const caching = answers !== undefined && answers.tools.has(name) ? answers : undefined;
    const flags = args as { force_refresh?: unknown; store_snapshot?: unknown };
    const key = caching === undefined || flags.store_snapshot === true ? null : answerKey(caching, name, args, options.principal, now());
    if (caching !== undefined && key !== null && flags.force_refresh !== true) {
      // A finished answer whose sources are all unchanged: validated when it was stored.
      const hit = await caching.cache.get(key);
      if (hit !== undefined) return hit;
    }
    const signal = options.signal === undefined ? shutdown : AbortSignal.any([options.signal, shutdown]);
    if (signal.aborted) throw new CancelledError();
    // Fastify's request logger is a pino child logger (see src/logging.ts); tools see its pino type.
    const logger = options.logger.child({ tool: name, principal: options.principal.id }) as unknown as Logger;
    const ctx = contextFactory({ signal, progress: options.progress ?? (() => {}), logger, principal: options.principal, now });
    const reads = createReadLog();
    const result = caching === undefined ? await entry.tool.handler(ctx, args) : await withReadLog(reads, () => entry.tool.handler(ctx, args));
    if (!entry.output.Check(result)) {
      const { messages } = describeValidationErrors(entry.output.Errors(result), result, entry.listing.outputSchema);
      logger.warn({ problems: messages.slice(0, 5) }, 'tool result does not match its output schema');
    } else if (caching !== undefined && key !== null && typeof result === 'object' && result !== null) {
      if (!caching.cache.set(key, result, reads)) logger.debug({ reason: reads.reason }, 'answer not cached');
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

/**
 * The app's answer cache: with the real services only (a test context factory has no result
 * cache to validate against), when the result cache can report stamps, a quarter of
 * CACHE_MAX_MB. Off when COMPLIANCE_CACHE_TTL_SECONDS is 0 (nothing it reads is ever stored).
 */
function answerCaching(app: FastifyInstance, opts: ToolsPluginOptions): AnswerCaching | undefined {
  if (opts.contextFactory !== undefined || !app.hasDecorator('resultCache') || !app.hasDecorator('policyStore')) return undefined;
  const results = app.getDecorator<ResultCache>('resultCache');
  const policies = app.getDecorator<PolicyStore>('policyStore');
  const stamps = results.stamps?.bind(results);
  if (stamps === undefined || !(app.config.cache.ttl_seconds > 0)) return undefined;
  const clock = opts.now;
  const cache = createAnswerCache({ maxBytes: Math.max(1 << 20, Math.floor(app.config.cache.max_bytes / 4)), stamps, ...(clock === undefined ? {} : { now: () => clock().getTime() }) });
  app.addHook('onClose', async () => cache.clear());
  return { cache, tools: CACHEABLE_TOOLS, version: () => policies.current().hash };
}

const toolsPlugin: FastifyPluginAsync<ToolsPluginOptions> = async (app, opts) => {
  const shutdown = new AbortController();
  const runner = createToolRunner(opts.tools, opts.contextFactory ?? appContextFactory(app), opts.now ?? (() => new Date()), shutdown.signal, answerCaching(app, opts));
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
