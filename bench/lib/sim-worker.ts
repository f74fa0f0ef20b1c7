/**
 * The simulator on its own thread, so the scan benchmark measures the app's event loop and not
 * the simulator's XML rendering on it. Started by `startSimulatorThread` (sim-thread.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimulatorOptions } from '../../src/simulator/types.js';

type Request = { id: number; op: 'stats' | 'resetStats' | 'stop' };

async function run(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('sim-worker must run as a worker thread');
  const sim = await startSimulator(workerData as SimulatorOptions);
  port.on('message', (msg: Request) => {
    if (msg.op === 'stats') port.postMessage({ id: msg.id, value: sim.stats() });
    else if (msg.op === 'resetStats') {
      sim.resetStats();
      port.postMessage({ id: msg.id, value: null });
    } else {
      void sim.stop().then(() => {
        port.postMessage({ id: msg.id, value: null });
        port.close();
      });
    }
  });
  port.postMessage({ id: 0, value: { endpoint: sim.endpoint, credentials: sim.credentials } });
}

// A failure to start rejects here and surfaces as the worker's 'error' event in the parent.
await run();
