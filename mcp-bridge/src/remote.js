// @ts-check
/**
 * Builds the remote side of the bridge: an SDK client transport (Streamable HTTP or HTTP+SSE)
 * with the configured headers, and a fetch that reports when a POST's response stream ends
 * (so a request whose stream dies without an answer is answered with an error, not left hanging).
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';

/** @typedef {import('@modelcontextprotocol/sdk/shared/transport.js').Transport} Transport */
/** @typedef {import('@modelcontextprotocol/sdk/types.js').RequestId} RequestId */
/** @typedef {'streamable-http' | 'sse'} TransportKind */

/**
 * JSON-RPC request ids in a POST body (a single message or a batch).
 * @param {unknown} body
 * @returns {RequestId[]}
 */
export function requestIdsInBody(body) {
  if (typeof body !== 'string') return [];
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  /** @type {RequestId[]} */
  const ids = [];
  for (const m of list) {
    if (m !== null && typeof m === 'object' && 'method' in m && 'id' in m && (typeof m.id === 'string' || typeof m.id === 'number')) {
      ids.push(m.id);
    }
  }
  return ids;
}

/**
 * A fetch that calls `onStreamEnd(ids)` when the event-stream answer to a POST carrying
 * requests ends or breaks (unless the stream was resumable: it carried event ids).
 * @param {(ids: RequestId[]) => void} onStreamEnd
 * @returns {typeof fetch}
 */
export function trackingFetch(onStreamEnd) {
  return async (input, init) => {
    const response = await fetch(input, init);
    const ids = init?.method === 'POST' ? requestIdsInBody(init.body) : [];
    const type = response.headers.get('content-type') ?? '';
    if (ids.length === 0 || !response.ok || response.body === null || !type.includes('text/event-stream')) {
      return response;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let tail = '';
    // A stream that carried event ids can be resumed by the SDK (GET with Last-Event-ID):
    // its end does not mean the answer is lost.
    let resumable = false;
    let reported = false;
    const ended = () => {
      if (reported || resumable) return;
      reported = true;
      onStreamEnd(ids);
    };
    /** @param {Uint8Array} chunk */
    const scan = (chunk) => {
      if (resumable) return;
      const text = tail + decoder.decode(chunk, { stream: true });
      if (/(^|\n)id:/.test(text)) resumable = true;
      tail = text.slice(-1);
    };
    /** @type {ReadableStream<Uint8Array>} */
    const body = new ReadableStream({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            ended();
          } else {
            scan(value);
            controller.enqueue(value);
          }
        } catch (err) {
          controller.error(err);
          ended();
        }
      },
      cancel(reason) {
        ended();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * @typedef {object} RemoteOptions
 * @property {TransportKind} kind
 * @property {URL} url
 * @property {Record<string, string>} headers
 * @property {(ids: RequestId[]) => void} onStreamEnd
 */

/**
 * Creates (does not start) a client transport.
 * @param {RemoteOptions} opts
 * @returns {Transport & { setProtocolVersion?: (version: string) => void }}
 */
export function createRemoteTransport(opts) {
  const fetchFn = trackingFetch(opts.onStreamEnd);
  const requestInit = { headers: { ...opts.headers } };
  if (opts.kind === 'sse') {
    return new SSEClientTransport(opts.url, { requestInit, fetch: fetchFn });
  }
  return new StreamableHTTPClientTransport(opts.url, {
    requestInit,
    fetch: fetchFn,
    // The bridge re-initializes on its own when the session is gone; a couple of quick
    // GET-stream reconnects are enough to ride over a brief blip.
    reconnectionOptions: { initialReconnectionDelay: 500, maxReconnectionDelay: 5000, reconnectionDelayGrowFactor: 2, maxRetries: 2 },
  });
}
