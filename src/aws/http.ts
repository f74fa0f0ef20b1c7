/**
 * The one HTTP layer every SDK client shares: a single NodeHttpHandler over keep-alive agents,
 * with connection and request timeouts from the configuration.
 *
 * SDK clients destroy their `requestHandler` in `client.destroy()`. Clients therefore receive a
 * thin view of the shared handler whose `destroy()` does nothing; only `SharedHttp.destroy()`
 * closes the sockets (once, when the gateway closes).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, NodeHttpHandlerOptions, RequestHandler, RequestHandlerOutput } from '@smithy/types';
import type { AwsConfig } from '../config/types.js';

/** What a client is handed: delegates every request to the shared handler, never destroys it. */
export class SharedHandlerView implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  constructor(private readonly inner: NodeHttpHandler) {}
  handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<RequestHandlerOutput<HttpResponse>> {
    return this.inner.handle(request as Parameters<NodeHttpHandler['handle']>[0], options);
  }
  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }
  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }
  /** Clients call this on destroy; the shared sockets outlive any one client. */
  destroy(): void {}
}

export interface SharedHttp {
  /** The handler view to put in every client's `requestHandler`. */
  readonly handler: SharedHandlerView;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** The options the shared handler was built with. */
  readonly options: Readonly<NodeHttpHandlerOptions>;
  /** Close every socket. Call once, after the last client is done. */
  destroy(): void;
}

export function createSharedHttp(aws: Pick<AwsConfig, 'max_sockets' | 'request_timeout_ms'>): SharedHttp {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: aws.max_sockets, maxFreeSockets: Math.min(aws.max_sockets, 64) };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const options: NodeHttpHandlerOptions = {
    httpAgent,
    httpsAgent,
    connectionTimeout: aws.request_timeout_ms,
    requestTimeout: aws.request_timeout_ms,
    // Without this the SDK only logs a warning when a request exceeds requestTimeout.
    throwOnRequestTimeout: true,
  };
  const inner = new NodeHttpHandler(options);
  let destroyed = false;
  return {
    handler: new SharedHandlerView(inner),
    httpAgent,
    httpsAgent,
    options,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      inner.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
