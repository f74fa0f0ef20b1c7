/**
 * REST fuzz (issue 7): thousands of generated malformed or hostile inputs for EVERY tool in
 * allTools (and raw body garbage) against the real app over the simulator. Property: every
 * answer is a 4xx with a JSON error message, or a 2xx JSON answer for inputs that happen to be
 * valid; never a 5xx, never an error logged as unexpected, no crash, no prototype pollution, and
 * the service answers a valid call exactly as before the fuzz.
 */
import fc from 'fast-check';
import t from 'tap';
import { allTools } from '../../src/app.js';
import { resourceArn } from '../../src/simulator/arn.js';
import { isolateNetwork } from '../helpers/network.js';
import { startFuzzApp, pollutedKeys, prototypeSnapshot } from '../helpers/fuzz-app.js';
import { restGarbage, toolInputs, type RawRequest } from '../helpers/fuzz-inputs.js';
import { crashWatch, fixtureExamples, pool, Tally } from '../helpers/fuzz-run.js';

isolateNetwork();

/** Fixed seed: the same inputs every run (change it to explore; a failure prints its inputs). */
const SEED = 20260701;
const TOOL_CASES = 5000;
const RAW_CASES = 1200;

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}

/** The fuzz property for one REST answer; returns what is wrong, or null. */
export function restViolation(res: Answer): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (res.statusCode < 200 || (res.statusCode >= 300 && res.statusCode < 400)) return `unexpected status ${res.statusCode}`;
  // A 2xx that is not JSON (the CSV export) only has to say what it is.
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode < 300 && !type.startsWith('application/json')) return type === '' ? 'a 2xx without a content type' : null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return `status ${res.statusCode} with a non-JSON body: ${res.body.slice(0, 120)}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `status ${res.statusCode} with a body that is not a JSON object`;
  if (res.statusCode >= 400) {
    const { error, message } = parsed as { error?: unknown; message?: unknown };
    if (typeof error !== 'string' || error === '') return `status ${res.statusCode} without an error code`;
    if (typeof message !== 'string' || message.trim() === '') return `status ${res.statusCode} without a message`;
  }
  return null;
}

const fz = await startFuzzApp();
t.teardown(() => fz.close());
const crashes = crashWatch();
t.teardown(() => crashes.stop());

const examples = fixtureExamples(allTools, fz.sim.fixture);
const baselineArgs = { account_ids: ['all'] };
const baseline = await fz.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: fz.headers, payload: baselineArgs });
const protoBefore = prototypeSnapshot();

t.test(`${TOOL_CASES} generated tool inputs over POST /tools/:name, every tool`, async (t) => {
  t.equal(baseline.statusCode, 200, 'the baseline scan works');
  const tally = new Tally();
  const perTool = Math.ceil(TOOL_CASES / allTools.length);
  const started = performance.now();
  for (const [i, tool] of allTools.entries()) {
    const cases = fc.sample(toolInputs(tool, examples), { numRuns: perTool, seed: SEED + i });
    await pool(cases, 6, async (c) => {
      const payload = JSON.stringify(c.args) ?? 'null';
      const res = await fz.app.inject({ method: 'POST', url: `/tools/${tool.name}`, headers: { ...fz.headers, 'content-type': 'application/json' }, payload });
      tally.add(`${tool.name}/${c.kind}`, String(res.statusCode));
      const wrong = restViolation(res);
      if (wrong !== null) tally.fail(`${tool.name}/${c.kind}`, wrong, payload);
    });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.comment(`REST tool inputs: ${tally.total} over ${allTools.length} tools in ${seconds} s (seed ${SEED})`);
  t.comment(`REST status histogram: ${tally.histogram()}`);
  const kinds = new Map<string, number>();
  for (const [k, v] of tally.byKind) kinds.set(k.split('/')[1] ?? k, (kinds.get(k.split('/')[1] ?? k) ?? 0) + v);
  t.comment(`REST generators: ${tally.histogram(kinds)}`);
  t.ok(tally.total >= TOOL_CASES, `at least ${TOOL_CASES} inputs sent`);
  t.same(tally.failures, [], 'every answer is a 4xx with a message or a 2xx JSON answer');
  t.ok((tally.byStatus.get('200') ?? 0) > 0 && (tally.byStatus.get('400') ?? 0) > 0, 'the generators produce both valid and invalid inputs');
  for (const tool of allTools) t.ok([...tally.byKind.keys()].some((k) => k.startsWith(`${tool.name}/`)), `${tool.name} was fuzzed`);
});

t.test(`${RAW_CASES} raw requests: invalid JSON, content types, huge and form bodies, odd URLs and methods, the bridge`, async (t) => {
  const tally = new Tally();
  const cases = fc.sample(restGarbage(allTools.map((x) => x.name)), { numRuns: RAW_CASES, seed: SEED });
  await pool(cases, 6, async (c: RawRequest) => {
    const res = await fz.app.inject({ method: c.method, url: c.url, headers: { ...fz.headers, ...c.headers }, ...(c.body === undefined ? {} : { payload: c.body }) });
    tally.add(c.kind, String(res.statusCode));
    const wrong = restViolation(res);
    if (wrong !== null) tally.fail(c.kind, wrong, `${c.method} ${c.url} ${JSON.stringify(c.headers)} ${String(c.body ?? '').slice(0, 200)}`);
  });
  t.comment(`REST raw requests: ${tally.total}; status histogram: ${tally.histogram()}`);
  t.comment(`REST raw generators: ${tally.histogram(tally.byKind)}`);
  t.same(tally.failures, [], 'every answer is a 4xx with a message or a 2xx JSON answer');
  t.ok((tally.byStatus.get('413') ?? 0) > 0, 'huge bodies were refused with 413');
  t.ok((tally.byStatus.get('404') ?? 0) > 0, 'unknown tools and routes were refused with 404');
});

t.test('regressions the fuzz found: deep nesting is a 400, an unassumable account a 403', async (t) => {
  const deep = `{"cursor": ${'['.repeat(5000)}"leaf"${']'.repeat(5000)}}`;
  const nested = await fz.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: { ...fz.headers, 'content-type': 'application/json' }, payload: deep });
  t.equal(nested.statusCode, 400, 'arguments nested 5,000 deep: 400 (was a stack overflow and a 500)');
  t.match(nested.json(), { error: 'invalid_arguments', message: /nested more than 32 levels deep/ });
  let shallow: unknown = 'leaf';
  for (let i = 0; i < 30; i++) shallow = [shallow];
  const ok = await fz.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: fz.headers, payload: { cursor: shallow } });
  t.match(ok.json(), { error: 'invalid_arguments', message: /cursor: expected string/ }, '31 levels: the usual validation message');
  t.ok(ok.body.length < 2000, 'the message quotes the value cut short, not the whole input');
  const legacy = fz.sim.fixture.accounts.find((a) => a.role.state !== 'ok');
  const resource = legacy?.resources[0];
  if (legacy === undefined || resource === undefined) throw new Error('the fuzz fixture has an untrusted account with resources');
  const arn = resource.arn ?? resourceArn(resource, legacy.id);
  const denied = await fz.app.inject({ method: 'POST', url: '/tools/suggest_tags', headers: fz.headers, payload: { resource_arn: arn } });
  t.equal(denied.statusCode, 403, 'suggest_tags in an account whose role refuses the server: 403 (was a 503 "try again later")');
  t.match(denied.json(), { error: 'forbidden', message: /AssumeRoleFailed/ });
});

t.test('after the fuzz: nothing polluted, nothing crashed, same answers', async (t) => {
  t.same(prototypeSnapshot(), protoBefore, 'built-in prototypes unchanged');
  t.same(pollutedKeys(), [], 'a fresh object has no polluted keys');
  t.same(crashes.seen, [], 'no unhandled rejection or uncaught exception');
  t.same(fz.problems, [], 'no error-level log line and no tool answer outside its output schema');
  const health = await fz.app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, '/health still answers');
  const again = await fz.app.inject({ method: 'POST', url: '/tools/check_tag_compliance', headers: fz.headers, payload: baselineArgs });
  t.equal(again.statusCode, 200);
  // Forced refreshes among the generated inputs may have re-read the inventory: its time and durations differ.
  const stable = (body: unknown): string => JSON.stringify(body, (k, v: unknown) => (k === 'scan_timestamp' || k === 'duration_ms' ? undefined : v));
  t.equal(stable(again.json()), stable(baseline.json()), 'a valid call answers exactly as before the fuzz (same figures, same violations)');
  const s = fz.secrets.stats();
  t.comment(`secret scan so far: ${s.responses} responses, ${s.log_lines} log lines, ${(s.bytes / 1e6).toFixed(1)} MB scanned`);
  t.same(fz.secrets.findings(), [], 'no secret in any response or log line');
});
