/** Dependency shapes shared by the scan, accounts and costs services. */
import type { BaseLogger } from 'pino';

/** Any pino logger (Fastify's `app.log` included). */
export type ServiceLogger = Pick<BaseLogger, 'info' | 'debug' | 'warn' | 'error'>;

/** Implemented by the account directory: the orchestrator reports every credential attempt. */
export interface AssumeRoleRecorder {
  recordAssumeRole(accountId: string, ok: boolean, error: string | null): void;
  /** The account's alias, learned during a scan (so later requests can name it by alias). */
  recordAlias?(accountId: string, alias: string | null): void;
}
