/**
 * Small concurrency and cancellation helpers for the scan: a semaphore that callers can leave
 * on abort, and a way to stop waiting for a promise when a signal fires.
 */

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('The operation was aborted');
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void>;
  readonly active: number;
}

export function createSemaphore(limit: number): Semaphore {
  const max = Math.max(1, Math.floor(limit));
  let active = 0;
  const waiting: { grant: () => void }[] = [];

  function releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active -= 1;
      const next = waiting.shift();
      if (next !== undefined) next.grant();
    };
  }

  return {
    get active() {
      return active;
    },
    acquire(signal: AbortSignal): Promise<() => void> {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      if (active < max) {
        active += 1;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            active += 1;
            resolve(releaser());
          },
        };
        const onAbort = (): void => {
          const i = waiting.indexOf(waiter);
          if (i >= 0) waiting.splice(i, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}

/**
 * Run `fn` over `items` with at most `limit` at once. Stops taking new items once `stop()` says
 * so; returns how many items were started.
 */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>, stop: () => boolean): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop()) return;
      const index = next;
      if (index >= items.length) return;
      next += 1;
      await fn(items[index] as T, index);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return next;
}
