/** Resource Groups Tagging API (JSON 1.1): GetResources. Like AWS, never-tagged resources are omitted. */
import { getResourceType } from '../../aws/registry.js';
import { resourceArn } from '../arn.js';
import type { CallContext } from '../context.js';
import { SimError, jsonResponse, type WireResponse } from '../errors.js';
import { paginate } from '../paging.js';
import type { SimResource } from '../types.js';
import { optInt, optObjectArray, optString, optStringArray, tokenOffset, type JsonBody } from './json.js';

const INVALID = 'InvalidParameterException';

/** The Tagging API's `service:resourceType` for a simulated resource. */
export function taggingType(r: SimResource): string {
  return getResourceType(r.type)?.tagging_filter ?? r.type;
}

/** `ec2:instance` matches itself; a bare service (`s3`, `ec2`) matches all of that service's types. */
export function matchesTypeFilter(r: SimResource, filters: string[]): boolean {
  if (filters.length === 0) return true;
  const t = taggingType(r);
  const service = t.split(':')[0];
  return filters.some((f) => f === t || f === service);
}

/** Whether the Tagging API knows the resource: it has tags now or had some once. */
export function everTagged(r: SimResource): boolean {
  return r.ever_tagged ?? Object.keys(r.tags).length > 0;
}

interface TagFilter {
  key: string;
  values: string[];
}

function readTagFilters(body: JsonBody): TagFilter[] {
  return (optObjectArray(body, 'TagFilters', INVALID) ?? []).map((f) => {
    const key = optString(f, 'Key', INVALID);
    if (key === undefined) throw new SimError(INVALID, 'TagFilters.Key is required');
    return { key, values: optStringArray(f, 'Values', INVALID) ?? [] };
  });
}

function getResources(ctx: CallContext, body: JsonBody): WireResponse {
  const perPage = optInt(body, 'ResourcesPerPage', INVALID);
  if (perPage !== undefined && (perPage < 1 || perPage > 100)) {
    throw new SimError(INVALID, 'ResourcesPerPage must be between 1 and 100');
  }
  const typeFilters = optStringArray(body, 'ResourceTypeFilters', INVALID) ?? [];
  const tagFilters = readTagFilters(body);
  const arnList = optStringArray(body, 'ResourceARNList', INVALID);
  if (arnList !== undefined && (typeFilters.length > 0 || tagFilters.length > 0)) {
    throw new SimError(INVALID, 'ResourceARNList cannot be combined with ResourceTypeFilters or TagFilters');
  }
  const acct = ctx.caller.account.id;
  const items = ctx.caller.account.resources.filter(
    (r) =>
      r.region === ctx.region &&
      everTagged(r) &&
      matchesTypeFilter(r, typeFilters) &&
      tagFilters.every((f) => {
        const v = r.tags[f.key];
        return v !== undefined && (f.values.length === 0 || f.values.includes(v));
      }) &&
      (arnList === undefined || arnList.includes(resourceArn(r, acct))),
  );
  const scope = `tagging:GetResources:${acct}:${ctx.region}:${JSON.stringify([typeFilters, tagFilters, arnList ?? null])}`;
  const offset = tokenOffset(scope, optString(body, 'PaginationToken', INVALID), () => new SimError(INVALID, 'Invalid PaginationToken'));
  const page = paginate(items, scope, offset, ctx.state.pageSize('tagging', 'GetResources', perPage, 100));
  return jsonResponse({
    PaginationToken: page.next ?? '',
    ResourceTagMappingList: page.items.map((r) => ({
      ResourceARN: resourceArn(r, acct),
      Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
    })),
  });
}

export function handleTagging(ctx: CallContext, operation: string, body: JsonBody): WireResponse {
  if (operation === 'GetResources') return getResources(ctx, body);
  throw new SimError('UnknownOperationException', `Unknown operation ${operation}`);
}
