// @ts-check
/**
 * Client requests waiting for the server's answer, each with its MCP_TIMEOUT clock.
 * A progress notification for a request restarts its clock.
 */

/** @typedef {import('@modelcontextprotocol/sdk/types.js').RequestId} RequestId */

/**
 * @typedef {object} Pending
 * @property {string} method
 * @property {NodeJS.Timeout} timer
 * @property {number} generation  the connection it was last sent on (0: not sent yet)
 * @property {string | number | undefined} progressToken
 */

export class PendingRequests {
  /**
   * @param {number} timeoutMs
   * @param {(id: RequestId, entry: Pending) => void} onTimeout  called while the entry is still pending
   */
  constructor(timeoutMs, onTimeout) {
    this.timeoutMs = timeoutMs;
    this.onTimeout = onTimeout;
    /** @type {Map<RequestId, Pending>} */
    this.map = new Map();
  }

  /** @param {RequestId} id */
  timer(id) {
    const timer = setTimeout(() => {
      const entry = this.map.get(id);
      if (entry !== undefined) this.onTimeout(id, entry);
    }, this.timeoutMs);
    timer.unref();
    return timer;
  }

  /** @param {RequestId} id @param {string} method @param {string | number | undefined} progressToken */
  add(id, method, progressToken) {
    const previous = this.map.get(id);
    if (previous !== undefined) clearTimeout(previous.timer);
    this.map.set(id, { method, timer: this.timer(id), generation: 0, progressToken });
  }

  /** @param {RequestId} id @returns {Pending | undefined} */
  get(id) {
    return this.map.get(id);
  }

  /** Removes a request (answered, failed, cancelled or timed out). @param {RequestId} id @returns {Pending | undefined} */
  settle(id) {
    const entry = this.map.get(id);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.map.delete(id);
    return entry;
  }

  /** Restarts the clock of the requests that own this progress token. @param {unknown} token */
  progress(token) {
    for (const [id, entry] of this.map) {
      if (entry.progressToken !== undefined && entry.progressToken === token) {
        clearTimeout(entry.timer);
        entry.timer = this.timer(id);
      }
    }
  }

  /** @returns {[RequestId, Pending][]} */
  entries() {
    return [...this.map];
  }
}
