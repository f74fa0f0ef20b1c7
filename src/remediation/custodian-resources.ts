/**
 * Registry type → Cloud Custodian resource(s). One registry type can need several Custodian
 * resources (the Tagging API's `elasticloadbalancing:loadbalancer` covers classic and v2 load
 * balancers, which Custodian models as `aws.elb` and `aws.app-elb`). A registry type missing here
 * has no Custodian equivalent and is reported in `skipped_types`.
 */
import { ALL_TYPE_NAMES } from '../aws/registry.js';

export interface CustodianResource {
  /** Custodian resource name, e.g. `aws.ec2`. */
  resource: string;
  /** Custodian has a `stop` action for it (used when the remediation op is `stop`). */
  stoppable: boolean;
  /** Global service: the policy runs in one region only (a `conditions` block). */
  global: boolean;
}

const r = (resource: string, stoppable = false, global = false): CustodianResource => ({ resource, stoppable, global });

export const CUSTODIAN_RESOURCES: Readonly<Record<string, readonly CustodianResource[]>> = {
  'ec2:instance': [r('aws.ec2', true)],
  'ec2:volume': [r('aws.ebs')],
  'ec2:snapshot': [r('aws.ebs-snapshot')],
  'ec2:elastic-ip': [r('aws.network-addr')],
  'ec2:natgateway': [r('aws.nat-gateway')],
  'rds:db': [r('aws.rds', true)],
  'rds:cluster': [r('aws.rds-cluster', true)],
  's3:bucket': [r('aws.s3')],
  'lambda:function': [r('aws.lambda')],
  'dynamodb:table': [r('aws.dynamodb-table')],
  'ecs:cluster': [r('aws.ecs')],
  'ecs:service': [r('aws.ecs-service')],
  'eks:cluster': [r('aws.eks')],
  'elasticache:cluster': [r('aws.cache-cluster')],
  'opensearch:domain': [r('aws.opensearch')],
  'elasticloadbalancing:loadbalancer': [r('aws.elb'), r('aws.app-elb')],
  'redshift:cluster': [r('aws.redshift')],
  'sagemaker:endpoint': [r('aws.sagemaker-endpoint')],
  'kinesis:stream': [r('aws.kinesis')],
  'secretsmanager:secret': [r('aws.secrets-manager')],
  'cloudfront:distribution': [r('aws.distribution', false, true)],
  'route53:hostedzone': [r('aws.hostedzone', false, true)],
};

/** Custodian resources of a registry type (empty: none). */
export function custodianResourcesFor(type: string): readonly CustodianResource[] {
  return CUSTODIAN_RESOURCES[type] ?? [];
}

/** Registry types with no Custodian resource (tests keep this list honest). */
export function typesWithoutCustodianResource(): string[] {
  return ALL_TYPE_NAMES.filter((t) => custodianResourcesFor(t).length === 0);
}
