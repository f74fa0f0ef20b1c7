/**
 * list_accounts: the accounts the server can scan, so an assistant can map "prod" to an id.
 */
import Type, { type Static } from 'typebox';
import { NullableString } from './common/schemas.js';
import { defineTool } from './types.js';

const Input = Type.Object(
  { include_inactive: Type.Optional(Type.Boolean({ default: true, description: 'Include suspended / closing accounts (they are never scanned).' })) },
  { additionalProperties: false },
);

const AccountSchema = Type.Object(
  {
    account_id: Type.String(),
    name: NullableString,
    alias: NullableString,
    ou: NullableString,
    status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('SUSPENDED'), Type.Literal('PENDING_CLOSURE'), Type.Literal('UNKNOWN')]),
    is_local: Type.Boolean({ description: 'The server\'s own account (scanned without AssumeRole; the default when account_ids is omitted).' }),
    scannable: Type.Boolean({ description: 'ACTIVE accounts are scanned; others are skipped.' }),
    last_assume_role: Type.Union(
      [Type.Object({ ok: Type.Boolean(), at: Type.String(), error: NullableString }, { additionalProperties: false }), Type.Null()],
      { description: 'Outcome of the last credential attempt (null: not tried yet, or the local account).' },
    ),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    multi_account_enabled: Type.Boolean(),
    total_accounts: Type.Integer({ minimum: 0 }),
    accounts: Type.Array(AccountSchema),
    note: Type.String(),
  },
  { additionalProperties: false },
);

/** Suspended or closing accounts are skipped by scans; every other listed account is scanned
 * (accounts from a static list have status UNKNOWN until Organizations says otherwise). */
function isScannable(status: string): boolean {
  return status !== 'SUSPENDED' && status !== 'PENDING_CLOSURE';
}

export const listAccounts = defineTool({
  name: 'list_accounts',
  title: 'List accounts',
  description: [
    'Lists the AWS accounts this server can scan: account_id, name, alias, organizational unit (ou), status, is_local (the server\'s own account) and the outcome of the last AssumeRole into it (last_assume_role: ok, at, error).',
    'Call it to turn a name a user says ("prod", "staging") into account ids for the account_ids argument of other tools, or to see why an account fails (e.g. its role cannot be assumed). Names and aliases are also accepted directly by account_ids.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  annotations: { title: 'List accounts', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  scans: false,
  examples: [{}, { include_inactive: false }],
  async handler(ctx, input) {
    const allowed = ctx.principal.allowed_accounts;
    const all = await ctx.accounts.list(ctx.signal);
    const accounts: Static<typeof AccountSchema>[] = all
      .filter((a) => allowed === null || allowed.includes(a.account_id))
      .filter((a) => input.include_inactive !== false || isScannable(a.status))
      .sort((a, b) => Number(b.is_local) - Number(a.is_local) || (a.account_id < b.account_id ? -1 : 1))
      .map((a) => ({
        account_id: a.account_id,
        name: a.name,
        alias: a.alias,
        ou: a.ou,
        status: a.status,
        is_local: a.is_local,
        scannable: isScannable(a.status),
        last_assume_role: ctx.accounts.lastAssumeRole(a.account_id),
      }));
    const hidden = all.length - accounts.length;
    const failing = accounts.filter((a) => a.last_assume_role?.ok === false).length;
    const notes = [`${accounts.length} account(s).`];
    if (!ctx.accounts.multiAccountEnabled) notes.push('Multi-account scanning is disabled on this server: only the local account is scanned.');
    if (failing > 0) notes.push(`${failing} account(s) failed their last AssumeRole (see last_assume_role.error).`);
    if (hidden > 0) notes.push(`${hidden} account(s) not shown (inactive or outside what you may scan).`);
    return { multi_account_enabled: ctx.accounts.multiAccountEnabled, total_accounts: accounts.length, accounts, note: notes.join(' ') };
  },
});
