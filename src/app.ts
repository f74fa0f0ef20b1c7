/**
 * The Fastify app factory. Registers, in order: config, errors, docs, metrics, pressure, security (Host/Origin,
 * CORS), auth, policy, aws, result-cache, history, scan, tools, scheduler, rate-limit, tool-guard (audit,
 * MCP session limits), routes. Only src/server.ts (and src/demo.ts) listen.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import auditPlugin from '../plugins/audit.js';
import authPlugin from '../plugins/auth.js';
import awsPlugin from '../plugins/aws.js';
import cachePlugin from '../plugins/cache.js';
import configPlugin from '../plugins/config.js';
import docsPlugin from '../plugins/docs.js';
import errorsPlugin from '../plugins/errors.js';
import historyPlugin from '../plugins/history.js';
import metricsPlugin from '../plugins/metrics.js';
import policyPlugin, { type PolicyPluginOptions } from '../plugins/policy.js';
import pressurePlugin, { type PressurePluginOptions } from '../plugins/pressure.js';
import rateLimitPlugin from '../plugins/rate-limit.js';
import scanPlugin from '../plugins/scan.js';
import schedulerPlugin, { type SchedulerPluginOptions } from '../plugins/scheduler.js';
import securityPlugin from '../plugins/security.js';
import toolsPlugin, { type ContextFactory } from '../plugins/tools.js';
import routes from '../routes/index.js';
import type { HealthRoutesOptions } from '../routes/health.js';
import type { AwsGateway } from './aws/gateway.js';
import type { AppConfig } from './config/types.js';
import { echoRequestId, fastifyOptions } from './logging.js';
import { detectTagDrift } from './tools/detect-tag-drift.js';
import { generateComplianceReport } from './tools/generate-compliance-report.js';
import { getViolationHistory } from './tools/get-violation-history.js';
import { exportViolationsCsv } from './tools/export-violations-csv.js';
import { importAwsTagPolicy } from './tools/import-aws-tag-policy.js';
import { coreTools } from './tools/index.js';
import { deleteComplianceAudit } from './tools/delete-compliance-audit.js';
import { listComplianceAudits } from './tools/list-compliance-audits.js';
import { scheduleComplianceAudit } from './tools/schedule-compliance-audit.js';
import { generateCustodianPolicy } from './tools/generate-custodian-policy.js';
import { generateOpenOpsWorkflow } from './tools/generate-openops-workflow.js';
import type { AnyTool } from './tools/types.js';

/** Every tool the server offers, in tools/list order. */
export const allTools: AnyTool[] = [
  ...coreTools,
  generateComplianceReport,
  getViolationHistory,
  // issue 5 tools: one line each, in tools/list order
  detectTagDrift,
  exportViolationsCsv,
  importAwsTagPolicy,
  scheduleComplianceAudit,
  listComplianceAudits,
  deleteComplianceAudit,
  generateCustodianPolicy,
  generateOpenOpsWorkflow,
];

export interface BuildAppOptions {
  config: AppConfig;
  /** false: no logs; pino options replace the defaults of src/logging.ts. */
  logger?: boolean | LoggerOptions;
  /** The tools to serve (default: allTools). */
  tools?: AnyTool[];
  /** An AWS gateway to use instead of building one (tests); the caller closes it. */
  aws?: AwsGateway;
  /** Clock for tools and credential expiry (tests). */
  now?: () => Date;
  /** Replace the tool context (tests of the transports). */
  contextFactory?: ContextFactory;
  policy?: PolicyPluginOptions;
  health?: HealthRoutesOptions;
  /** Scheduler replica id and SMTP TLS settings (tests); the clock is `now`. */
  scheduler?: SchedulerPluginOptions;
  /** Load-shedding sampling (tests). */
  pressure?: PressurePluginOptions;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify(fastifyOptions(config, options.logger));
  app.server.headersTimeout = 75_000;
  app.addHook('onRequest', echoRequestId);

  await app.register(configPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(docsPlugin);
  await app.register(metricsPlugin);
  await app.register(pressurePlugin, options.pressure ?? {});
  await app.register(securityPlugin);
  await app.register(authPlugin);
  await app.register(policyPlugin, options.policy ?? {});
  await app.register(awsPlugin, {
    ...(options.aws === undefined ? {} : { gateway: options.aws }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  await app.register(cachePlugin);
  await app.register(historyPlugin, options.now === undefined ? {} : { now: options.now });
  await app.register(scanPlugin);
  await app.register(toolsPlugin, {
    tools: options.tools ?? allTools,
    ...(options.contextFactory === undefined ? {} : { contextFactory: options.contextFactory }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  await app.register(schedulerPlugin, { ...options.scheduler, ...(options.now === undefined ? {} : { now: options.now }) });
  const scanning = (options.tools ?? allTools).filter((t) => t.scans).map((t) => t.name);
  await app.register(rateLimitPlugin, { scanning });
  await app.register(auditPlugin, { scanning });
  await app.register(routes, options.health === undefined ? {} : { health: options.health });
  return app;
}

/** First signal: close gracefully (stop accepting, end MCP sessions, abort calls). Second: exit now. */
export function handleSignals(app: FastifyInstance, extraClose: () => Promise<void> = async () => {}): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app
      .close()
      .then(extraClose)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
