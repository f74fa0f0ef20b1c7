/** Metric label values for how a tool call ended. */
import { AwsAccessError } from '../aws/gateway.js';
import { CancelledError, PolicyError, UserError } from '../core/errors.js';

export type ToolOutcome = 'ok' | 'client_error' | 'cancelled' | 'aws_error' | 'error';

/** ok; client_error (bad arguments, unknown names: the caller's to fix); cancelled; aws_error; error (a bug). */
export function toolOutcome(error: unknown): ToolOutcome {
  if (error === null || error === undefined) return 'ok';
  if (error instanceof CancelledError) return 'cancelled';
  if (error instanceof UserError || error instanceof PolicyError) return 'client_error';
  if (error instanceof AwsAccessError) return error.code === 'Cancelled' ? 'cancelled' : 'aws_error';
  return 'error';
}
