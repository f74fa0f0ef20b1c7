/**
 * Comparing a faulted scan with the clean scan of the same fixture and with the independent
 * expectation, and the per-case figure table (resources, AWS calls, retries, failed cells, duration).
 */
import type { Test } from 'tap';
import type { CompiledPolicy } from '../../src/policy/types.js';
import type { SimFixture, Simulator } from '../../src/simulator/types.js';
import { ACCOUNTS, expectation, type Answer, type DataQuality, type Expectation, type Run, type Scan } from './harness.js';

/** Totals and breakdowns that two complete scans of the same fixture must share. */
export function comparable(a: Answer): Record<string, unknown> {
  return {
    total_resources: a.total_resources,
    compliant_resources: a.compliant_resources,
    compliance_score: a.compliance_score,
    violation_count: a.violation_count,
    violations_by_tag: a.violations_by_tag,
    violations_by_type: a.violations_by_type,
    regional_breakdown: a.regional_breakdown,
    account_breakdown: a.account_breakdown,
  };
}

/** The violations of `scan` (by resource) whose resource is in one of `accounts`. */
export function violationsIn(scan: Scan, accounts: readonly string[]): Map<string, string[]> {
  const arns = new Set(scan.answer.violations.filter((v) => accounts.includes(v.account_id)).map((v) => v.resource_arn));
  return new Map([...scan.byResource].filter(([arn]) => arns.has(arn)));
}

/** The faulted scan holds exactly the clean scan's resources and violations (every account). */
export function sameAsClean(t: Test, got: Scan, clean: Scan, label: string): void {
  t.same(comparable(got.answer), comparable(clean.answer), `${label}: totals and breakdowns equal the clean run`);
  t.same([...got.byResource], [...clean.byResource], `${label}: the same resources with the same violations (${clean.byResource.size} resources)`);
  t.same(got.answer.data_quality, clean.answer.data_quality, `${label}: data_quality equals the clean run's`);
  t.same(got.answer.account_metadata, clean.answer.account_metadata, `${label}: account_metadata equals the clean run's`);
}

/** Totals of the scan equal the expectation; violations per resource too. */
export function matchesExpectation(t: Test, got: Scan, want: Expectation, label: string): void {
  t.same(
    { total_resources: got.answer.total_resources, compliant_resources: got.answer.compliant_resources, violation_count: got.answer.violation_count },
    { total_resources: want.total_resources, compliant_resources: want.compliant_resources, violation_count: want.violation_count },
    `${label}: totals equal the fixture evaluated by the policy module`,
  );
  t.same([...got.byResource], [...want.byResource], `${label}: per-resource violations equal the fixture's`);
}

/** Every account but `failed` is exactly as in the clean run, and as the fixture says; nothing of `failed` is reported. */
export function othersAsClean(t: Test, c: { got: Scan; clean: Scan; policy: CompiledPolicy; fixture: SimFixture; failed: string }): void {
  const others = ACCOUNTS.filter((id) => id !== c.failed);
  matchesExpectation(t, c.got, expectation(c.policy, c.fixture, others), 'the other accounts');
  t.same([...c.got.byResource], [...violationsIn(c.clean, others)], "the other accounts' violations equal the clean run's");
  const breakdown = c.clean.answer.account_breakdown;
  t.same(c.got.answer.account_breakdown, Object.fromEntries(others.map((id) => [id, breakdown[id]])), "each other account's breakdown equals the clean run's");
  t.notOk(c.got.answer.violations.some((v) => v.account_id === c.failed), 'nothing is reported for the failed account');
}

/** Whether data_quality lists the cell holding a resource of this account, region and type as failed. */
export function lostIn(dq: DataQuality): (account: string, region: string, type: string) => boolean {
  return (account, region, type) =>
    dq.failed.some(
      (f) => f.account_id === account && (f.region === '*' || f.region === (type === 's3:bucket' ? 'global' : region)) && (f.resource_type === '*' || f.resource_type === type),
    );
}

/** Failed cells counted one by one (a collapsed whole-account entry stands for `cells`). */
export function failedCells(dq: DataQuality): number {
  return dq.failed.reduce((n, f) => n + (f.cells ?? 1), 0);
}

/** Simulator requests in total (every attempt, STS included) and throttled answers. */
export function simCalls(sim: Simulator): { calls: number; throttled: number } {
  const s = sim.stats();
  return { calls: Object.values(s.calls).reduce((n, v) => n + v, 0), throttled: s.throttled };
}

export interface Figures {
  case: string;
  resources: number;
  aws_calls: number;
  retries: number;
  failed_cells: number;
  duration_ms: number;
}

/** One row: the scan's figures, AWS calls and retries counted by the simulator since its last resetStats. */
export function figures(name: string, run: Pick<Run, 'sim'>, scan: Scan, retries = run.sim.stats().throttled + Object.values(run.sim.stats().expired_tokens).reduce((n, v) => n + v, 0)): Figures {
  return { case: name, resources: scan.answer.total_resources, aws_calls: simCalls(run.sim).calls, retries, failed_cells: failedCells(scan.answer.data_quality), duration_ms: scan.duration_ms };
}

/** The figure table, printed as tap comments (markdown). */
export function figureTable(t: Test, rows: readonly Figures[]): void {
  t.comment('| case | resources | AWS calls | retries | failed cells | duration (ms) |');
  t.comment('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) t.comment(`| ${r.case} | ${r.resources} | ${r.aws_calls} | ${r.retries} | ${r.failed_cells} | ${r.duration_ms} |`);
}

/** Sum of a Prometheus counter's samples whose labels include every `labels` pair. */
export function counterSum(exposition: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    if (!Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(close + 1).trim());
  }
  return sum;
}
