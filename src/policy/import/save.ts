/**
 * Writes an imported policy into the policies directory — the only file I/O of the import.
 * The target is `<real policies dir>/<safe name>.json` (see file-name.ts). An existing symbolic
 * link or non-file there is refused, an existing file only replaced with `overwrite`, and the
 * active policy file or the configured POLICY_PATH never (activate instead). The file is written to a temporary name in the
 * same directory and renamed into place, so a reader never sees half a file and a link swapped
 * in meanwhile is replaced, not followed.
 */
import { randomUUID } from 'node:crypto';
import { lstat, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { TaggingPolicyDocument } from '../types.js';

export interface SaveOptions {
  /** Replace an existing file of that name. */
  overwrite: boolean;
  /** Files never overwritten: the active policy file and the configured POLICY_PATH. */
  protectedPaths: readonly string[];
}

export interface SavedFile {
  path: string;
  replaced: boolean;
}

async function real(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

export async function savePolicyFile(policiesDir: string, fileName: string, document: TaggingPolicyDocument, options: SaveOptions): Promise<SavedFile> {
  if (basename(fileName) !== fileName || fileName.startsWith('.')) {
    throw new UserError(`Refusing to write ${JSON.stringify(fileName)}: not a plain file name.`, { field: '/name', code: 'invalid_name' });
  }
  const dir = await real(policiesDir);
  if (dir === null) throw new UserError(`The policies directory ${policiesDir} does not exist; create it or point POLICY_PATH at a file inside an existing directory.`, { statusCode: 409, code: 'no_policies_dir' });
  const target = join(dir, fileName);
  if (dirname(target) !== dir) throw new UserError(`Refusing to write ${JSON.stringify(fileName)} outside the policies directory.`, { field: '/name', code: 'invalid_name' });

  let replaced = false;
  try {
    const st = await lstat(target);
    if (st.isSymbolicLink()) {
      throw new UserError(`${fileName} in the policies directory is a symbolic link; the import never writes through links. Choose another name.`, { field: '/name', code: 'invalid_name' });
    }
    if (!st.isFile()) throw new UserError(`${fileName} in the policies directory is not a regular file; choose another name.`, { field: '/name', code: 'invalid_name' });
    const guarded = await Promise.all(options.protectedPaths.map(real));
    if (guarded.includes(target)) {
      throw new UserError(
        `${fileName} is the active policy file or the one POLICY_PATH names, and is never overwritten by an import. Save under another name; activate: true makes the import active now, and pointing POLICY_PATH at the saved file keeps it after a restart.`,
        { statusCode: 409, field: '/name', code: 'active_policy_file' },
      );
    }
    if (!options.overwrite) {
      throw new UserError(`${fileName} already exists in the policies directory; pass overwrite: true to replace it, or choose another name.`, { statusCode: 409, field: '/name', code: 'file_exists' });
    }
    replaced = true;
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }

  const tmp = join(dir, `.${fileName}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(document, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return { path: target, replaced };
}
