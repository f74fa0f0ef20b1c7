/**
 * ARN parsing and mapping to registry types (through each type's Tagging API filter
 * `service:resource`), so adding a registry row is enough for new ARNs to be recognised.
 */
import { RESOURCE_TYPES } from '../../aws/registry.js';

export interface ParsedArn {
  partition: string;
  service: string;
  /** Empty for global services (S3, IAM, CloudFront, Route 53). */
  region: string;
  /** Empty for S3 buckets. */
  account_id: string;
  /** Everything after the fifth colon. */
  resource: string;
  /** `instance` in `instance/i-1`, `db` in `db:name`; empty when the resource has no type prefix. */
  resource_kind: string;
  /** The last id part (`i-1`, `name`). */
  resource_id: string;
}

/** Parse an ARN; null when the text is not an ARN. */
export function parseArn(arn: string): ParsedArn | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const [, partition = '', service = '', region = '', account_id = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!/^aws(-[a-z]+)*$/.test(partition) || !/^[a-z0-9-]+$/.test(service) || resource === '') return null;
  if (region !== '' && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return null;
  if (account_id !== '' && !/^\d{12}$/.test(account_id)) return null;
  const m = /^([^/:]+)[/:](.+)$/.exec(resource);
  const resource_kind = m?.[1] ?? '';
  const rest = m?.[2] ?? resource;
  const resource_id = rest.split(/[/:]/).pop() ?? rest;
  return { partition, service, region, account_id, resource, resource_kind, resource_id };
}

/** Registry type of an ARN, or null when no registry type matches. */
export function typeOfArn(arn: ParsedArn): string | null {
  for (const t of RESOURCE_TYPES) {
    const [service, kind] = t.tagging_filter.split(':');
    if (service !== arn.service) continue;
    if (kind === undefined) {
      // Service-wide filter (S3): the resource is the bucket name, no kind prefix.
      if (arn.service === 's3' && !arn.resource.includes('/')) return t.name;
      continue;
    }
    if (kind === arn.resource_kind) return t.name;
  }
  return null;
}
