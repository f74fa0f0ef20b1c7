/** Repository paths the benchmarks need, independent of the working directory (dist/bench/lib → repo). */
import { fileURLToPath } from 'node:url';

/** The repository's tagging policy (what a default deployment evaluates against). */
export const POLICY_PATH = fileURLToPath(new URL('../../../policies/tagging_policy.json', import.meta.url));
