/**
 * 'history': opens the compliance history store and decorates `app.history`. PostgreSQL when
 * `config.history.database_url` is set (HISTORY_DATABASE_URL: several replicas share it), else
 * SQLite at `config.history.db_path` (HISTORY_DB_PATH; `:memory:` for tests). Failing to reach
 * or open either stops start-up with a message naming the variable (never a password).
 * Snapshots older than `retention_days` are pruned at start and then daily (timer unref'd,
 * cleared on close). The store is closed onClose.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { createPostgresHistoryStore } from '../src/store/postgres.js';
import { createSqliteHistoryStore } from '../src/store/sqlite.js';
import type { HistoryStore } from '../src/store/types.js';
import { countingHistoryStore } from '../src/metrics/counting-history.js';

declare module 'fastify' {
  interface FastifyInstance {
    history: HistoryStore;
  }
}

export const DAY_MS = 86_400_000;

export interface HistoryPluginOptions {
  /** Use this store instead of opening one (it is still pruned and closed). */
  store?: HistoryStore;
  /** Clock (tests). */
  now?: () => Date;
  /** Prune interval, default one day. */
  pruneIntervalMs?: number;
}

/** The cutoff for a retention in days: snapshots taken before it are removed. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

const historyPlugin: FastifyPluginAsync<HistoryPluginOptions> = async (app, opts) => {
  const cfg = app.config.history;
  const store =
    opts.store ??
    (cfg.database_url !== null
      ? await createPostgresHistoryStore({ url: cfg.database_url, logger: app.log })
      : createSqliteHistoryStore({ path: cfg.db_path, logger: app.log }));
  const now = opts.now ?? (() => new Date());

  const prune = async (): Promise<void> => {
    const cutoff = retentionCutoff(now(), cfg.retention_days);
    const removed = await store.prune(cutoff);
    if (removed > 0) app.log.info({ removed, cutoff, retention_days: cfg.retention_days }, 'history snapshots pruned');
  };

  try {
    await prune();
  } catch (err) {
    await store.close();
    throw err;
  }
  const timer = setInterval(() => {
    prune().catch((err: unknown) => app.log.error({ err }, 'history prune failed'));
  }, opts.pruneIntervalMs ?? DAY_MS);
  timer.unref();

  app.decorate('history', countingHistoryStore(store));
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await store.close();
  });
};

export default fp(historyPlugin, { name: 'history', fastify: '5.x', dependencies: ['config'] });
