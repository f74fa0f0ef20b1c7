/**
 * Which accounts the server may scan, and how names map to ids. Static mode: AWS_ACCOUNT_IDS
 * minus AWS_ACCOUNTS_EXCLUDE plus the server's own account. Discovery mode: the Organization's
 * accounts (optionally below given OUs), cached for ACCOUNT_DISCOVERY_TTL_SECONDS.
 * Resolution happens before any AssumeRole: nothing outside this set is ever assumed into.
 */
import type { AwsGateway } from '../aws/gateway.js';
import { UserError } from '../core/errors.js';
import type { AccountInfo } from '../core/types.js';
import type { AppConfig } from '../config/types.js';
import type { ResultCache } from '../cache/types.js';
import { accountsKey } from '../cache/keys.js';
import type { AssumeRoleRecorder, ServiceLogger } from '../scan/deps.js';
import type { AccountDirectory } from '../scan/types.js';
import { resolveNames, type DirectoryEntry } from './resolve.js';

export interface AccountDirectoryDeps {
  gateway: AwsGateway;
  cache: ResultCache;
  config: AppConfig;
  logger: ServiceLogger;
  now?: () => Date;
}

export interface ManagedAccountDirectory extends AccountDirectory, AssumeRoleRecorder {
  /** Forget the discovered account list (next call asks Organizations again). */
  refresh(): Promise<void>;
}

const EXCLUDED = 'excluded by AWS_ACCOUNTS_EXCLUDE';

export function createAccountDirectory(deps: AccountDirectoryDeps): ManagedAccountDirectory {
  const { gateway, cache, config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const ma = config.multi_account;
  const exclude = new Set(ma.exclude);
  const assumeRole = new Map<string, { ok: boolean; at: string; error: string | null }>();
  /** Aliases learned while scanning (IAM ListAccountAliases in each account). */
  const aliases = new Map<string, string>();
  const ous = [...new Set(ma.organization_unit_ids)].sort();
  const scopeKey = accountsKey(ous.length === 0 ? 'org' : `ou=${ous.join(',')}`);

  function localInfo(id: string): AccountInfo {
    return { account_id: id, name: null, alias: null, ou: null, status: 'ACTIVE', is_local: true };
  }

  /** Every known account with the reason it cannot be scanned (null: scannable). */
  async function entries(signal: AbortSignal): Promise<DirectoryEntry[]> {
    const local = await gateway.localAccountId(signal);
    if (!ma.enabled) return [{ info: { ...localInfo(local), alias: aliases.get(local) ?? null }, skip: null }];

    let members: AccountInfo[];
    if (ma.discovery === 'organizations') {
      const loaded = await cache.getOrLoad(scopeKey, ma.discovery_ttl_seconds, (s) => gateway.listOrganizationAccounts(s, ous.length === 0 ? undefined : ous), { signal });
      if (loaded.source !== 'cache') logger.info({ accounts: loaded.value.length, organization_unit_ids: ous }, 'organization accounts discovered');
      members = loaded.value;
    } else {
      members = ma.account_ids.map((account_id) => ({ account_id, name: null, alias: null, ou: null, status: 'UNKNOWN' as const, is_local: false }));
    }

    const out: DirectoryEntry[] = [];
    const seen = new Set<string>();
    for (const m of members) {
      if (seen.has(m.account_id)) continue;
      seen.add(m.account_id);
      const isLocal = m.account_id === local;
      const info: AccountInfo = { ...m, alias: aliases.get(m.account_id) ?? m.alias, is_local: isLocal, status: isLocal && m.status === 'UNKNOWN' ? 'ACTIVE' : m.status };
      const skip = exclude.has(m.account_id) && !isLocal ? EXCLUDED : m.status === 'SUSPENDED' || m.status === 'PENDING_CLOSURE' ? `account is ${m.status}` : null;
      out.push({ info, skip });
    }
    if (!seen.has(local)) out.unshift({ info: { ...localInfo(local), alias: aliases.get(local) ?? null }, skip: null });
    return out;
  }

  return {
    multiAccountEnabled: ma.enabled,

    async list(signal) {
      return (await entries(signal)).filter((e) => e.skip !== EXCLUDED).map((e) => e.info);
    },

    async resolve(names, signal) {
      const all = await entries(signal);
      return resolveNames(names, all, ma.enabled);
    },

    lastAssumeRole(accountId) {
      return assumeRole.get(accountId) ?? null;
    },

    recordAssumeRole(accountId, ok, error) {
      assumeRole.set(accountId, { ok, at: now().toISOString(), error: ok ? null : error });
    },

    recordAlias(accountId, alias) {
      if (alias === null) aliases.delete(accountId);
      else aliases.set(accountId, alias);
    },

    async refresh() {
      await cache.delete(scopeKey);
    },
  };
}
