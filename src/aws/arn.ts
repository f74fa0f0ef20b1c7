/** Partition-aware ARN helpers (pure). */

/** The partition a region belongs to: aws, aws-us-gov, aws-cn, aws-iso, aws-iso-b. */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The region that serves a partition's global APIs (Cost Explorer, Organizations, CloudFront, Route 53 tagging). */
export function globalRegionOf(partition: string): string {
  switch (partition) {
    case 'aws-us-gov': return 'us-gov-west-1';
    case 'aws-cn': return 'cn-northwest-1';
    case 'aws-iso': return 'us-iso-east-1';
    case 'aws-iso-b': return 'us-isob-east-1';
    default: return 'us-east-1';
  }
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account field, e.g. `function:name`, `table/name`. */
  resource: string;
}

export function parseArn(arn: string): ParsedArn | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** The short id inside an ARN's resource part: `function:f` → `f`, `table/t` → `t`,
 * `service/cluster/svc` → `cluster/svc`, `my-bucket` → `my-bucket`. */
export function resourceIdOf(resource: string): string {
  const cut = resource.search(/[:/]/);
  return cut === -1 ? resource : resource.slice(cut + 1);
}

export function ec2Arn(partition: string, region: string, account: string, kind: string, id: string): string {
  return `arn:${partition}:ec2:${region}:${account}:${kind}/${id}`;
}
