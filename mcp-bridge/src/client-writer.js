// @ts-check
/**
 * Writes JSON-RPC messages to the stdio client, in order.
 *
 * A response written right after a notification is held back a few milliseconds so it usually
 * reaches the client in a separate read: the SDK's client handles notifications one microtask
 * late and drops progress that arrives in the same read as the final answer.
 */

/** @typedef {import('@modelcontextprotocol/sdk/types.js').JSONRPCMessage} JSONRPCMessage */
/** @typedef {import('@modelcontextprotocol/sdk/shared/transport.js').Transport} Transport */

/** Pause between a notification and a response that follows it. */
export const RESPONSE_GAP_MS = 15;

export class ClientWriter {
  /**
   * @param {Transport} stdio
   * @param {(err: unknown) => void} onError
   */
  constructor(stdio, onError) {
    this.stdio = stdio;
    this.onError = onError;
    /** @type {Promise<void>} */
    this.out = Promise.resolve();
    /** @type {number | undefined} when the last message written was a notification */
    this.lastNotificationAt = undefined;
  }

  /** @param {JSONRPCMessage} message */
  write(message) {
    const isNotification = 'method' in message && !('id' in message);
    const isResponse = !('method' in message);
    this.out = this.out
      .then(async () => {
        const last = this.lastNotificationAt;
        if (isResponse && last !== undefined) {
          const wait = RESPONSE_GAP_MS - (Date.now() - last);
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        await this.stdio.send(message);
        this.lastNotificationAt = isNotification ? Date.now() : undefined;
      })
      .catch(this.onError);
  }
}
