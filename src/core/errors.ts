/**
 * Error classes shared by every layer. The single Fastify error handler and the MCP layer map
 * them: a `UserError` (4xx) passes its message to the caller; anything else becomes a generic
 * 5xx body while the full detail goes to the log.
 */

/** Bad input or a request that cannot be served as asked. The message tells the caller what to fix. */
export class UserError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Path of the offending field (e.g. `/resource_types/0`) when known. */
  readonly field: string | undefined;

  constructor(message: string, options: { statusCode?: number; code?: string; field?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.statusCode = options.statusCode ?? 400;
    this.code = options.code ?? 'invalid_input';
    this.field = options.field;
  }
}

export class NotFoundError extends UserError {
  constructor(message: string, field?: string) {
    super(message, { statusCode: 404, code: 'not_found', ...(field === undefined ? {} : { field }) });
    this.name = 'NotFoundError';
  }
}

/** The caller may not do this (e.g. an account outside its allow-list). */
export class ForbiddenError extends UserError {
  constructor(message: string) {
    super(message, { statusCode: 403, code: 'forbidden' });
    this.name = 'ForbiddenError';
  }
}

/** A policy file that cannot work. The message names the field at fault. */
export class PolicyError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.name = 'PolicyError';
    this.field = field;
  }
}

/** Start-up configuration error. The message names the variable and the allowed values. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(message: string, variable: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** The operation was cancelled by the caller or by a timeout. */
export class CancelledError extends Error {
  constructor(message = 'The operation was cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
