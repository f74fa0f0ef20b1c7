/**
 * 'pressure': @fastify/under-pressure sheds load when the event loop is saturated
 * (MAX_EVENT_LOOP_DELAY_MS): 503 with Retry-After and a clear message instead of answering
 * everything late. /health and /ready are exempt so probes see the process alive.
 */
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { defaultSecurity } from '../src/config/security.js';
import { PUBLIC_PATHS } from './auth.js';

export const PRESSURE_RETRY_AFTER_SECONDS = 10;

export interface PressurePluginOptions {
  /** How often the event-loop delay is sampled (ms; tests). */
  sampleIntervalMs?: number;
}

export function overloadedBody(requestId: string): { error: string; message: string; request_id: string } {
  return {
    error: 'overloaded',
    message: `The server is overloaded (event loop saturated): retry in ${PRESSURE_RETRY_AFTER_SECONDS} seconds.`,
    request_id: requestId,
  };
}

type PressureHandler = NonNullable<FastifyUnderPressureOptions['pressureHandler']>;

/**
 * Returning nothing lets the request through (probes); returning a body answers it: that is
 * what under-pressure does with the value (handlePressure in its index.js), although its types
 * only declare void, hence the cast.
 */
const shed = ((request: FastifyRequest, reply: FastifyReply) => {
  const path = request.url.split('?')[0] ?? '';
  if (PUBLIC_PATHS.has(path)) return undefined;
  request.log.warn({ path }, 'request shed: event loop saturated');
  reply.code(503).header('retry-after', String(PRESSURE_RETRY_AFTER_SECONDS));
  return overloadedBody(request.id);
}) as unknown as PressureHandler;

const pressurePlugin: FastifyPluginAsync<PressurePluginOptions> = async (app, opts) => {
  const sec = app.config.security ?? defaultSecurity(app.config.host);
  if (sec.max_event_loop_delay_ms === 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: sec.max_event_loop_delay_ms,
    retryAfter: PRESSURE_RETRY_AFTER_SECONDS,
    ...(opts.sampleIntervalMs === undefined ? {} : { sampleInterval: opts.sampleIntervalMs }),
    pressureHandler: shed,
  });
};

export default fp(pressurePlugin, { name: 'pressure', fastify: '5.x', dependencies: ['config'] });
