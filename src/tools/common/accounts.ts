/**
 * Multi-account sections of an answer (seed field names): account_metadata, account_breakdown
 * (with the account name added) and account_errors (why an account failed or was skipped).
 */
import type { Static } from 'typebox';
import type { AccountErrorSchema, AccountMetadataSchema, AccountSummarySchema } from './schemas.js';
import type { RunComplianceResult } from './run-compliance.js';
import type { ResolvedScope } from './scope.js';

export type AccountMetadataOut = Static<typeof AccountMetadataSchema>;
export type AccountSummaryOut = Static<typeof AccountSummarySchema>;
export type AccountErrorOut = Static<typeof AccountErrorSchema>;

export interface AccountSections {
  account_metadata: AccountMetadataOut;
  account_breakdown: Record<string, AccountSummaryOut>;
  account_errors: AccountErrorOut[];
}

export function accountSections(run: Pick<RunComplianceResult, 'inventory' | 'summary'>, scope: Pick<ResolvedScope, 'skipped' | 'accounts'>): AccountSections {
  const { inventory, summary } = run;
  const outcomes = new Map(inventory.accounts.map((o) => [o.account_id, o]));
  const breakdown: Record<string, AccountSummaryOut> = {};
  for (const [id, b] of Object.entries(summary.account_breakdown)) {
    const o = outcomes.get(id);
    const info = scope.accounts.find((a) => a.account_id === id);
    breakdown[id] = {
      account_id: id,
      account_alias: b.account_alias ?? o?.account_alias ?? info?.alias ?? null,
      account_name: o?.account_name ?? info?.name ?? null,
      total_resources: b.total_resources,
      compliant_resources: b.compliant_resources,
      compliance_score: b.compliance_score,
      violation_count: b.violation_count,
      cost_attribution_gap: b.cost_attribution_gap,
    };
  }
  const errors: AccountErrorOut[] = [];
  for (const o of inventory.accounts) {
    if (o.status === 'succeeded' || o.error === null) continue;
    errors.push({ account_id: o.account_id, status: o.status, code: o.error.code, message: o.error.message, role_arn: o.error.role_arn, duration_ms: Math.max(0, Math.round(o.duration_ms)) });
  }
  for (const s of scope.skipped) {
    if (!errors.some((e) => e.account_id === s.account_id)) {
      errors.push({ account_id: s.account_id, status: 'skipped', code: 'Skipped', message: s.reason, role_arn: null, duration_ms: 0 });
    }
  }
  errors.sort((a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0));
  const m = summary.account_metadata;
  return {
    account_metadata: {
      total_accounts: m.total_accounts,
      successful_accounts: [...m.successful_accounts],
      failed_accounts: [...m.failed_accounts],
      skipped_accounts: [...m.skipped_accounts],
      partial_accounts: inventory.accounts.filter((o) => o.status === 'partial').map((o) => o.account_id).sort(),
    },
    account_breakdown: breakdown,
    account_errors: errors,
  };
}
