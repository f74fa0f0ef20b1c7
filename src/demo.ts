/**
 * `npm run demo`: the bundled AWS simulator serving the demo organization ("Acme": a management
 * account and six members) on an ephemeral port, and the app on PORT (default 8080) pointed at
 * it with multi-account discovery through Organizations. Nothing here can reach real AWS.
 */
import { buildApp, handleSignals } from './app.js';
import { loadConfig, startupRefusal } from './config/index.js';
import type { AppConfig } from './config/types.js';
import { ConfigError } from './core/errors.js';
import { DEMO_ACCOUNTS, demoOrganization } from './simulator/demo-org.js';
import { startSimulator } from './simulator/server.js';

/** The demo configuration: the environment's PORT/HOST/LOG_LEVEL, everything AWS from the simulator. */
export function demoConfig(base: AppConfig, sim: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }): AppConfig {
  return {
    ...base,
    aws: { ...base.aws, region: 'us-east-1', endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: {
      ...base.multi_account,
      enabled: true,
      discovery: 'organizations',
      account_ids: Object.values(DEMO_ACCOUNTS),
      external_id: null,
    },
    cache: { ...base.cache, redis_url: null },
    history: { ...base.history, db_path: './data/history.db', database_url: null },
  };
}

function examples(url: string, keyHeader: string): string {
  return [
    '',
    `FinOps tag compliance demo: ${url} (simulated organization, accounts ${Object.values(DEMO_ACCOUNTS).join(', ')})`,
    '',
    'REST:',
    `  curl ${keyHeader}${url}/tools`,
    `  curl ${keyHeader}${url}/tools/check_tag_compliance -d '{"accounts": ["${DEMO_ACCOUNTS.production}", "${DEMO_ACCOUNTS.staging}"]}'`,
    `  curl ${keyHeader}${url}/tools/list_accounts -d '{}'`,
    `  curl ${url}/health`,
    '',
    'MCP (Streamable HTTP): point your client at',
    `  ${url}/mcp        (older clients: ${url}/sse)`,
    '  e.g. npx @modelcontextprotocol/inspector, transport "Streamable HTTP", URL as above',
    '',
    'Ctrl-C stops both the app and the simulator.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let base: AppConfig;
  try {
    base = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const refusal = startupRefusal(base);
  if (refusal !== null) {
    process.stderr.write(`Refusing to start: ${refusal}\n`);
    process.exit(1);
  }
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  try {
    const app = await buildApp({ config: demoConfig(base, sim) });
    handleSignals(app, () => sim.stop());
    await app.listen({ host: base.host, port: base.port });
    const host = base.host.includes(':') ? `[${base.host}]` : base.host;
    const keyHeader = base.auth.api_keys.length > 0 ? '-H "Authorization: Bearer $API_KEY" ' : '';
    process.stdout.write(examples(`http://${host}:${base.port}`, keyHeader));
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Demo failed to start: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exit(1);
});
