/**
 * Load shedding: with the event loop blocked past MAX_EVENT_LOOP_DELAY_MS, requests get 503
 * with Retry-After and a clear message while /health still answers.
 */
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { fakeContext, testTools } from '../mcp/fixtures.js';
import { capturingLogger, secretScan } from './helpers.js';

function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: this is the saturation being simulated
  }
}

t.test('a saturated event loop sheds requests with 503 + Retry-After; /health is exempt', async (t) => {
  const lines: string[] = [];
  const config = testConfig({ security: { max_event_loop_delay_ms: 20 } });
  const app = await buildApp({ config, logger: capturingLogger(lines, 'info'), tools: testTools, contextFactory: fakeContext, policy: { watch: false }, pressure: { sampleIntervalMs: 50 } });
  t.teardown(() => app.close());
  await app.ready();
  t.equal((await app.inject({ method: 'POST', url: '/tools/echo_scope', payload: {} })).statusCode, 200, 'answers normally at first');

  let shed: Awaited<ReturnType<typeof app.inject>> | null = null;
  let health: Awaited<ReturnType<typeof app.inject>> | null = null;
  // The delay is sampled on a timer: block, let one sample be taken, then ask (a few tries at most).
  for (let attempt = 0; attempt < 5 && shed === null; attempt++) {
    blockEventLoop(300);
    for (let i = 0; i < 30 && !app.isUnderPressure(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!app.isUnderPressure()) continue;
    const [a, b] = await Promise.all([app.inject({ method: 'POST', url: '/tools/echo_scope', payload: {} }), app.inject({ method: 'GET', url: '/health' })]);
    if (a.statusCode === 503) {
      shed = a;
      health = b;
    }
  }
  t.ok(shed !== null, 'a request was shed');
  if (shed === null || health === null) return;
  t.equal(shed.headers['retry-after'], '10');
  t.same(shed.json(), { error: 'overloaded', message: 'The server is overloaded (event loop saturated): retry in 10 seconds.', request_id: shed.headers['x-request-id'] });
  t.not(health.statusCode, 503, '/health is not shed');
  const scan = secretScan();
  for (const l of lines) scan.check(t, 'log', l);
});

t.test('MAX_EVENT_LOOP_DELAY_MS=0 turns load shedding off', async (t) => {
  const app = await buildApp({ config: testConfig(), logger: false, tools: testTools, contextFactory: fakeContext, policy: { watch: false } });
  t.teardown(() => app.close());
  await app.ready();
  t.equal(app.hasDecorator('isUnderPressure'), false);
});
