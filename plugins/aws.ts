/**
 * 'aws': decorates `app.aws` with the AwsGateway (real SDK v3 behind one interface), built from
 * `app.config.aws` and `app.config.multi_account`. Tests may inject a gateway through the
 * plugin options. The gateway the plugin built is closed in onClose (sockets, clients).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { createAwsGateway } from '../src/aws/create-gateway.js';
import type { AwsGateway } from '../src/aws/gateway.js';

declare module 'fastify' {
  interface FastifyInstance {
    aws: AwsGateway;
  }
}

export interface AwsPluginOptions {
  /** Use this gateway instead of building one (tests). The caller keeps ownership unless `closeInjected`. */
  gateway?: AwsGateway;
  /** Close the injected gateway in onClose too (default false). */
  closeInjected?: boolean;
  /** Clock for credential expiry (tests against the simulator pass its clock). */
  now?: () => Date;
}

const awsPlugin: FastifyPluginAsync<AwsPluginOptions> = async (app, opts) => {
  const gateway =
    opts.gateway ??
    createAwsGateway({
      aws: app.config.aws,
      multiAccount: app.config.multi_account,
      logger: app.log,
      ...(opts.now === undefined ? {} : { now: opts.now }),
    });
  app.decorate('aws', gateway);
  if (opts.gateway === undefined || opts.closeInjected === true) {
    app.addHook('onClose', async () => {
      await gateway.close();
    });
  }
};

export default fp(awsPlugin, { name: 'aws', fastify: '5.x', dependencies: ['config'] });
