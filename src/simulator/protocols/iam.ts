/** IAM (query protocol): ListAccountAliases. */
import type { CallContext } from '../context.js';
import { SimError, xmlResponse, type WireResponse } from '../errors.js';
import { el } from '../xml.js';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function handleIam(ctx: CallContext, action: string): WireResponse {
  if (action !== 'ListAccountAliases') throw new SimError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
  const alias = ctx.caller.account.alias;
  const members = alias === undefined ? '' : el('member', alias);
  return xmlResponse(
    `<ListAccountAliasesResponse xmlns="${NS}"><ListAccountAliasesResult><AccountAliases>${members}</AccountAliases>` +
      `<IsTruncated>false</IsTruncated></ListAccountAliasesResult><ResponseMetadata>${el('RequestId', ctx.requestId)}</ResponseMetadata></ListAccountAliasesResponse>`,
  );
}
