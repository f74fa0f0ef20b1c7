// @ts-check
/**
 * One line per event on stderr. stdout belongs to JSON-RPC and is never written here.
 */

/** @typedef {import('./config.js').LogLevel} LogLevel */

/** @type {Record<LogLevel, number>} */
const RANK = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * @typedef {object} Logger
 * @property {(msg: string) => void} error
 * @property {(msg: string) => void} warn
 * @property {(msg: string) => void} info
 * @property {(msg: string) => void} debug
 * @property {(level: LogLevel) => boolean} enabled
 */

/**
 * @param {LogLevel} level
 * @param {(line: string) => void} [write]  defaults to process.stderr
 * @returns {Logger}
 */
export function createLogger(level, write = (line) => void process.stderr.write(line)) {
  const max = RANK[level];
  /** @param {LogLevel} lvl @param {string} msg */
  const log = (lvl, msg) => {
    if (RANK[lvl] > max) return;
    // Keep one event on one line.
    const text = msg.replace(/\r?\n/g, ' | ');
    write(`${new Date().toISOString()} finops-mcp-bridge ${lvl}: ${text}\n`);
  };
  return {
    error: (m) => log('error', m),
    warn: (m) => log('warn', m),
    info: (m) => log('info', m),
    debug: (m) => log('debug', m),
    enabled: (lvl) => RANK[lvl] <= max,
  };
}
