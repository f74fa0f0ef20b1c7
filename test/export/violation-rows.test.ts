import t from 'tap';
import type { Violation } from '../../src/core/types.js';
import { VIOLATION_COLUMNS, violationCells, violationRows } from '../../src/export/violation-rows.js';

const v: Violation = {
  resource_id: 'i-1',
  resource_arn: 'arn:aws:ec2:us-east-1:111111111111:instance/i-1',
  resource_type: 'ec2:instance',
  account_id: '111111111111',
  region: 'us-east-1',
  violation_type: 'invalid_value',
  tag_name: 'Environment',
  severity: 'error',
  current_value: 'qa',
  allowed_values: ['production', 'staging'],
  message: 'not allowed',
  cost_impact_monthly: 12.5,
};

t.test('a violation becomes one row in the chosen column order', async (t) => {
  const ctx = { accountName: (id: string) => (id === '111111111111' ? 'prod' : null), costsKnown: true };
  t.same(violationCells(v, VIOLATION_COLUMNS, ctx), [
    '111111111111',
    'prod',
    v.resource_arn,
    'i-1',
    'ec2:instance',
    'us-east-1',
    'invalid_value',
    'Environment',
    'error',
    'qa',
    'production; staging',
    12.5,
  ]);
  t.same(violationCells(v, ['cost_impact_monthly', 'tag_name'], ctx), [12.5, 'Environment'], 'subset and order');
  t.same(violationCells({ ...v, current_value: null, allowed_values: null, account_id: '2' }, ['account_name', 'current_value', 'allowed_values'], ctx), [null, null, null], 'unknown name, missing value, no list: empty');
  t.same(violationCells(v, ['cost_impact_monthly'], { ...ctx, costsKnown: false }), [null], 'spend unknown: empty, not 0');
  t.same([...violationRows([v, v], ['resource_id'], ctx)], [['i-1'], ['i-1']]);
});
