/** Lister selection by the registry's `lister` kind. */
import type { ListerKind } from '../registry.js';
import { listEc2 } from './ec2.js';
import { listRds } from './rds.js';
import { listS3 } from './s3.js';
import { listTagged } from './tagging.js';
import type { Lister } from './types.js';

export type { Lister, ListerContext } from './types.js';

const LISTERS: Record<ListerKind, Lister> = { ec2: listEc2, rds: listRds, s3: listS3, tagging: listTagged };

export function listerFor(kind: ListerKind): Lister {
  return LISTERS[kind];
}
