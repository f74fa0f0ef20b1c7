/**
 * compare_accounts: side-by-side compliance of two or more accounts and where they differ most.
 */
import Type, { type Static } from 'typebox';
import { UserError } from '../core/errors.js';
import { accountSections } from './common/accounts.js';
import { runCompliance } from './common/run-compliance.js';
import { AccountErrorSchema, AccountIdsInput, AccountMetadataSchema, CountsByKey, DataQualitySchema, ForceRefreshInput, NullableString, RegionsInput, ResourceTypesInput } from './common/schemas.js';
import { resolveScope } from './common/scope.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  {
    account_ids: Type.Array(AccountIdsInput.items, { minItems: 1, maxItems: 200, description: 'Two or more accounts (ids, names or aliases), or ["all"].' }),
    resource_types: Type.Optional(ResourceTypesInput),
    regions: Type.Optional(RegionsInput),
    force_refresh: Type.Optional(ForceRefreshInput),
  },
  { additionalProperties: false },
);

const AccountColumn = Type.Object(
  {
    account_id: Type.String(),
    account_name: NullableString,
    account_alias: NullableString,
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('partial')]),
    compliance_score: Type.Number({ minimum: 0, maximum: 1 }),
    total_resources: Type.Integer({ minimum: 0 }),
    compliant_resources: Type.Integer({ minimum: 0 }),
    violation_count: Type.Integer({ minimum: 0 }),
    violations_by_tag: CountsByKey,
    violations_by_type: CountsByKey,
    cost_attribution_gap: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    accounts: Type.Array(AccountColumn, { description: 'One column per account that was read, best compliance_score first.' }),
    biggest_differences: Type.Object(
      {
        score_gaps: Type.Array(
          Type.Object(
            { higher_account: Type.String(), lower_account: Type.String(), higher_score: Type.Number(), lower_score: Type.Number(), difference: Type.Number() },
            { additionalProperties: false },
          ),
          { description: 'Account pairs with the largest compliance_score difference (up to 5).' },
        ),
        tag_differences: Type.Array(
          Type.Object(
            { tag_name: Type.String(), counts: CountsByKey, most: Type.String(), least: Type.String(), spread: Type.Integer({ minimum: 0 }) },
            { additionalProperties: false },
          ),
          { description: 'Tags whose violation counts differ most between accounts (up to 5).' },
        ),
      },
      { additionalProperties: false },
    ),
    account_metadata: AccountMetadataSchema,
    account_errors: Type.Array(AccountErrorSchema),
    scan_timestamp: Type.String(),
    data_quality: DataQualitySchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

type Column = Static<typeof AccountColumn>;

