/**
 * The audit stream: one structured pino line per tool call. With AUDIT_LOG_PATH the lines go to
 * that file (a logger of their own, same redaction); otherwise to the main log, marked audit: true.
 */
import pino, { type Logger } from 'pino';
import { REDACT_PATHS } from '../logging.js';

export interface AuditEvent {
  principal: string;
  tool: string;
  via: 'rest' | 'mcp';
  session_id: string | null;
  request_id: string | null;
  arguments: Record<string, unknown>;
  accounts_requested: string[];
  accounts_touched: string[];
  duration_ms: number;
  /** ok | error (the tool failed) | refused (rate limit, budget, repeat, forbidden account) */
  outcome: 'ok' | 'error' | 'refused';
  status: number;
  error_code: string | null;
}

export interface AuditSink {
  write(event: AuditEvent, fallback: { info(obj: object, msg: string): void }): void;
  close(): Promise<void>;
}

/** Audit events into the main log (through the request's logger). */
export const mainLogSink: AuditSink = {
  write(event, fallback) {
    fallback.info({ audit: true, ...event }, 'audit');
  },
  async close() {},
};

/** Audit events into their own file. */
export function fileSink(path: string): AuditSink {
  const destination = pino.destination({ dest: path, mkdir: true, sync: false });
  const logger: Logger = pino({ base: { service: 'finops-tag-compliance-mcp', audit: true }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
  return {
    write(event) {
      logger.info(event, 'audit');
    },
    close: () =>
      new Promise<void>((resolve) => {
        destination.once('close', () => resolve());
        destination.end();
      }),
  };
}
