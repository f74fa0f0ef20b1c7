/**
 * Runs the bundled AWS simulator as a process:
 *   node dist/src/simulator/cli.js --port 4566 [--fixture demo|<file.json>|generated:<a>x<r>x<p>]
 *                                  [--latency-ms N] [--throttle-rate R] [--host 127.0.0.1]
 * Prints the endpoint and credentials to point the SDK at; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { loadFixture } from './fixture-file.js';
import { startSimulator } from './server.js';
import type { SimFaults } from './types.js';

function number(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number between ${min} and ${max}, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      fixture: { type: 'string', default: 'demo' },
      'latency-ms': { type: 'string' },
      'throttle-rate': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'Usage: cli.js [--port 4566] [--host 127.0.0.1] [--fixture demo|<file.json>|generated:<accounts>x<regions>x<perRegion>] [--latency-ms N] [--throttle-rate 0..1]\n',
    );
    return;
  }
  const port = number('port', values.port, 0, 65535) ?? 4566;
  const faults: SimFaults = {};
  const latency = number('latency-ms', values['latency-ms'], 0, 600_000);
  const throttle = number('throttle-rate', values['throttle-rate'], 0, 1);
  if (latency !== undefined) faults.latency_ms = latency;
  if (throttle !== undefined) faults.throttle_rate = throttle;
  const fixture = await loadFixture(values.fixture);
  const sim = await startSimulator({ fixture, port, host: values.host, faults });
  const resources = fixture.accounts.reduce((n, a) => n + a.resources.length, 0);
  process.stdout.write(
    [
      `AWS simulator listening on ${sim.endpoint}`,
      `  fixture: ${values.fixture} — ${fixture.accounts.length} accounts, ${fixture.regions.length} regions, ${resources} resources`,
      `  management account: ${fixture.organization.management_account_id}`,
      '',
      'Point the AWS SDK at it with:',
      `  export AWS_ENDPOINT_URL=${sim.endpoint}`,
      `  export AWS_ACCESS_KEY_ID=${sim.credentials.accessKeyId}`,
      `  export AWS_SECRET_ACCESS_KEY=${sim.credentials.secretAccessKey}`,
      '  export AWS_REGION=us-east-1',
      '',
    ].join('\n'),
  );
  const stop = (signal: string): void => {
    process.stdout.write(`\n${signal}: stopping the simulator\n`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
