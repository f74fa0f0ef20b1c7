/**
 * Generates every IAM artefact from the code (`npm run iam:generate`):
 *   cloudformation/iam/member-role-policy.json   the member-account role's permissions
 *   cloudformation/iam/server-role-policy.json   the server role's permissions
 *   the action lists between `# BEGIN GENERATED: <block>` and `# END GENERATED: <block>` in
 *   cloudformation/member-role.yaml and cloudformation/server.yaml.
 * The member actions come from the resource-type registry (`memberRoleActions()`), the server's
 * own from `src/aws/iam.ts`. test/deploy checks the committed files equal what this produces.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { memberRoleActions } from '../src/aws/registry.js';
import { memberRolePolicy, serverRoleActions, serverRolePolicy } from '../src/aws/iam.js';

export const MEMBER_POLICY_FILE = 'cloudformation/iam/member-role-policy.json';
export const SERVER_POLICY_FILE = 'cloudformation/iam/server-role-policy.json';
export const MEMBER_TEMPLATE = 'cloudformation/member-role.yaml';
export const SERVER_TEMPLATE = 'cloudformation/server.yaml';

/** The generated action list of each marker block. */
export function generatedBlocks(): Record<string, string[]> {
  return { 'member-actions': memberRoleActions(), 'server-actions': serverRoleActions() };
}

/**
 * Replace the lines between `# BEGIN GENERATED: <name>` and `# END GENERATED: <name>` with one
 * YAML sequence item per action, indented like the BEGIN marker. Every block must be present once.
 */
export function replaceBlock(text: string, name: string, actions: readonly string[], file = 'template'): string {
  const lines = text.split('\n');
  const begin = lines.findIndex((l) => l.trim().startsWith(`# BEGIN GENERATED: ${name}`));
  const end = lines.findIndex((l, i) => i > begin && l.trim() === `# END GENERATED: ${name}`);
  if (begin === -1 || end === -1) throw new Error(`${file}: marker block "${name}" not found (# BEGIN GENERATED: ${name} … # END GENERATED: ${name})`);
  if (lines.findIndex((l, i) => i > end && l.trim().startsWith(`# BEGIN GENERATED: ${name}`)) !== -1) {
    throw new Error(`${file}: marker block "${name}" appears more than once`);
  }
  const indent = /^\s*/.exec(lines[begin] ?? '')?.[0] ?? '';
  return [...lines.slice(0, begin + 1), ...actions.map((a) => `${indent}- ${a}`), ...lines.slice(end)].join('\n');
}

function blocksIn(text: string): string[] {
  return [...text.matchAll(/# BEGIN GENERATED: ([\w-]+)/g)].map((m) => m[1] ?? '');
}

/** Fill every marker block of a template (a block name the generator does not know is an error). */
export function fillTemplate(text: string, file: string): string {
  const blocks = generatedBlocks();
  let out = text;
  for (const name of new Set(blocksIn(text))) {
    const actions = blocks[name];
    if (actions === undefined) throw new Error(`${file}: unknown generated block "${name}" (known: ${Object.keys(blocks).join(', ')})`);
    out = replaceBlock(out, name, actions, file);
  }
  return out;
}

/** Every generated file's content, keyed by path relative to the repository root (pure apart from reading the templates). */
export function renderIam(root: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(MEMBER_POLICY_FILE, `${JSON.stringify(memberRolePolicy(), null, 2)}\n`);
  files.set(SERVER_POLICY_FILE, `${JSON.stringify(serverRolePolicy(), null, 2)}\n`);
  for (const t of [MEMBER_TEMPLATE, SERVER_TEMPLATE]) files.set(t, fillTemplate(readFileSync(join(root, t), 'utf8'), t));
  return files;
}

/** The repository root: the nearest directory above this file holding the project's package.json. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'finops-tag-compliance-mcp') return dir;
    dir = dirname(dir);
  }
  throw new Error('generate-iam: cannot find the repository root (package.json of finops-tag-compliance-mcp)');
}

/** `node dist/scripts/generate-iam.js [repo-root]` (default: found from this file). */
function main(): void {
  const root = process.argv[2] ?? repoRoot();
  for (const [path, content] of renderIam(root)) {
    const full = join(root, path);
    const before = existsSync(full) ? readFileSync(full, 'utf8') : null;
    if (before === content) {
      process.stdout.write(`unchanged ${path}\n`);
    } else {
      writeFileSync(full, content);
      process.stdout.write(`wrote     ${path}\n`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
