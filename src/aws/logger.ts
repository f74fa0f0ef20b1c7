/** The logging surface the AWS layer uses; a pino Logger and Fastify's `app.log` both satisfy it. */
export interface AwsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): AwsLogger;
}
