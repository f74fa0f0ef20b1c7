/**
 * c7n-org `accounts.yml` from the accounts this server knows (configured or discovered), with
 * the member-account role built from the same ARN template the scanner uses, and the commands to
 * run the generated policies with `custodian` or `c7n-org`.
 */
import { stringify } from 'yaml';
import { roleArnFromTemplate } from '../aws/credentials.js';
import type { AccountInfo } from '../core/types.js';
import { YAML_OPTIONS } from './custodian-policy.js';

export interface RoleSettings {
  role_name: string;
  role_arn_template: string;
  external_id: string | null;
}

export interface OrgAccountEntry {
  account_id: string;
  name: string;
  /** Absent for the server's own account: c7n-org then uses the credentials it runs with. */
  role?: string;
  external_id?: string;
  regions?: string[];
  tags: string[];
}

/** c7n-org account names: letters, digits, `-` and `_` (they name output folders). */
function accountName(a: AccountInfo): string {
  const raw = a.name ?? a.alias ?? a.account_id;
  const cleaned = raw.trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned === '' ? a.account_id : cleaned;
}

export function buildAccountsFile(accounts: readonly AccountInfo[], role: RoleSettings, regions: readonly string[] | null): { yaml: string; entries: OrgAccountEntry[] } {
  const used = new Map<string, number>();
  const entries = accounts.map((a) => {
    let name = accountName(a);
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    if (seen > 0) name = `${name}-${a.account_id}`;
    const entry: OrgAccountEntry = { account_id: a.account_id, name, tags: [] };
    if (!a.is_local) {
      entry.role = roleArnFromTemplate(role.role_arn_template, a.account_id, role.role_name);
      if (role.external_id !== null) entry.external_id = role.external_id;
    }
    if (regions !== null && regions.length > 0) entry.regions = [...regions];
    if (a.ou !== null) entry.tags.push(`ou:${a.ou}`);
    entry.tags.push(a.is_local ? 'role:management' : 'role:member');
    if (a.alias !== null && a.alias !== name) entry.tags.push(`alias:${a.alias}`);
    return entry;
  });
  return { yaml: stringify({ accounts: entries }, YAML_OPTIONS), entries };
}

export interface Commands {
  validate: string;
  preview: string;
  run: string;
  org_preview?: string;
  org_run?: string;
}

export function runCommands(policyFile: string, accountsFile: string | null, regions: readonly string[] | null): Commands {
  const regionArgs = regions === null || regions.length === 0 ? '--region all' : regions.map((r) => `--region ${r}`).join(' ');
  const out: Commands = {
    validate: `custodian validate ${policyFile}`,
    preview: `custodian run --dryrun ${regionArgs} -s output ${policyFile}`,
    run: `custodian run ${regionArgs} -s output ${policyFile}`,
  };
  if (accountsFile !== null) {
    const orgRegions = regions === null || regions.length === 0 ? ' --region all' : '';
    out.org_preview = `c7n-org run --dryrun -c ${accountsFile} -s output${orgRegions} -u ${policyFile}`;
    out.org_run = `c7n-org run -c ${accountsFile} -s output${orgRegions} -u ${policyFile}`;
  }
  return out;
}
