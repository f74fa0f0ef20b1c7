/**
 * `npm run bench`: every benchmark once, each in its own Node process (so memory figures and JIT
 * state are its own), sized to finish in about 2–3 minutes on 2 cores. Each prints its figures
 * and targets; this prints the targets again at the end. Figures only: the exit code says
 * whether the benchmarks ran, never whether a target was met.
 *
 *   node dist/bench/run.js           full sizes
 *   node dist/bench/run.js --quick   small sizes (a smoke run of every script)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Flags } from './lib/args.js';

interface Step {
  title: string;
  script: string;
  args: string[];
  nodeArgs?: string[];
}

function steps(quick: boolean): Step[] {
  const shape = quick ? ['--accounts', '4', '--regions', '2', '--per-region', '50'] : ['--accounts', '10', '--regions', '2', '--per-region', '100'];
  return [
    { title: 'scan, no latency (CPU-bound)', script: 'scan.js', args: [...shape, '--latency-ms', '0'] },
    { title: 'scan, 20 ms latency (latency-bound)', script: 'scan.js', args: [...shape, '--latency-ms', '20'] },
    { title: 'http', script: 'http.js', args: ['--duration', quick ? '1' : '3', '--connections', '50'] },
    { title: 'eval', script: 'eval.js', args: ['--resources', quick ? '100000' : '1000000'], nodeArgs: ['--expose-gc'] },
  ];
}

/** Run one script, echoing its output; returns its target lines. */
function runStep(step: Step): Promise<{ targets: string[]; code: number | null }> {
  const script = fileURLToPath(new URL(step.script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(step.nodeArgs ?? []), script, ...step.args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    const targets: string[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trimStart().startsWith('target:')) targets.push(l.trim());
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ targets, code }));
  });
}

async function main(): Promise<void> {
  const quick = new Flags().has('quick');
  const started = performance.now();
  const summary: string[] = [];
  let failed = 0;
  for (const step of steps(quick)) {
    process.stdout.write(`\n######## ${step.title}: node dist/bench/${step.script} ${step.args.join(' ')}\n`);
    const t0 = performance.now();
    const { targets, code } = await runStep(step);
    process.stdout.write(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    if (code !== 0) {
      failed += 1;
      summary.push(`[${step.title}] did not finish (exit ${String(code)})`);
    }
    for (const t of targets) summary.push(`[${step.title}] ${t.replace(/^target:\s*/, '')}`);
  }
  process.stdout.write(`\n######## targets (all runs, ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  for (const s of summary) process.stdout.write(`  ${s}\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench runner failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
