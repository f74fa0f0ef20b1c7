import t from 'tap';
import { describeList, groupFailures } from '../../src/report/failures.js';

t.test('failed cells are grouped per account, code and message', async (t) => {
  const cell = (account_id: string, region: string, resource_type: string, error_code: string, message = 'm') => ({ account_id, region, resource_type, error_code, message });
  const groups = groupFailures([
    cell('2', 'us-east-1', 'ec2:instance', 'Throttling'),
    cell('3', 'us-east-1', 'ec2:instance', 'AssumeRoleFailed'),
    cell('3', 'eu-west-1', 'ec2:instance', 'AssumeRoleFailed'),
    cell('3', 'eu-west-1', 'rds:db', 'AssumeRoleFailed'),
    cell('2', 'us-east-1', 'rds:db', 'Throttling', 'other message'),
  ]);
  t.same(groups, [
    { account_id: '3', error_code: 'AssumeRoleFailed', message: 'm', cell_count: 3, regions: ['eu-west-1', 'us-east-1'], resource_types: ['ec2:instance', 'rds:db'] },
    { account_id: '2', error_code: 'Throttling', message: 'm', cell_count: 1, regions: ['us-east-1'], resource_types: ['ec2:instance'] },
    { account_id: '2', error_code: 'Throttling', message: 'other message', cell_count: 1, regions: ['us-east-1'], resource_types: ['rds:db'] },
  ]);
  t.equal(describeList(['a'], 'regions'), 'a');
  t.equal(describeList(['a', 'b', 'c'], 'regions'), 'a, b, c');
  t.equal(describeList(['a', 'b', 'c', 'd'], 'regions'), '4 regions');
});
