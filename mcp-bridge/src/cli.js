// @ts-check
/**
 * Entry point: read the configuration, start the relay, exit 0 when stdin closes.
 * Exit code 2 for a bad configuration (message on stderr).
 */
import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, HELP_TEXT, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { Bridge } from './relay.js';
import { errorText, safeUrl } from './errors.js';

/** @returns {string} */
export function version() {
  /** @type {unknown} */
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return pkg !== null && typeof pkg === 'object' && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/**
 * @param {readonly string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<void>}
 */
export async function main(argv, env) {
  /** @type {import('./config.js').CliAction} */
  let action;
  try {
    action = loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`finops-mcp-bridge: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  if (action.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return;
  }
  if (action.kind === 'version') {
    process.stdout.write(`finops-mcp-bridge ${version()}\n`);
    return;
  }
  const { config } = action;
  const log = createLogger(config.logLevel);
  if (!config.verifyTls) {
    log.warn('TLS certificate verification is OFF (MCP_VERIFY_TLS=false / --insecure): use this only for a server with a self-signed certificate you trust');
    // Read by Node's TLS layer for every connection fetch opens in this process.
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  }
  log.info(`finops-mcp-bridge ${version()} -> ${safeUrl(config.url)} (timeout ${config.timeoutMs / 1000} s)`);

  const bridge = new Bridge({ config, log, stdio: new StdioServerTransport() });
  let exiting = false;
  const shutdown = (/** @type {string} */ why) => {
    if (exiting) return;
    exiting = true;
    log.info(`shutting down: ${why}`);
    bridge.close().then(
      () => process.exit(0),
      (e) => {
        log.error(`shutdown: ${errorText(e)}`);
        process.exit(0);
      },
    );
  };
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('uncaughtException', (e) => log.error(`unexpected error (continuing): ${errorText(e)}`));
  process.on('unhandledRejection', (e) => log.error(`unexpected rejection (continuing): ${errorText(e)}`));
  await bridge.start();
}
