import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { createPolicyStore, type PolicyStoreLogger } from '../../src/policy/store.js';

const doc = (tag: string): Record<string, unknown> => ({ version: '1.0', required_tags: [{ name: tag }] });

function recorder(): PolicyStoreLogger & { lines: { level: string; msg: string | undefined }[] } {
  const lines: { level: string; msg: string | undefined }[] = [];
  return {
    lines,
    info: (_o, msg) => void lines.push({ level: 'info', msg }),
    warn: (_o, msg) => void lines.push({ level: 'warn', msg }),
    error: (_o, msg) => void lines.push({ level: 'error', msg }),
  };
}

async function tempPolicy(t: Test, content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'policy-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tagging_policy.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
/** Replace the file the way editors do (write a sibling, rename over), so no half-written file is seen. */
async function replaceFile(file: string, content: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(content));
  await rename(`${file}.tmp`, file);
}

t.test('initial load failure throws the PolicyError', async (t) => {
  const file = await tempPolicy(t, { version: '1.0', required_tags: [{ name: 'A', validation_regex: '(' }] });
  await t.rejects(createPolicyStore(file), { name: 'PolicyError', message: /required_tags\[0\]\.validation_regex/ });
});

t.test('reload swaps a valid policy and keeps the old one when the new file is invalid', async (t) => {
  const file = await tempPolicy(t, doc('Owner'));
  const log = recorder();
  const reloads: string[] = [];
  const store = await createPolicyStore(file, { logger: log, onReload: (p) => reloads.push(p.requiredTagsFor('ec2:instance').join()) });
  t.teardown(() => store.close());
  t.equal(store.path, file);
  t.same(store.current().requiredTagsFor('ec2:instance'), ['Owner']);
  t.equal(store.watching, false);

  await writeFile(file, JSON.stringify(doc('Team')));
  const next = await store.reload();
  t.same(next.requiredTagsFor('ec2:instance'), ['Team']);
  t.equal(store.current(), next);
  const good = store.current();

  await writeFile(file, JSON.stringify({ version: '1.0', required_tags: [{ name: 'A', applies_to: ['ec2:spaceship'] }] }));
  await t.rejects(store.reload(), { name: 'PolicyError', message: /ec2:spaceship/ });
  t.equal(store.current(), good, 'the previous policy is still active');
  const refused = log.lines.find((l) => l.level === 'error');
  t.match(refused?.msg, /Policy reload refused, keeping the active policy: .*unknown resource type 'ec2:spaceship'/);

  await writeFile(file, '{ not json');
  await t.rejects(store.reload(), { name: 'PolicyError', message: /is not valid JSON/ });
  t.equal(store.current(), good);

  await rm(file);
  await t.rejects(store.reload(), { name: 'PolicyError', field: 'POLICY_PATH' });
  t.equal(store.current(), good);

  await t.rejects(store.reload({ version: '1.0', required_tags: [{ name: 'A' }, { name: 'A' }] }), { name: 'PolicyError', message: /duplicate tag name/ });
  t.equal(store.current(), good);
  const fromDoc = await store.reload({ version: '1.0', required_tags: [{ name: 'Dept' }] });
  t.equal(store.current(), fromDoc);
  t.same(reloads, ['Team', 'Dept']);
});

t.test('watch: a valid edit is picked up, an invalid edit keeps the active policy', async (t) => {
  const file = await tempPolicy(t, doc('Owner'));
  const log = recorder();
  let notify: ((p: CompiledPolicy) => void) | null = null;
  const store = await createPolicyStore(file, { watch: true, debounceMs: 20, logger: log, onReload: (p) => notify?.(p) });
  t.teardown(() => store.close());
  t.equal(store.watching, true);

  const reloaded = new Promise<CompiledPolicy>((resolve) => (notify = resolve));
  await replaceFile(file, doc('Team'));
  const p = await reloaded;
  t.same(p.requiredTagsFor('ec2:instance'), ['Team']);
  t.equal(store.current(), p);

  // An invalid edit: wait until the refusal is logged, then check the policy is unchanged.
  const refused = new Promise<void>((resolve) => {
    const original = log.error;
    log.error = (o, msg) => {
      original(o, msg);
      resolve();
    };
  });
  await replaceFile(file, { version: 1 });
  await refused;
  t.equal(store.current(), p);
  t.match(log.lines.filter((l) => l.level === 'error').at(-1)?.msg, /required_tags is required/);

  store.close();
  t.equal(store.watching, false);
  store.close();
});
