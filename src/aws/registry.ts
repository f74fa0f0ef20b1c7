/**
 * The resource-type registry: one row per supported type. Everything that depends on the set of
 * types reads this table: policy validation (`applies_to`), the scanner (which lister, global or
 * regional), cost allocation (Cost Explorer service name) and the generated IAM policy.
 * Adding a type is one row here plus, at most, one lister.
 */

/** How a type is enumerated. Direct listers see never-tagged resources; `tagging` does not. */
export type ListerKind = 'ec2' | 'rds' | 's3' | 'tagging';

export interface ResourceTypeInfo {
  /** `service:resource`, as in policies and tool arguments. */
  name: string;
  /** Plain-language label for reports. */
  label: string;
  lister: ListerKind;
  /** Listed once per account (not per region). */
  global: boolean;
  /** Resource Groups Tagging API `ResourceTypeFilters` value for this type. */
  tagging_filter: string;
  /** Cost Explorer `SERVICE` dimension value the type's spend is reported under. */
  cost_service: string;
  /** IAM actions the lister calls (read-only). */
  iam_actions: string[];
}

const EC2_COMPUTE = 'Amazon Elastic Compute Cloud - Compute';
const EC2_OTHER = 'EC2 - Other';

function tagged(name: string, label: string, costService: string, filter = name, global = false): ResourceTypeInfo {
  return { name, label, lister: 'tagging', global, tagging_filter: filter, cost_service: costService, iam_actions: ['tag:GetResources'] };
}

export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  { name: 'ec2:instance', label: 'EC2 instance', lister: 'ec2', global: false, tagging_filter: 'ec2:instance', cost_service: EC2_COMPUTE, iam_actions: ['ec2:DescribeInstances'] },
  { name: 'ec2:volume', label: 'EBS volume', lister: 'ec2', global: false, tagging_filter: 'ec2:volume', cost_service: EC2_OTHER, iam_actions: ['ec2:DescribeVolumes'] },
  { name: 'ec2:snapshot', label: 'EBS snapshot', lister: 'ec2', global: false, tagging_filter: 'ec2:snapshot', cost_service: EC2_OTHER, iam_actions: ['ec2:DescribeSnapshots'] },
  { name: 'ec2:elastic-ip', label: 'Elastic IP', lister: 'ec2', global: false, tagging_filter: 'ec2:elastic-ip', cost_service: EC2_OTHER, iam_actions: ['ec2:DescribeAddresses'] },
  { name: 'ec2:natgateway', label: 'NAT gateway', lister: 'ec2', global: false, tagging_filter: 'ec2:natgateway', cost_service: EC2_OTHER, iam_actions: ['ec2:DescribeNatGateways'] },
  { name: 'rds:db', label: 'RDS DB instance', lister: 'rds', global: false, tagging_filter: 'rds:db', cost_service: 'Amazon Relational Database Service', iam_actions: ['rds:DescribeDBInstances'] },
  { name: 'rds:cluster', label: 'RDS DB cluster', lister: 'rds', global: false, tagging_filter: 'rds:cluster', cost_service: 'Amazon Relational Database Service', iam_actions: ['rds:DescribeDBClusters'] },
  { name: 's3:bucket', label: 'S3 bucket', lister: 's3', global: true, tagging_filter: 's3', cost_service: 'Amazon Simple Storage Service', iam_actions: ['s3:ListAllMyBuckets', 's3:GetBucketTagging', 's3:GetBucketLocation', 'tag:GetResources'] },
  tagged('lambda:function', 'Lambda function', 'AWS Lambda'),
  tagged('dynamodb:table', 'DynamoDB table', 'Amazon DynamoDB'),
  tagged('ecs:cluster', 'ECS cluster', 'Amazon Elastic Container Service'),
  tagged('ecs:service', 'ECS service', 'Amazon Elastic Container Service'),
  tagged('eks:cluster', 'EKS cluster', 'Amazon Elastic Container Service for Kubernetes'),
  tagged('elasticache:cluster', 'ElastiCache cluster', 'Amazon ElastiCache'),
  tagged('opensearch:domain', 'OpenSearch domain', 'Amazon OpenSearch Service', 'es:domain'),
  tagged('elasticloadbalancing:loadbalancer', 'Load balancer', 'Amazon Elastic Load Balancing'),
  tagged('redshift:cluster', 'Redshift cluster', 'Amazon Redshift'),
  tagged('sagemaker:endpoint', 'SageMaker endpoint', 'Amazon SageMaker'),
  tagged('kinesis:stream', 'Kinesis stream', 'Amazon Kinesis'),
  tagged('secretsmanager:secret', 'Secrets Manager secret', 'AWS Secrets Manager'),
  tagged('cloudfront:distribution', 'CloudFront distribution', 'Amazon CloudFront', 'cloudfront:distribution', true),
  tagged('route53:hostedzone', 'Route 53 hosted zone', 'Amazon Route 53', 'route53:hostedzone', true),
];

const BY_NAME = new Map(RESOURCE_TYPES.map((t) => [t.name, t]));

export const ALL_TYPE_NAMES: readonly string[] = RESOURCE_TYPES.map((t) => t.name);

export function getResourceType(name: string): ResourceTypeInfo | undefined {
  return BY_NAME.get(name);
}

export function isKnownType(name: string): boolean {
  return BY_NAME.has(name);
}

/** Account-level actions every scan needs besides the listers' own. */
export const BASE_IAM_ACTIONS: readonly string[] = ['ec2:DescribeRegions', 'iam:ListAccountAliases'];

/** Every read action the member-account role needs, sorted and unique (drives generated IAM). */
export function memberRoleActions(): string[] {
  const set = new Set<string>(BASE_IAM_ACTIONS);
  for (const t of RESOURCE_TYPES) for (const a of t.iam_actions) set.add(a);
  return [...set].sort();
}