export const compareAccounts = defineTool({
  name: 'compare_accounts',
  title: 'Compare accounts',
  description: [
    'Compares tag compliance of two or more AWS accounts side by side: per account compliance_score, total/compliant resources, violation_count, violations_by_tag, violations_by_type and cost_attribution_gap (monthly USD on non-compliant resources).',
    'biggest_differences lists the account pairs with the largest score gaps and the tags whose violation counts differ most — use it for "why is staging worse than prod" or "which team account needs attention".',
    'account_ids takes ids, names, aliases (see list_accounts) or ["all"]. Accounts that could not be read are in account_metadata.failed_accounts and account_errors; data_quality says whether every cell was read.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'Compare accounts', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: true,
  examples: [{ account_ids: ['production', 'staging'] }, { account_ids: ['all'], resource_types: ['ec2:instance', 'rds:db'], regions: ['us-east-1'] }],
  async handler(ctx, input) {
    const scope = await resolveScope(ctx, input);
    const wantsAll = input.account_ids.some((a) => a.toLowerCase() === 'all');
    const asked = (scope.account_ids?.length ?? 0) + scope.skipped.length;
    if (!wantsAll && asked < 2) throw new UserError('compare_accounts needs at least two different accounts: account_ids resolved to a single account.', { field: '/account_ids' });
    const run = await runCompliance(ctx, { scope, force_refresh: input.force_refresh ?? false });
    const sections = accountSections(run, scope);

    const byTag = new Map<string, Record<string, number>>();
    const byType = new Map<string, Record<string, number>>();
    for (const v of run.violations) {
      const t = byTag.get(v.account_id) ?? {};
      t[v.tag_name] = (t[v.tag_name] ?? 0) + 1;
      byTag.set(v.account_id, t);
      const y = byType.get(v.account_id) ?? {};
      y[v.violation_type] = (y[v.violation_type] ?? 0) + 1;
      byType.set(v.account_id, y);
    }
    const sortKeys = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const status = new Map(run.inventory.accounts.map((a) => [a.account_id, a.status]));
    const columns: Column[] = Object.values(sections.account_breakdown)
      .map((b) => ({
        account_id: b.account_id,
        account_name: b.account_name,
        account_alias: b.account_alias,
        status: status.get(b.account_id) === 'partial' ? ('partial' as const) : ('succeeded' as const),
        compliance_score: b.compliance_score,
        total_resources: b.total_resources,
        compliant_resources: b.compliant_resources,
        violation_count: b.violation_count,
        violations_by_tag: sortKeys(byTag.get(b.account_id) ?? {}),
        violations_by_type: sortKeys(byType.get(b.account_id) ?? {}),
        cost_attribution_gap: b.cost_attribution_gap,
      }))
      .sort((a, b) => b.compliance_score - a.compliance_score || (a.account_id < b.account_id ? -1 : 1));

    const gaps: Static<typeof Output>['biggest_differences']['score_gaps'] = [];
    for (let i = 0; i < columns.length; i++) {
      for (let j = i + 1; j < columns.length; j++) {
        const hi = columns[i];
        const lo = columns[j];
        if (hi === undefined || lo === undefined) continue;
        const difference = Math.round((hi.compliance_score - lo.compliance_score) * 10_000) / 10_000;
        if (difference > 0) gaps.push({ higher_account: hi.account_id, lower_account: lo.account_id, higher_score: hi.compliance_score, lower_score: lo.compliance_score, difference });
      }
    }
    gaps.sort((a, b) => b.difference - a.difference || (a.higher_account + a.lower_account < b.higher_account + b.lower_account ? -1 : 1));

    const tagNames = [...new Set(run.violations.map((v) => v.tag_name))].sort();
    const tagDiffs = tagNames
      .map((tag_name) => {
        const counts: Record<string, number> = {};
        for (const c of columns) counts[c.account_id] = c.violations_by_tag[tag_name] ?? 0;
        const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
        const most = entries[0];
        const least = entries[entries.length - 1];
        return { tag_name, counts, most: most?.[0] ?? '', least: least?.[0] ?? '', spread: (most?.[1] ?? 0) - (least?.[1] ?? 0) };
      })
      .filter((d) => d.spread > 0)
      .sort((a, b) => b.spread - a.spread || (a.tag_name < b.tag_name ? -1 : 1))
      .slice(0, 5);

    const notes: string[] = [];
    if (columns.length < 2) notes.push(`Only ${columns.length} account(s) could be read, so there is nothing to compare; see account_errors.`);
    else {
      const best = columns[0];
      const worst = columns[columns.length - 1];
      if (best !== undefined && worst !== undefined) notes.push(`Best: ${best.account_alias ?? best.account_id} (${best.compliance_score}); worst: ${worst.account_alias ?? worst.account_id} (${worst.compliance_score}).`);
    }
    if (sections.account_metadata.failed_accounts.length > 0) notes.push(`${sections.account_metadata.failed_accounts.length} account(s) could not be read and are not compared.`);
    if (run.data_quality.status === 'partial') notes.push('Data is partial (see data_quality.failed).');
    return {
      accounts: columns,
      biggest_differences: { score_gaps: gaps.slice(0, 5), tag_differences: tagDiffs },
      account_metadata: sections.account_metadata,
      account_errors: sections.account_errors,
      scan_timestamp: run.inventory.scanned_at,
      data_quality: run.data_quality,
      note: notes.join(' '),
    };
  },
});
