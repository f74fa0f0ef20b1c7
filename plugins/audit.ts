/**
 * 'tool-guard': puts the tool-call guard (src/auth/guard.ts) in front of the tool runner, so
 * every transport gets one audit event per call (AUDIT_LOG_PATH or the main log) and MCP calls
 * get their rate limit, session budget and repeated-call detection. Registered after 'tools'
 * and 'rate-limit', before the routes.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { fileSink, mainLogSink } from '../src/audit/log.js';
import { SessionCallLimits } from '../src/auth/call-limits.js';
import { guardRunner } from '../src/auth/guard.js';
import { defaultSecurity } from '../src/config/security.js';

export interface ToolGuardOptions {
  /** Names of the tools that read AWS (tool.scans). */
  scanning: readonly string[];
}

const toolGuardPlugin: FastifyPluginAsync<ToolGuardOptions> = async (app, opts) => {
  const sec = app.config.security ?? defaultSecurity(app.config.host);
  const audit = sec.audit_log_path === null ? mainLogSink : fileSink(sec.audit_log_path);
  const sessions = new SessionCallLimits({
    budget: sec.session_tool_call_budget,
    repeatLimit: sec.repeat_call_limit,
    repeatWindowMs: sec.repeat_window_seconds * 1000,
    forgetAfterMs: Math.max(sec.repeat_window_seconds, app.config.mcp.session_idle_seconds) * 1000,
  });
  // The runner is replaced (not re-decorated) so routes registered afterwards see the guarded one.
  app.toolRunner = guardRunner(app.toolRunner, {
    scanning: new Set(opts.scanning),
    limits: { perMinute: sec.rate_limit_per_minute, scansPerMinute: sec.rate_limit_scans_per_minute },
    counter: app.rateCounter,
    sessions,
    audit,
  });
  app.addHook('onClose', async () => {
    await audit.close();
  });
};

export default fp(toolGuardPlugin, { name: 'tool-guard', fastify: '5.x', dependencies: ['config', 'tools', 'rate-limit'] });
