import t from 'tap';
import { ALL_TYPE_NAMES, getResourceType, memberRoleActions, RESOURCE_TYPES } from '../../src/aws/registry.js';

t.test('registry has unique names and read-only actions', async (t) => {
  t.equal(new Set(ALL_TYPE_NAMES).size, RESOURCE_TYPES.length);
  t.equal(getResourceType('ec2:instance')?.lister, 'ec2');
  t.equal(getResourceType('s3:bucket')?.global, true);
  for (const a of memberRoleActions()) t.match(a, /^[a-z0-9-]+:(Describe|List|Get)/, a);
});
