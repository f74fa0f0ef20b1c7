// @ts-check
/**
 * The JSON-RPC relay: every message from the stdio client goes to the remote server and back,
 * untouched (requests, responses, notifications, server-to-client requests). The relay only
 * adds what a stdio client cannot do itself: transport fallback, session recovery, timeouts,
 * and clear errors for failures.
 */
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { createRemoteTransport } from './remote.js';
import { PendingRequests } from './pending.js';
import { ClientWriter } from './client-writer.js';
import { describeFailure, describeLostConnection, describeTimeout, errorText, httpStatus, safeUrl } from './errors.js';

/** @typedef {import('@modelcontextprotocol/sdk/shared/transport.js').Transport} Transport */
/** @typedef {import('@modelcontextprotocol/sdk/types.js').JSONRPCMessage} JSONRPCMessage */
/** @typedef {import('@modelcontextprotocol/sdk/types.js').RequestId} RequestId */
/** @typedef {import('./config.js').BridgeConfig} BridgeConfig */
/** @typedef {import('./logger.js').Logger} Logger */
/** @typedef {Transport & { setProtocolVersion?: (version: string) => void }} Remote */
/** @typedef {{ remote: Remote, generation: number, initializedSent: boolean }} Connection */

/** @param {unknown} v @returns {v is Record<string, unknown>} */
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** @param {Record<string, unknown>} m @returns {RequestId | undefined} */
const idOf = (m) => (typeof m['id'] === 'string' || typeof m['id'] === 'number' ? m['id'] : undefined);

export class Bridge {
  /**
   * @param {object} deps
   * @param {BridgeConfig} deps.config
   * @param {Logger} deps.log
   * @param {Transport} deps.stdio  the client side (StdioServerTransport)
   */
  constructor({ config, log, stdio }) {
    this.config = config;
    this.log = log;
    this.stdio = stdio;
    /** @type {'streamable-http' | 'sse'} */
    this.kind = config.transport;
    this.url = config.url;
    /** @type {Connection | undefined} */
    this.conn = undefined;
    /** @type {Promise<Connection> | undefined} */
    this.connecting = undefined;
    this.generation = 0;
    /** Whether a POST on the current kind has succeeded (the SSE fallback only applies before). */
    this.confirmed = false;
    /** @type {Record<string, unknown> | undefined} saved `initialize` params, replayed on session recovery */
    this.initParams = undefined;
    this.initDone = false;
    this.clientInitialized = false;
    /** @type {Promise<void> | undefined} open while the client's initialize is unanswered: later messages wait */
    this.initGate = undefined;
    /** @type {(() => void) | undefined} */
    this.openGate = undefined;
    this.pending = new PendingRequests(config.timeoutMs, (id, p) => this.timedOut(id, p.method));
    /** @type {Map<string, { resolve: (m: Record<string, unknown>) => void, reject: (e: Error) => void }>} */
    this.internal = new Map();
    this.internalSeq = 0;
    this.closed = false;
    this.writer = new ClientWriter(stdio, (e) => this.log.error(`stdout: ${errorText(e)}`));
    this.failure = { url: safeUrl(config.url), hasApiKey: Object.keys(config.headers).some((h) => h.toLowerCase() === 'authorization') };
  }

  async start() {
    this.stdio.onmessage = (m) => this.fromClient(m);
    this.stdio.onerror = (e) => this.log.warn(`stdin: ${errorText(e)}`);
    await this.stdio.start();
    this.log.info(`bridge ready: ${this.kind} ${this.failure.url}`);
  }

