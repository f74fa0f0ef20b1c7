/**
 * 'scan': the account directory, the inventory service (scan orchestrator) and the cost service,
 * built once over the AWS gateway ('aws') and the result cache ('result-cache').
 * Decorates `app.accounts`, `app.inventory`, `app.costs`.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { AwsGateway } from '../src/aws/gateway.js';
import { createAccountDirectory, type ManagedAccountDirectory } from '../src/accounts/directory.js';
import { createCostService } from '../src/costs/service.js';
import { createInventoryService } from '../src/scan/orchestrator.js';
import type { CostService, InventoryService } from '../src/scan/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    accounts: ManagedAccountDirectory;
    inventory: InventoryService;
    costs: CostService;
  }
}

export interface ScanPluginOptions {
  /** Clock for durations and lastAssumeRole times (tests). */
  now?: () => Date;
}

const scanPlugin: FastifyPluginAsync<ScanPluginOptions> = async (app, opts) => {
  const clock = opts.now === undefined ? {} : { now: opts.now };
  const { config, resultCache: cache } = app;
  // The 'aws' plugin owns the gateway (and its typing); read it without depending on its module.
  const gateway = app.getDecorator<AwsGateway>('aws');
  const accounts = createAccountDirectory({ gateway, cache, config, logger: app.log.child({ component: 'accounts' }), ...clock });
  const inventory = createInventoryService({ gateway, cache, accounts, config, logger: app.log.child({ component: 'scan' }), ...clock });
  const costs = createCostService({ gateway, cache, config, logger: app.log.child({ component: 'costs' }) });
  app.decorate('accounts', accounts);
  app.decorate('inventory', inventory);
  app.decorate('costs', costs);
  app.log.info(
    {
      multi_account: config.multi_account.enabled,
      discovery: config.multi_account.discovery,
      configured_accounts: config.multi_account.account_ids.length,
      max_concurrent_accounts: config.multi_account.max_concurrent_accounts,
      account_scan_timeout_seconds: config.multi_account.account_scan_timeout_seconds,
    },
    config.multi_account.enabled ? 'multi-account services initialized' : 'single-account scanning initialized',
  );
  // The services hold no resources of their own: in-flight scans end with their requests' signals,
  // the cache and the gateway are closed by their own plugins.
};

export default fp(scanPlugin, { name: 'scan', fastify: '5.x', dependencies: ['config', 'aws', 'result-cache'] });
