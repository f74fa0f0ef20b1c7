/**
 * Fault matrix, case 6: the policy file is replaced with an invalid one while the server is
 * serving (and scanning). The old policy stays active, the refusal is logged, answers are
 * unchanged; a valid new file is then picked up (hot reload) and answers follow it at once,
 * from the cached inventory.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadPolicyFile } from '../../src/policy/index.js';
import { isolateNetwork } from '../helpers/network.js';
import { eventually } from '../cache/redis-helpers.js';
import { figures, figureTable, matchesExpectation, sameAsClean, simCalls, type Figures } from './compare.js';
import { ACCOUNTS, TYPES, expectation, fullScan, scanCapturedLogs, secrets, startRun, type Run } from './harness.js';

isolateNetwork();

const rows: Figures[] = [];
const SOURCE = 'policies/tagging_policy.json';

interface PolicyDoc {
  required_tags: { name: string }[];
  [key: string]: unknown;
}

async function policyHealth(t: Test, run: Run): Promise<{ status: string; hash: string | null }> {
  const res = await run.app.inject({ method: 'GET', url: '/health' });
  secrets.check(t, '/health', res.body);
  return res.json<{ policy: { status: string; hash: string | null } }>().policy;
}

const count = (run: Run, text: string): number => run.lines.filter((l) => l.includes(text)).length;

t.test('an invalid policy file while serving: old policy kept, error logged; a valid one is picked up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faults-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'policy.json');
  const original = readFileSync(SOURCE, 'utf8');
  writeFileSync(path, original);
  const run = await startRun(t, { config: { policy_path: path }, watchPolicy: true });
  const before = await loadPolicyFile(path);
  const want = expectation(before, run.sim.fixture, ACCOUNTS);

  const clean = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('clean', run, clean, 0));
  matchesExpectation(t, clean, want, 'clean');
  t.same(await policyHealth(t, run), { status: 'ok', hash: before.hash, version: before.version, message: null });

  // Two bad replacements while a forced rescan is running: a file cut off mid-write, then valid
  // JSON that breaks the schema (an unknown tag property and a regex that does not compile).
  run.sim.resetStats();
  run.sim.setFaults({ latency_ms: 10 });
  const pending = fullScan(t, run.app, { resource_types: TYPES, force_refresh: true });
  const doc = JSON.parse(original) as PolicyDoc;
  const invalid = [original.slice(0, Math.floor(original.length / 2)), JSON.stringify({ ...doc, required_tags: [{ ...doc.required_tags[0], validation_regex: '([a-z' }] })];
  for (const [i, text] of invalid.entries()) {
    const refusals = count(run, 'Policy reload refused');
    writeFileSync(path, text);
    t.ok(await eventually(() => count(run, 'Policy reload refused') > refusals), `bad file ${i + 1}: the refusal is logged`);
    const line = run.lines.filter((l) => l.includes('Policy reload refused')).at(-1) ?? '';
    t.match(line, /"level":50/, 'logged as an error');
    t.match(line, before.hash, 'the log names the policy kept');
    t.same(await policyHealth(t, run), { status: 'ok', hash: before.hash, version: before.version, message: null }, 'the old policy is still active');
  }
  const during = await pending;
  run.sim.setFaults({});
  rows.push(figures('invalid policy written mid-scan', run, during, 0));
  t.ok(simCalls(run.sim).calls > 50, 'the rescan really read AWS while the file was broken');
  sameAsClean(t, during, clean, 'while the file is invalid');
  const after = await fullScan(t, run.app, { resource_types: TYPES });
  sameAsClean(t, after, clean, 'after the refusals');

  // A valid new policy (Application no longer required), saved the way editors do: write + rename.
  const next = { ...doc, required_tags: doc.required_tags.filter((r) => r.name !== 'Application') };
  t.ok(next.required_tags.length < doc.required_tags.length, 'the new policy drops a required tag');
  writeFileSync(join(dir, 'policy.json.tmp'), JSON.stringify(next, null, 2));
  renameSync(join(dir, 'policy.json.tmp'), path);
  const newer = await loadPolicyFile(path);
  t.not(newer.hash, before.hash);
  t.ok(await eventually(async () => (await policyHealth(t, run)).hash === newer.hash), 'the valid file is picked up without a restart');
  t.ok(count(run, 'Tagging policy reloaded') >= 1, 'the reload is logged');
  run.sim.resetStats();
  const reloaded = await fullScan(t, run.app, { resource_types: TYPES });
  rows.push(figures('new valid policy (cached inventory)', run, reloaded, 0));
  const wantNext = expectation(newer, run.sim.fixture, ACCOUNTS);
  matchesExpectation(t, reloaded, wantNext, 'under the new policy');
  t.ok(wantNext.violation_count < want.violation_count, `fewer violations under the new policy (${wantNext.violation_count} < ${want.violation_count})`);
  t.equal(reloaded.answer.data_quality.status, 'complete');
  t.equal(simCalls(run.sim).calls, 0, 'evaluated against the new policy from the cached inventory: no AWS call');
});

t.test('figures', async (t) => {
  figureTable(t, rows);
  const lines = scanCapturedLogs(t);
  t.ok(lines > 100, `${lines} log lines and ${secrets.scanned()} texts in all scanned for secrets`);
});
