/** 'config': decorates `app.config` with the validated AppConfig every other plugin reads. */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { AppConfig } from '../src/config/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
  }
}

export interface ConfigPluginOptions {
  config: AppConfig;
}

const configPlugin: FastifyPluginAsync<ConfigPluginOptions> = async (app, opts) => {
  app.decorate('config', opts.config);
};

export default fp(configPlugin, { name: 'config', fastify: '5.x' });
