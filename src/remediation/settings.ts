/**
 * Server settings the remediation tools need: the member-account role (name, ARN template,
 * external id), the home region and the regions the scanner is limited to. They come from the
 * app configuration when the tool context carries it (`ctx.config`); otherwise from the
 * configuration defaults, and the tools say so in their notes.
 */
import { loadConfig } from '../config/index.js';
import type { AppConfig } from '../config/types.js';
import type { ToolContext } from '../tools/types.js';

export interface RemediationSettings {
  role_name: string;
  role_arn_template: string;
  external_id: string | null;
  home_region: string;
  allowed_regions: string[] | null;
  /** False when the defaults were used because the context had no configuration. */
  from_server_config: boolean;
}

function isAppConfig(value: unknown): value is AppConfig {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { multi_account?: unknown; aws?: unknown };
  return typeof v.multi_account === 'object' && v.multi_account !== null && typeof v.aws === 'object' && v.aws !== null;
}

let defaults: AppConfig | null = null;

export function remediationSettings(ctx: ToolContext): RemediationSettings {
  const carried = (ctx as unknown as { config?: unknown }).config;
  const fromServer = isAppConfig(carried);
  const config = fromServer ? carried : (defaults ??= loadConfig({}));
  return {
    role_name: config.multi_account.role_name,
    role_arn_template: config.multi_account.role_arn_template,
    external_id: config.multi_account.external_id,
    home_region: config.aws.region,
    allowed_regions: config.aws.allowed_regions === null ? null : [...config.aws.allowed_regions],
    from_server_config: fromServer,
  };
}