  /** @param {JSONRPCMessage} message */
  fromClient(message) {
    if (this.closed) return;
    /** @type {Record<string, unknown>} */
    const m = message;
    const method = typeof m['method'] === 'string' ? m['method'] : undefined;
    const id = idOf(m);
    this.log.debug(`client -> server ${method ?? 'response'}${id !== undefined ? ` id=${id}` : ''}`);
    if (method !== undefined && id !== undefined) {
      const params = isObject(m['params']) ? m['params'] : undefined;
      const meta = params && isObject(params['_meta']) ? params['_meta'] : undefined;
      const token = meta?.['progressToken'];
      this.pending.add(id, method, typeof token === 'string' || typeof token === 'number' ? token : undefined);
      if (method === 'initialize') {
        this.initParams = structuredClone(params);
        this.openGate?.();
        this.initGate = new Promise((resolve) => {
          this.openGate = resolve;
        });
        void this.forward(message, id);
        return;
      }
    } else if (method === 'notifications/initialized') {
      this.clientInitialized = true;
    } else if (method === 'notifications/cancelled') {
      const params = isObject(m['params']) ? m['params'] : {};
      const target = params['requestId'];
      if (typeof target === 'string' || typeof target === 'number') this.settle(target);
    }
    const gate = this.initGate;
    const requestId = id !== undefined && method !== undefined ? id : undefined;
    // Messages sent before the initialize answer would reach the server without a session.
    if (gate !== undefined) void gate.then(() => this.forward(message, requestId));
    else void this.forward(message, requestId);
  }

  /** Lets messages queued behind the client's initialize go (answered, failed, or timed out). */
  releaseGate() {
    this.openGate?.();
    this.openGate = undefined;
    this.initGate = undefined;
  }

  /** @param {RequestId} id @param {string} method */
  timedOut(id, method) {
    this.log.warn(`request id=${id} (${method}) timed out after ${this.config.timeoutMs / 1000} s`);
    this.answerError(id, describeTimeout(this.config.timeoutMs));
    const notice = { jsonrpc: /** @type {const} */ ('2.0'), method: 'notifications/cancelled', params: { requestId: id, reason: 'Timed out in finops-mcp-bridge (MCP_TIMEOUT)' } };
    void this.conn?.remote.send(notice).catch((e) => this.log.debug(`cancel after timeout not delivered: ${errorText(e)}`));
  }

  /** @param {RequestId} id */
  settle(id) {
    const p = this.pending.settle(id);
    if (p?.method === 'initialize') queueMicrotask(() => this.releaseGate());
    return p;
  }

  /** @param {JSONRPCMessage} message */
  toClient(message) {
    this.writer.write(message);
  }

  /** @param {RequestId} id @param {{ code: number, message: string }} error */
  answerError(id, error) {
    if (this.settle(id) === undefined) return;
    this.toClient({ jsonrpc: '2.0', id, error });
  }

  /**
   * Sends one client message, with SSE fallback and one retry after session recovery.
   * @param {JSONRPCMessage} message
   * @param {RequestId | undefined} requestId  set when the message is a request
   */
  async forward(message, requestId) {
    /** @type {Connection | undefined} */
    let conn;
    try {
      conn = await this.connection();
      await this.sendOn(conn, message, requestId);
      return;
    } catch (err) {
      if (this.closed) return;
      const status = httpStatus(err);
      const isInit = requestId !== undefined && this.pending.get(requestId)?.method === 'initialize';
      try {
        if (conn !== undefined && !this.confirmed && this.kind === 'streamable-http' && (status === 404 || status === 405) && this.config.sseFallbackUrl !== undefined) {
          this.log.warn(`Streamable HTTP answered ${status}; falling back to HTTP+SSE at ${safeUrl(this.config.sseFallbackUrl)}`);
          this.kind = 'sse';
          this.url = this.config.sseFallbackUrl;
          this.drop(conn.generation);
          await this.sendOn(await this.connection(), message, requestId);
          return;
        }
        if (conn !== undefined && status === 404 && this.initDone && !isInit && this.worthResending(message)) {
          this.log.warn(`session not found on the server (HTTP 404): re-initializing and retrying ${requestId !== undefined ? `id=${requestId}` : 'the message'}`);
          this.drop(conn.generation);
          await this.sendOn(await this.connection(), message, requestId);
          return;
        }
        throw err;
      } catch (finalErr) {
        if (this.closed) return;
        const failure = describeFailure(finalErr, this.failure);
        if (requestId !== undefined) {
          this.log.warn(`request id=${requestId} failed: ${failure.message}`);
          this.answerError(requestId, failure);
        } else {
          this.log.warn(`message not delivered: ${failure.message}`);
        }
      }
    }
  }

