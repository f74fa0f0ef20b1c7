/**
 * The process entry point and the only file that listens (besides the demo): read the
 * environment once, build the app, listen on HOST:PORT, shut down gracefully on SIGTERM/SIGINT.
 */
import { buildApp, handleSignals } from './app.js';
import { isLoopback, loadConfig, startupRefusal } from './config/index.js';
import type { AppConfig } from './config/types.js';
import { ConfigError } from './core/errors.js';

export async function main(env: Record<string, string | undefined>): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const refusal = startupRefusal(config);
  if (refusal !== null) {
    process.stderr.write(`Refusing to start: ${refusal}\n`);
    process.exit(1);
  }
  const app = await buildApp({ config });
  if (!isLoopback(config.host) && config.auth.mode === 'none') {
    app.log.warn({ host: config.host }, 'AUTH_MODE=none on a non-loopback HOST: anyone who can reach this port can call every tool');
  }
  handleSignals(app);
  await app.listen({ host: config.host, port: config.port });
}

main(process.env).catch((err: unknown) => {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
});
