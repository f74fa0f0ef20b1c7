/** Start the simulator in a worker thread (sim-worker.ts) and talk to it by messages. */
import { Worker } from 'node:worker_threads';
import type { SimStats, SimulatorOptions } from '../../src/simulator/types.js';

export interface SimHandle {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stats(): Promise<SimStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

type Reply = { id: number; value: unknown };

export async function startSimulatorThread(options: SimulatorOptions): Promise<SimHandle> {
  const worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData: options });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (err: Error): void => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (msg: Reply) => {
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    w?.resolve(msg.value);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`simulator thread exited (${code})`)));
  const ready = new Promise<unknown>((resolve, reject) => waiting.set(0, { resolve, reject }));
  const started = (await ready) as { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  const ask = (op: 'stats' | 'resetStats' | 'stop'): Promise<unknown> => {
    if (failure !== null) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op });
    });
  };
  return {
    endpoint: started.endpoint,
    credentials: started.credentials,
    stats: async () => (await ask('stats')) as SimStats,
    resetStats: async () => {
      await ask('resetStats');
    },
    stop: async () => {
      await ask('stop');
      await worker.terminate();
    },
  };
}
