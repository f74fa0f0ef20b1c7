/**
 * 'policy': loads the tagging policy at `app.config.policy_path` (POLICY_PATH) at start-up and
 * decorates `app.policyStore`. An invalid policy stops start-up with the PolicyError message
 * (which names the field). With `watch` (default true) edits to the file are hot-reloaded; an
 * invalid edit is logged and the previous policy stays active. The watcher is closed onClose.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { createPolicyStore } from '../src/policy/store.js';
import type { PolicyStore } from '../src/policy/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    policyStore: PolicyStore;
  }
}

export interface PolicyPluginOptions {
  /** Hot-reload the file when it changes. Default true. */
  watch?: boolean;
  /** Debounce for hot reload, default 250 ms. */
  debounceMs?: number;
}

const policyPlugin: FastifyPluginAsync<PolicyPluginOptions> = async (app, opts) => {
  const store = await createPolicyStore(app.config.policy_path, {
    watch: opts.watch ?? true,
    ...(opts.debounceMs === undefined ? {} : { debounceMs: opts.debounceMs }),
    logger: app.log,
  });
  app.decorate('policyStore', store);
  app.addHook('onClose', async () => {
    store.close();
  });
};

export default fp(policyPlugin, { name: 'policy', fastify: '5.x', dependencies: ['config'] });
