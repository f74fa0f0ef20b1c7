/**
 * AWS resource-type names of `enforced_for` / `report_required_tag_for` → this server's
 * registry types (src/aws/registry.ts). AWS writes `service:type` (`ec2:instance`,
 * `s3:bucket`, `es:domain`), or a whole service as `service:ALL_SUPPORTED` or `service:*`.
 * A name matches a registry row by its name or by its Tagging-API filter (`es:domain` is our
 * `opensearch:domain`); a service matches every row of that service. Names with no match are
 * returned in `unknown` so the caller can report them.
 */
import { RESOURCE_TYPES } from '../../aws/registry.js';

function serviceOf(name: string): string {
  const i = name.indexOf(':');
  return (i === -1 ? name : name.slice(0, i)).toLowerCase();
}

export interface MappedTypes {
  /** Registry types, in registry order, without duplicates. */
  types: string[];
  /** AWS names that match no supported type. */
  unknown: string[];
}

export function mapAwsResourceTypes(awsTypes: readonly string[]): MappedTypes {
  const found = new Set<string>();
  const unknown: string[] = [];
  for (const raw of awsTypes) {
    const name = raw.trim().toLowerCase();
    const whole = /^([a-z0-9-]+):(\*|all_supported)$/.exec(name);
    const matches = RESOURCE_TYPES.filter((t) =>
      whole !== null
        ? serviceOf(t.name) === whole[1] || serviceOf(t.tagging_filter) === whole[1]
        : t.name === name || t.tagging_filter.toLowerCase() === name,
    );
    if (matches.length === 0) unknown.push(raw);
    for (const m of matches) found.add(m.name);
  }
  return { types: RESOURCE_TYPES.map((t) => t.name).filter((n) => found.has(n)), unknown };
}