  /** @param {JSONRPCMessage} message */
  worthResending(message) {
    // A cancellation or a reply to a server request belongs to the lost session.
    return 'method' in message && message.method !== 'notifications/cancelled';
  }

  /** @param {Connection} conn @param {JSONRPCMessage} message @param {RequestId | undefined} requestId */
  async sendOn(conn, message, requestId) {
    // The bridge's own re-initialize already told this session that the client is initialized.
    if (conn.initializedSent && 'method' in message && message.method === 'notifications/initialized') return;
    if (requestId !== undefined) {
      const p = this.pending.get(requestId);
      if (p === undefined) return; // already timed out or cancelled
      p.generation = conn.generation;
    }
    await conn.remote.send(message);
    this.confirmed = true;
  }

  /** The current connection, opened (and re-initialized after a lost session) on demand. */
  connection() {
    if (this.conn !== undefined) return Promise.resolve(this.conn);
    if (this.connecting === undefined) {
      this.connecting = this.open().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /** @returns {Promise<Connection>} */
  async open() {
    const generation = ++this.generation;
    const remote = createRemoteTransport({
      kind: this.kind,
      url: this.url,
      headers: this.config.headers,
      onStreamEnd: (ids) => setTimeout(() => this.streamEnded(generation, ids), 50).unref(),
    });
    /** @type {Connection} */
    const conn = { remote, generation, initializedSent: false };
    remote.onmessage = (m) => this.fromServer(conn, m);
    remote.onerror = (e) => this.remoteError(conn, e);
    this.log.info(`connecting (${this.kind}) to ${safeUrl(this.url)}`);
    try {
      await remote.start();
      if (this.initDone && this.initParams !== undefined) await this.reinitialize(conn);
    } catch (err) {
      // Stop the transport (an SSE EventSource would otherwise keep reconnecting on its own).
      remote.onmessage = undefined;
      remote.onerror = undefined;
      await remote.close().catch(() => undefined);
      throw err;
    }
    if (this.generation === generation) this.conn = conn;
    return conn;
  }

  /** @param {Connection} conn */
  async reinitialize(conn) {
    const id = `finops-mcp-bridge-reinit-${++this.internalSeq}`;
    /** @type {Promise<Record<string, unknown>>} */
    const answered = new Promise((resolve, reject) => {
      this.internal.set(id, { resolve, reject });
      setTimeout(() => reject(new Error(`re-initialize timed out after ${this.config.timeoutMs / 1000} s`)), this.config.timeoutMs).unref();
    });
    try {
      await conn.remote.send({ jsonrpc: '2.0', id, method: 'initialize', params: this.initParams });
      const answer = await answered;
      if (isObject(answer['error'])) {
        throw new Error(`the server refused to re-initialize: ${String(answer['error']['message'])}`);
      }
      this.applyProtocolVersion(conn, answer['result']);
      if (this.clientInitialized) {
        await conn.remote.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        conn.initializedSent = true;
      }
      this.log.info('session re-initialized');
    } finally {
      this.internal.delete(id);
    }
  }

  /** @param {Connection} conn @param {unknown} result */
  applyProtocolVersion(conn, result) {
    if (isObject(result) && typeof result['protocolVersion'] === 'string') {
      conn.remote.setProtocolVersion?.(result['protocolVersion']);
    }
  }

  /** Forgets connection `generation` (if still current) so the next message opens a new one. @param {number} generation */
  drop(generation) {
    const conn = this.conn;
    if (conn === undefined || conn.generation !== generation) return;
    this.conn = undefined;
    conn.remote.onmessage = undefined;
    conn.remote.onerror = undefined;
    void conn.remote.close().catch(() => undefined);
  }

  /** @param {Connection} conn @param {JSONRPCMessage} message */
  fromServer(conn, message) {
    /** @type {Record<string, unknown>} */
    const m = message;
    const method = typeof m['method'] === 'string' ? m['method'] : undefined;
    const id = idOf(m);
    if (method === undefined && id !== undefined) {
      const waiter = typeof id === 'string' ? this.internal.get(id) : undefined;
      if (waiter !== undefined) {
        waiter.resolve(m);
        return; // the bridge's own re-initialize: the client never sees it
      }
      const p = this.settle(id);
      if (p === undefined) {
        this.log.debug(`dropping answer for id=${id}: no longer pending (timed out or cancelled)`);
        return;
      }
      if (p.method === 'initialize' && isObject(m['result'])) {
        this.applyProtocolVersion(conn, m['result']);
        this.initDone = true;
      }
    } else if (method === 'notifications/progress' && isObject(m['params'])) {
      this.pending.progress(m['params']['progressToken']);
    }
    this.log.debug(`server -> client ${method ?? 'response'}${id !== undefined ? ` id=${id}` : ''}`);
    this.toClient(message);
  }

  /** @param {Connection} conn @param {Error} err */
  remoteError(conn, err) {
    if (this.closed) return;
    if (err instanceof SseError && this.kind === 'sse' && this.conn?.generation === conn.generation) {
      // The HTTP+SSE stream carries every answer: when it breaks, the session is gone.
      const detail = err.message === 'SSE error: undefined' ? 'the server closed it' : errorText(err);
      this.log.warn(`SSE stream to the server lost: ${detail}`);
      this.drop(conn.generation);
      for (const [id, p] of this.pending.entries()) {
        if (p.generation === conn.generation) this.answerError(id, describeLostConnection());
      }
      return;
    }
    if (httpStatus(err) === 404 && this.initDone && this.conn?.generation === conn.generation) {
      this.log.warn('session not found on the server (HTTP 404): re-initializing');
      this.drop(conn.generation);
      this.connection().catch((e) => this.log.warn(`re-initialize failed: ${describeFailure(e, this.failure).message}`));
      return;
    }
    if (/Maximum reconnection attempts/.test(err.message) && this.initDone && this.conn?.generation === conn.generation) {
      // The server-to-client event stream is gone for good: start over on the next message.
      this.log.warn('lost the event stream from the server; the next message opens a new session');
      this.drop(conn.generation);
      return;
    }
    this.log.info(`remote transport: ${errorText(err)}`);
  }

  /** @param {number} generation @param {RequestId[]} ids */
  streamEnded(generation, ids) {
    if (this.closed) return;
    for (const id of ids) {
      const waiter = typeof id === 'string' ? this.internal.get(id) : undefined;
      if (waiter !== undefined) {
        waiter.reject(new Error('the connection to the server was lost during re-initialize'));
        continue;
      }
      const p = this.pending.get(id);
      if (p !== undefined && p.generation === generation) {
        this.log.warn(`the server's answer stream for id=${id} (${p.method}) ended without an answer`);
        this.answerError(id, describeLostConnection());
      }
    }
  }

  /** Closes the remote session politely (bounded), then the transports. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    for (const [id] of this.pending.entries()) this.settle(id);
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) {
      conn.remote.onmessage = undefined;
      conn.remote.onerror = undefined;
      const remote = /** @type {Remote & { terminateSession?: () => Promise<void> }} */ (conn.remote);
      if (typeof remote.terminateSession === 'function') {
        const bounded = new Promise((resolve) => setTimeout(resolve, 1000).unref());
        await Promise.race([remote.terminateSession().catch(() => undefined), bounded]);
      }
      await remote.close().catch(() => undefined);
    }
    await this.stdio.close().catch(() => undefined);
  }
}
