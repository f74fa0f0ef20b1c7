/** ARNs of simulated resources, in the exact shapes AWS uses for each registry type. */
import type { SimResource } from './types.js';

export function resourceArn(r: SimResource, accountId: string, partition = 'aws'): string {
  if (r.arn !== undefined) return r.arn;
  const p = `arn:${partition}`;
  const reg = r.region;
  switch (r.type) {
    case 'ec2:instance':
      return `${p}:ec2:${reg}:${accountId}:instance/${r.id}`;
    case 'ec2:volume':
      return `${p}:ec2:${reg}:${accountId}:volume/${r.id}`;
    case 'ec2:snapshot':
      return `${p}:ec2:${reg}::snapshot/${r.id}`;
    case 'ec2:elastic-ip':
      return `${p}:ec2:${reg}:${accountId}:elastic-ip/${r.id}`;
    case 'ec2:natgateway':
      return `${p}:ec2:${reg}:${accountId}:natgateway/${r.id}`;
    case 'rds:db':
      return `${p}:rds:${reg}:${accountId}:db:${r.id}`;
    case 'rds:cluster':
      return `${p}:rds:${reg}:${accountId}:cluster:${r.id}`;
    case 's3:bucket':
      return `${p}:s3:::${r.id}`;
    case 'lambda:function':
      return `${p}:lambda:${reg}:${accountId}:function:${r.id}`;
    case 'dynamodb:table':
      return `${p}:dynamodb:${reg}:${accountId}:table/${r.id}`;
    case 'ecs:cluster':
      return `${p}:ecs:${reg}:${accountId}:cluster/${r.id}`;
    case 'ecs:service':
      return `${p}:ecs:${reg}:${accountId}:service/${r.id}`;
    case 'eks:cluster':
      return `${p}:eks:${reg}:${accountId}:cluster/${r.id}`;
    case 'elasticache:cluster':
      return `${p}:elasticache:${reg}:${accountId}:cluster:${r.id}`;
    case 'opensearch:domain':
      return `${p}:es:${reg}:${accountId}:domain/${r.id}`;
    case 'elasticloadbalancing:loadbalancer':
      return `${p}:elasticloadbalancing:${reg}:${accountId}:loadbalancer/app/${r.id}`;
    case 'redshift:cluster':
      return `${p}:redshift:${reg}:${accountId}:cluster:${r.id}`;
    case 'sagemaker:endpoint':
      return `${p}:sagemaker:${reg}:${accountId}:endpoint/${r.id}`;
    case 'kinesis:stream':
      return `${p}:kinesis:${reg}:${accountId}:stream/${r.id}`;
    case 'secretsmanager:secret':
      return `${p}:secretsmanager:${reg}:${accountId}:secret:${r.id}`;
    case 'cloudfront:distribution':
      return `${p}:cloudfront::${accountId}:distribution/${r.id}`;
    case 'route53:hostedzone':
      return `${p}:route53:::hostedzone/${r.id}`;
    default: {
      const [service = 'unknown', kind = 'resource'] = r.type.split(':');
      return `${p}:${service}:${reg}:${accountId}:${kind}/${r.id}`;
    }
  }
}
