/**
 * Types read through the Resource Groups Tagging API (GetResources, every page). This API only
 * sees resources that carry or once carried tags; DataQuality notes say so to the user.
 * Global types (CloudFront, Route 53) are read once, in the partition's global region.
 */
import { GetResourcesCommand, type ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { GLOBAL_REGION, type ResourceRecord } from '../../core/types.js';
import { getResourceType } from '../registry.js';
import { globalRegionOf, parseArn, resourceIdOf } from '../arn.js';
import { drainPages, tagsFromList, unknownType, type Lister, type ListerContext } from './types.js';

/** Every resource of the given filters in one region, all pages. */
export async function getAllTaggedResources(
  ctx: ListerContext,
  region: string,
  filters: string[],
  signal: AbortSignal,
  onPage: (mappings: ResourceTagMapping[]) => void,
): Promise<void> {
  const tagging = ctx.client('tagging', region);
  await drainPages(
    (PaginationToken) =>
      tagging.send(new GetResourcesCommand({ ResourceTypeFilters: filters, ResourcesPerPage: 100, ...(PaginationToken ? { PaginationToken } : {}) }), { abortSignal: signal }),
    (p) => p.PaginationToken,
    (p) => onPage(p.ResourceTagMappingList ?? []),
    { account_id: ctx.account_id, operation: 'tagging:GetResources' },
  );
}

export const listTagged: Lister = async (ctx, cell, signal, onPage) => {
  const info = getResourceType(cell.resource_type);
  if (info === undefined || info.lister !== 'tagging') throw unknownType(cell, 'Tagging API');
  const region = info.global ? globalRegionOf(ctx.partition) : cell.region;
  const out: ResourceRecord[] = [];
  await getAllTaggedResources(ctx, region, [info.tagging_filter], signal, (mappings) => {
    for (const m of mappings) {
      if (!m.ResourceARN) continue;
      const arn = parseArn(m.ResourceARN);
      const tags = tagsFromList(m.Tags);
      const id = arn === null ? m.ResourceARN : resourceIdOf(arn.resource);
      out.push({
        arn: m.ResourceARN,
        id,
        name: tags['Name'] ?? id.split('/').pop() ?? id,
        type: cell.resource_type,
        account_id: ctx.account_id,
        region: arn !== null && arn.region !== '' ? arn.region : info.global ? GLOBAL_REGION : cell.region,
        tags,
        created_at: null,
        attributes: {},
      });
    }
    onPage(out.length);
  });
  return out;
};
