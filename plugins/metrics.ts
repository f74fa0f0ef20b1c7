/**
 * 'metrics': Prometheus metrics at GET /metrics (text exposition, prom-client, one registry per
 * app). HTTP requests are measured from onRequest to the end of the raw response (hijacked MCP
 * and SSE replies included), by route pattern. Once every plugin is loaded, it subscribes to the
 * AWS gateway, the tool runner and the inventory service, and reads the cache and history
 * counters at scrape time. /metrics needs a key like every route unless METRICS_PUBLIC=true
 * (plugins/auth.ts). Register it before 'auth' so refused requests are counted too.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AwsGateway } from '../src/aws/gateway.js';
import type { ResultCache } from '../src/cache/types.js';
import { createServiceMetrics, type ServiceMetrics } from '../src/metrics/metrics.js';
import type { InventoryService } from '../src/scan/types.js';
import type { HistoryStore } from '../src/store/types.js';
import type { ToolRunner } from './tools.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

export interface MetricsPluginOptions {
  /** Process metrics (CPU, memory, event loop, GC) from prom-client (default true). */
  defaultMetrics?: boolean;
}

/** Routes whose GET keeps an event stream open. */
const STREAM_ROUTES = new Set(['/sse', '/mcp']);

function optional<T>(app: FastifyInstance, name: string): T | null {
  return app.hasDecorator(name) ? app.getDecorator<T>(name) : null;
}

const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, opts) => {
  const metrics = createServiceMetrics({
    accountLabelLimit: app.config.metrics?.account_label_limit ?? 50,
    defaultMetrics: opts.defaultMetrics ?? true,
  });
  app.decorate('metrics', metrics);

  app.addHook('onRequest', async (request, reply) => {
    const started = performance.now();
    const route = request.routeOptions.url ?? 'unmatched';
    const stream = request.method === 'GET' && STREAM_ROUTES.has(route);
    if (stream) metrics.streamOpened(route);
    reply.raw.once('close', () => {
      if (stream) metrics.streamClosed(route);
      metrics.httpRequest(request.method, route, reply.raw.statusCode, (performance.now() - started) / 1000);
    });
  });

  const unsubscribe: (() => void)[] = [];
  app.addHook('onReady', async () => {
    const gateway = optional<AwsGateway>(app, 'aws');
    const runner = optional<ToolRunner>(app, 'toolRunner');
    const inventory = optional<InventoryService>(app, 'inventory');
    const gatewayOff = gateway?.observe?.({ call: (e) => metrics.awsCall(e), assumeRole: (id, ok) => metrics.assumeRole(id, ok) });
    const runnerOff = runner?.observe?.((e) => metrics.toolCall(e.tool, e.error, e.duration_ms / 1000));
    const inventoryOff = inventory?.observe?.((e) => metrics.scan(e));
    for (const off of [gatewayOff, runnerOff, inventoryOff]) if (off !== undefined) unsubscribe.push(off);
    metrics.setSources({
      cache: () => {
        const cache = optional<ResultCache>(app, 'resultCache');
        return cache === null ? null : { counters: cache.counters?.() ?? null, health: cache.health() };
      },
      historyWrites: () => optional<HistoryStore>(app, 'history')?.writeCounters?.() ?? null,
    });
  });
  app.addHook('onClose', async () => {
    for (const off of unsubscribe.splice(0)) off();
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
  });
};

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x', dependencies: ['config'] });
