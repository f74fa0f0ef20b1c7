/**
 * A tool is one module: TypeBox input and output schemas, a description written for a language
 * model, MCP annotations and a handler. The same schemas drive REST validation, MCP tools/list,
 * structuredContent and the OpenAPI page: there is no second copy of a schema.
 */
import type { Static, TSchema } from 'typebox';
import type { Logger } from 'pino';
import type { ProgressReporter } from '../core/types.js';
import type { AwsGateway } from '../aws/gateway.js';
import type { AppConfig } from '../config/types.js';
import type { PolicyStore } from '../policy/types.js';
import type { AccountDirectory, CostService, InventoryService } from '../scan/types.js';
import type { AuditSchedulerHandle } from '../scheduler/types.js';
import type { HistoryStore } from '../store/types.js';

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** Who is calling (from authentication). `allowed_accounts` null = any configured account. */
export interface Principal {
  id: string;
  allowed_accounts: string[] | null;
  /** OAuth scopes of the token (AUTH_MODE=oauth); absent for API keys. */
  scopes?: string[];
}

/** Everything a handler may use. Handlers never touch SDK clients, Redis or Fastify. */
export interface ToolContext {
  inventory: InventoryService;
  costs: CostService;
  policy: PolicyStore;
  history: HistoryStore;
  accounts: AccountDirectory;
  logger: Logger;
  /** Aborted when the client cancels or disconnects; pass it down to every AWS call. */
  signal: AbortSignal;
  progress: ProgressReporter;
  principal: Principal;
  /** Injectable clock (tests move it). */
  now(): Date;
  /** The AWS gateway, for tools that read Organizations directly (import_aws_tag_policy);
   * absent in contexts built without the 'aws' plugin. */
  aws?: AwsGateway;
  /** The validated configuration (absent in contexts built by tests of the transports). */
  config?: Readonly<AppConfig>;
  /** The audit scheduler's settings (schedule_compliance_audit); absent without the 'scheduler' plugin. */
  scheduler?: AuditSchedulerHandle;
}

export interface ToolDefinition<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  name: string;
  title: string;
  /** Written for a language model: what it answers, when to call it, what the fields mean. */
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  /** True when the tool reads AWS (tighter rate limits, takes account_ids). */
  scans: boolean;
  /** Example arguments (OpenAPI examples, README). */
  examples: Static<I>[];
  handler(ctx: ToolContext, input: Static<I>): Promise<Static<O>>;
}

/** Type-erased tool for registries (the runner validates input before calling). */
export interface AnyTool {
  name: string;
  title: string;
  description: string;
  inputSchema: TSchema;
  outputSchema: TSchema;
  annotations: ToolAnnotations;
  scans: boolean;
  examples: unknown[];
  handler(ctx: ToolContext, input: unknown): Promise<unknown>;
}

/** Declare a tool with full typing, get back a registry entry. */
export function defineTool<I extends TSchema, O extends TSchema>(tool: ToolDefinition<I, O>): AnyTool {
  return tool as unknown as AnyTool;
}
