/** Repository paths the benchmarks need, independent of the working directory and of the build's output folder. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this file holding `policies/tagging_policy.json` (dist/bench/lib → repo). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'policies', 'tagging_policy.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: policies/tagging_policy.json not found above the build output');
    dir = up;
  }
}

/** The repository's tagging policy (what a default deployment evaluates against). */
export const POLICY_PATH = join(repoRoot(), 'policies', 'tagging_policy.json');
