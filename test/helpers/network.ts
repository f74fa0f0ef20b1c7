/**
 * Only loopback connections: nothing in the tests can reach real AWS.
 * nock 15 (through @mswjs/interceptors) calls Promise.withResolvers, which Node 20 lacks, so it
 * is provided first.
 */
import nock from 'nock';

export function isolateNetwork(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers !== 'function') {
    P.withResolvers = function withResolvers<T>() {
      let resolve: (value: T | PromiseLike<T>) => void = () => undefined;
      let reject: (reason?: unknown) => void = () => undefined;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    };
  }
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost|\[::1\]/);
}
