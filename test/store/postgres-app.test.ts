import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { DEMO_ACCOUNTS, demoOrganization } from '../../src/simulator/demo-org.js';
import { startSimulator } from '../../src/simulator/server.js';
import { isolateNetwork } from '../aws/helpers.js';
import { pgSkipReason, pgTestDatabase } from './postgres-harness.js';

isolateNetwork();
const skip = await pgSkipReason();

/** Two full apps ("replicas") with HISTORY_DATABASE_URL pointing at one database, against one simulator. */
t.test('two replicas share one PostgreSQL history: a snapshot stored on one is the trend on the other', { skip }, async (t: Test) => {
  const db = await pgTestDatabase(t);
  const sim = await startSimulator({ fixture: demoOrganization(), port: 0, host: '127.0.0.1' });
  const config = testConfig({
    aws: { endpoint_url: sim.endpoint, credentials: { ...sim.credentials } },
    multi_account: { enabled: true, discovery: 'static', account_ids: [DEMO_ACCOUNTS.production, DEMO_ACCOUNTS.staging] },
    history: { database_url: db.url, db_path: '/nonexistent/never/opened.db' },
  });
  const [one, two] = await Promise.all([1, 2].map(() => buildApp({ config, logger: false, policy: { watch: false } })));
  if (one === undefined || two === undefined) throw new Error('two apps expected');
  t.teardown(async () => {
    await one.close();
    await two.close();
    await sim.stop();
  });

  const health = (await two.inject({ method: 'GET', url: '/health' })).json() as { history: { backend: string; status: string } };
  t.same(health.history, { backend: 'postgres', status: 'ok', detail: null });

  const check = await one.inject({ method: 'POST', url: '/tools/check_tag_compliance', payload: { accounts: [DEMO_ACCOUNTS.production], store_snapshot: true } });
  t.equal(check.statusCode, 200);
  const checked = check.json() as { snapshot_id: string | null; compliance_score: number; total_resources: number };
  t.match(checked.snapshot_id, /^[1-9][0-9]*$/);

  const hist = await two.inject({ method: 'POST', url: '/tools/get_violation_history', payload: { account_ids: [DEMO_ACCOUNTS.production] } });
  t.equal(hist.statusCode, 200);
  const body = hist.json() as { snapshot_count: number; series: { scope: { account_ids: string[] }; latest: { compliance_score: number; total_resources: number } }[] };
  t.equal(body.snapshot_count, 1);
  t.same(body.series.map((s) => s.scope.account_ids), [[DEMO_ACCOUNTS.production]]);
  t.equal(body.series[0]?.latest.compliance_score, checked.compliance_score);
  t.equal(body.series[0]?.latest.total_resources, checked.total_resources);
});
