import t from 'tap';
import { parseArn, typeOfArn } from '../../src/tools/common/arn.js';
import { decodeCursor, encodeCursor, pageNote, paginate, queryFingerprint } from '../../src/tools/common/pagination.js';
import { matchesTagFilter } from '../../src/tools/common/run-compliance.js';

t.test('ARN → registry type', async (t) => {
  const cases: [string, string | null][] = [
    ['arn:aws:ec2:us-east-1:123456789012:instance/i-1', 'ec2:instance'],
    ['arn:aws:ec2:us-east-1:123456789012:volume/vol-1', 'ec2:volume'],
    ['arn:aws:ec2:us-east-1:123456789012:natgateway/nat-1', 'ec2:natgateway'],
    ['arn:aws:rds:eu-west-1:123456789012:db:orders', 'rds:db'],
    ['arn:aws:rds:eu-west-1:123456789012:cluster:orders', 'rds:cluster'],
    ['arn:aws:s3:::my.bucket-1', 's3:bucket'],
    ['arn:aws:lambda:us-east-1:123456789012:function:fn', 'lambda:function'],
    ['arn:aws:es:us-east-1:123456789012:domain/search', 'opensearch:domain'],
    ['arn:aws:ecs:us-east-1:123456789012:service/cluster-a/svc', 'ecs:service'],
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/abc', 'elasticloadbalancing:loadbalancer'],
    ['arn:aws:cloudfront::123456789012:distribution/E123', 'cloudfront:distribution'],
    ['arn:aws:iam::123456789012:role/x', null],
    ['arn:aws:s3:::bucket/key', null],
  ];
  for (const [arn, type] of cases) {
    const parsed = parseArn(arn);
    t.not(parsed, null, arn);
    t.equal(parsed === null ? undefined : typeOfArn(parsed), type, arn);
  }
  t.same(parseArn('arn:aws:ecs:us-east-1:123456789012:service/cluster-a/svc'), {
    partition: 'aws', service: 'ecs', region: 'us-east-1', account_id: '123456789012', resource: 'service/cluster-a/svc', resource_kind: 'service', resource_id: 'svc',
  });
  for (const bad of ['hello', 'arn:aws:ec2:us-east-1:12345:instance/i-1', 'arn:aws:ec2:Moon:123456789012:instance/i-1', 'arn:aws:ec2:us-east-1:123456789012:']) t.equal(parseArn(bad), null, bad);
});

t.test('pagination helpers', async (t) => {
  const f = queryFingerprint('x', { a: 1, b: [2], limit: 5, cursor: 'zz' });
  t.equal(f, queryFingerprint('x', { b: [2], a: 1 }), 'key order, limit and cursor do not matter');
  t.not(f, queryFingerprint('y', { a: 1, b: [2] }), 'tool name matters');
  t.equal(decodeCursor(encodeCursor(7, f), f), 7);
  t.throws(() => decodeCursor(encodeCursor(7, f), 'other'), { code: 'cursor_mismatch' });
  t.throws(() => decodeCursor(Buffer.from('{"v":1,"o":-1,"f":"x"}').toString('base64url'), 'x'), { code: 'invalid_cursor' });
  const items = [1, 2, 3, 4, 5];
  const p1 = paginate(items, { cursor: undefined, limit: 2, fingerprint: f });
  t.same([p1.items, p1.total], [[1, 2], 5]);
  t.equal(pageNote(p1, 'items'), 'Showing items 1–2 of 5; 3 more not shown: call again with cursor=next_cursor and the same arguments.');
  const p3 = paginate(items, { cursor: encodeCursor(4, f), limit: 2, fingerprint: f });
  t.same([p3.items, p3.next_cursor], [[5], null]);
  t.equal(pageNote(p3, 'items'), 'Showing items 5–5 of 5; this is the last page. 4 earlier items were on previous pages.');
  t.equal(pageNote(paginate([], { cursor: undefined, limit: 2, fingerprint: f }), 'items'), 'No items.');
  t.equal(paginate(items, { cursor: undefined, limit: undefined, fingerprint: f }).items.length, 5, 'default limit 50');
});

t.test('tag filter', async (t) => {
  t.ok(matchesTagFilter({ A: '1' }, null));
  t.ok(matchesTagFilter({ A: '1', B: 'x' }, { A: ['1', '2'] }));
  t.notOk(matchesTagFilter({ A: '3' }, { A: ['1', '2'] }));
  t.ok(matchesTagFilter({ A: '3' }, { A: '*' }));
  t.ok(matchesTagFilter({ A: '3' }, { A: [] }));
  t.notOk(matchesTagFilter({}, { A: [] }));
});
