/** Safe file names and the policies-directory writer of the tag-policy import. */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { UserError } from '../../../src/core/errors.js';
import { defaultPolicyName, policyFileName, savePolicyFile } from '../../../src/policy/import/index.js';
import { createPolicyStore } from '../../../src/policy/store.js';
import type { TaggingPolicyDocument } from '../../../src/policy/types.js';

const DOC: TaggingPolicyDocument = { version: '1.0', required_tags: [{ name: 'Owner' }] };

t.test('policyFileName accepts plain names only', async (t) => {
  t.equal(policyFileName('acme-prod_2'), 'acme-prod_2.json');
  t.equal(policyFileName('acme.json'), 'acme.json', 'a trailing .json is accepted');
  t.equal(policyFileName('a'.repeat(64)), `${'a'.repeat(64)}.json`);
  const refused = ['', '.json', '../x', '..', 'a/../../b', '/etc/passwd', '\\\\server\\share', 'C:\\x', 'a/b', 'a\\b', 'x\u0000', 'ABC', 'a b', 'a.b', '.env', '~', 'a'.repeat(65), 'ü', 'x.json.json', '%2e%2e'];
  for (const name of refused) {
    let caught: unknown = null;
    try {
      policyFileName(name);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof UserError && caught.statusCode === 400 && caught.field === '/name', `${JSON.stringify(name)} refused`);
  }
  t.equal(defaultPolicyName('Acme Baseline Tags!'), 'acme-baseline-tags');
  t.equal(defaultPolicyName('***'), null);
});

t.test('savePolicyFile writes atomically inside the real directory and refuses links, the active file and silent overwrites', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'import-save-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const active = join(dir, 'tagging_policy.json');
  writeFileSync(active, '{"active": true}\n');
  const configured = join(dir, 'configured.json');
  writeFileSync(configured, '{}');
  const opts = { overwrite: false, protectedPaths: [active, configured] };

  const saved = await savePolicyFile(dir, 'imported.json', DOC, opts);
  t.same(saved, { path: join(dir, 'imported.json'), replaced: false });
  t.same(JSON.parse(readFileSync(saved.path, 'utf8')), DOC);
  t.same(readdirSync(dir).sort(), ['configured.json', 'imported.json', 'tagging_policy.json'], 'no temporary file left behind');

  await t.rejects(savePolicyFile(dir, 'imported.json', DOC, opts), { statusCode: 409, code: 'file_exists' });
  t.same((await savePolicyFile(dir, 'imported.json', { ...DOC, version: '1.1' }, { ...opts, overwrite: true })).replaced, true);
  t.equal(JSON.parse(readFileSync(saved.path, 'utf8')).version, '1.1');
  await t.rejects(savePolicyFile(dir, 'tagging_policy.json', DOC, { ...opts, overwrite: true }), { statusCode: 409, code: 'active_policy_file' });
  t.equal(readFileSync(active, 'utf8'), '{"active": true}\n');
  await t.rejects(savePolicyFile(dir, 'configured.json', DOC, { ...opts, overwrite: true }), { statusCode: 409, code: 'active_policy_file' }, 'nor the configured POLICY_PATH');

  const outside = join(root, 'outside.json');
  writeFileSync(outside, 'untouched');
  symlinkSync(outside, join(dir, 'link.json'));
  await t.rejects(savePolicyFile(dir, 'link.json', DOC, { ...opts, overwrite: true }), { statusCode: 400, message: /symbolic link/ });
  t.equal(readFileSync(outside, 'utf8'), 'untouched');
  mkdirSync(join(dir, 'sub.json'));
  await t.rejects(savePolicyFile(dir, 'sub.json', DOC, { ...opts, overwrite: true }), { statusCode: 400, message: /not a regular file/ });
  await t.rejects(savePolicyFile(dir, '../escape.json', DOC, opts), { statusCode: 400, code: 'invalid_name' });
  await t.rejects(savePolicyFile(dir, '.hidden.json', DOC, opts), { statusCode: 400, code: 'invalid_name' });
  await t.rejects(savePolicyFile(join(root, 'missing'), 'x.json', DOC, opts), { statusCode: 409, code: 'no_policies_dir' });

  // A policies directory reached through a link: the file lands in the real directory.
  const linkedDir = join(root, 'linked');
  symlinkSync(dir, linkedDir);
  const viaLink = await savePolicyFile(linkedDir, 'via-link.json', DOC, opts);
  t.equal(viaLink.path, join(dir, 'via-link.json'));
  t.same(readdirSync(root).sort(), ['linked', 'outside.json', 'policies']);
});

t.test('the policy store can follow an imported file: valid → active and followed, invalid → nothing changes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'import-switch-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const first = join(root, 'first.json');
  writeFileSync(first, JSON.stringify(DOC));
  const store = await createPolicyStore(first);
  t.teardown(() => store.close());
  const before = store.current().hash;
  const bad = join(root, 'bad.json');
  writeFileSync(bad, JSON.stringify({ version: '1.0', required_tags: [{ name: 'aws:x' }] }));
  await t.rejects(store.switchTo(bad), { name: 'PolicyError' });
  t.equal(store.path, first);
  t.equal(store.current().hash, before);
  await t.rejects(store.switchTo(join(root, 'missing.json')), { name: 'PolicyError' });
  t.equal(store.path, first);
  const second = join(root, 'second.json');
  writeFileSync(second, JSON.stringify({ ...DOC, required_tags: [{ name: 'CostCenter' }] }));
  const next = await store.switchTo(second);
  t.equal(store.path, second);
  t.equal(store.current().hash, next.hash);
  t.not(next.hash, before);
  writeFileSync(second, JSON.stringify({ ...DOC, required_tags: [{ name: 'Team' }] }));
  t.same((await store.reload()).document.required_tags.map((r) => r.name), ['Team'], 'reload() reads the followed file');
});
