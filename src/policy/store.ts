/**
 * The active policy. `reload()` swaps it only when the new one is valid; otherwise the old one
 * stays active and the reason is logged (and thrown to a caller who asked). With `watch`, edits to
 * the file are picked up automatically after a short debounce (the directory is watched, so
 * editors that save by rename keep working).
 */
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { PolicyError } from '../core/errors.js';
import { loadPolicyFile, parsePolicy } from './load.js';
import type { CompiledPolicy, PolicyStore, TaggingPolicyDocument } from './types.js';

/** The subset of a pino / Fastify logger the store uses. */
export interface PolicyStoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PolicyStoreOptions {
  /** Reload when the file changes (fs.watch on its directory). Default false. */
  watch?: boolean;
  /** Quiet period after the last change event before reloading. Default 250 ms. */
  debounceMs?: number;
  logger?: PolicyStoreLogger;
  /** Called after every successful swap (not for the initial load). */
  onReload?: (policy: CompiledPolicy, previous: CompiledPolicy) => void;
}

export interface ManagedPolicyStore extends PolicyStore {
  /**
   * Load the policy file at `path` and, when it is valid, make it active and follow that file
   * from now on (`path` changes, the watcher moves to it). Invalid: throws PolicyError and nothing
   * changes. Used to activate an imported policy saved next to the original.
   */
  switchTo(path: string): Promise<CompiledPolicy>;
  /** Stop watching; pending debounced reloads are dropped. Idempotent. */
  close(): void;
  /** True while the file watcher is active. */
  readonly watching: boolean;
}

const silent: PolicyStoreLogger = { info() {}, warn() {}, error() {} };

/** Load the policy at `path` (throws PolicyError when it is invalid) and return the store. */
export async function createPolicyStore(path: string, options: PolicyStoreOptions = {}): Promise<ManagedPolicyStore> {
  const log = options.logger ?? silent;
  let absolute = resolve(path);
  let active = await loadPolicyFile(absolute);
  logLoaded(log, active, absolute, 'loaded');

  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const swap = (next: CompiledPolicy): CompiledPolicy => {
    const previous = active;
    active = next;
    if (next.hash !== previous.hash) {
      logLoaded(log, next, absolute, 'reloaded');
      options.onReload?.(next, previous);
    }
    return next;
  };

  const reload = (document?: TaggingPolicyDocument, newPath?: string): Promise<CompiledPolicy> => {
    // Serialise reloads so a slow read cannot overwrite a newer one.
    const run = chain.then(async () => {
      try {
        if (newPath !== undefined) {
          const next = await loadPolicyFile(newPath);
          const previousPath = absolute;
          absolute = newPath;
          if (timer !== null) clearTimeout(timer);
          timer = null;
          if (watcher !== null) startWatching();
          log.info({ policy_path: absolute, previous_policy_path: previousPath }, 'Tagging policy now follows another file');
          return swap(next);
        }
        const next = document === undefined ? await loadPolicyFile(absolute) : parsePolicy(document);
        return swap(next);
      } catch (err) {
        const e = err instanceof PolicyError ? err : new PolicyError(`Tagging policy reload failed: ${(err as Error).message}`, '');
        log.error({ policy_path: absolute, field: e.field, kept_hash: active.hash }, `Policy reload refused, keeping the active policy: ${e.message}`);
        throw e;
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };

  function startWatching(): void {
    watcher?.close();
    watcher = null;
    const file = basename(absolute);
    const debounceMs = options.debounceMs ?? 250;
    try {
      watcher = fsWatch(dirname(absolute), { persistent: false }, (_event, name) => {
        if (closed || (name !== null && name.toString() !== file)) return;
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          if (!closed) reload().catch(() => undefined); // already logged; the old policy stays active
        }, debounceMs);
      });
      watcher.on('error', (err) => {
        log.warn({ policy_path: absolute, err: err.message }, 'Policy file watcher stopped; restart or call reload() to pick up changes');
        watcher?.close();
        watcher = null;
      });
    } catch (err) {
      log.warn({ policy_path: absolute, err: (err as Error).message }, 'Cannot watch the policy file; hot reload is off');
      watcher = null;
    }
  }
  if (options.watch === true) startWatching();

  return {
    get path() {
      return absolute;
    },
    current: () => active,
    reload: (document?: TaggingPolicyDocument) => reload(document),
    switchTo: (newPath: string) => reload(undefined, resolve(newPath)),
    get watching() {
      return watcher !== null;
    },
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      watcher?.close();
      watcher = null;
    },
  };
}

function logLoaded(log: PolicyStoreLogger, p: CompiledPolicy, path: string, what: string): void {
  log.info({ policy_path: path, policy_hash: p.hash, policy_version: p.version, in_scope_types: p.applicableTypes.length }, `Tagging policy ${what}`);
  for (const w of p.warnings) log.warn({ policy_path: path }, `Tagging policy: ${w}`);
}
