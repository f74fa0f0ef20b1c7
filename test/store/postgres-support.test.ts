import t from 'tap';
import { canonicalTags, chunks, describeDbError, isUnavailable, redactDatabaseUrl } from '../../src/store/postgres-support.js';
import { tagSetKey } from '../../src/store/snapshot.js';

t.test('redactDatabaseUrl drops the password and the query string', async (t) => {
  t.equal(redactDatabaseUrl('postgres://app:pa%40ss@db.internal:5433/history?sslmode=require&password=x'), 'postgres://app@db.internal:5433/history');
  t.equal(redactDatabaseUrl('postgresql://db.internal/history'), 'postgresql://db.internal/history');
  t.equal(redactDatabaseUrl('postgres://us%20er:secret@[::1]:5432/h'), 'postgres://us er@[::1]:5432/h');
  t.equal(redactDatabaseUrl('not a url with secret'), '(unparseable HISTORY_DATABASE_URL)', 'an unparseable value is never echoed');
});

t.test('describeDbError', async (t) => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  t.equal(describeDbError(refused), 'connect ECONNREFUSED 127.0.0.1:1', 'code already in the message');
  t.equal(describeDbError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })), 'relation "x" does not exist (42P01)');
  const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' });
  t.equal(describeDbError(new AggregateError([v6, refused], '')), 'connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1', 'the parts of an empty AggregateError');
  t.equal(describeDbError(new AggregateError([], '')), 'connection failed');
  t.equal(describeDbError(new TypeError('')), 'TypeError');
  t.equal(describeDbError('plain'), 'plain');
});

t.test('canonicalTags orders keys as tagSetKey hashes them', async (t) => {
  const tags = { b: '1', B: '2', 'ünï': 'x', a: '' };
  const c = canonicalTags(tags);
  t.same(Object.keys(c), ['B', 'a', 'b', 'ünï']);
  t.equal(JSON.stringify(c), tagSetKey(tags).json);
});

t.test('chunks', async (t) => {
  t.same(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  t.same(chunks([], 3), []);
  t.same(chunks([1, 2], 5), [[1, 2]]);
  t.throws(() => chunks([1], 0), RangeError);
  t.throws(() => chunks([1], 1.5), RangeError);
});

t.test('isUnavailable: outages yes, bugs and bad data no', async (t) => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  for (const e of [coded('ECONNREFUSED'), coded('ECONNRESET'), coded('ETIMEDOUT'), coded('ENOTFOUND'), coded('08006'), coded('08001'), coded('57P01'), coded('57P03'), coded('57014'), coded('53300'),
    new Error('Connection terminated unexpectedly'), new Error('timeout exceeded when trying to connect'), new Error('Query read timeout'),
    new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '')]) {
    t.equal(isUnavailable(e), true, `${(e as { code?: string }).code ?? e.message}`);
  }
  for (const e of [coded('42P01'), coded('23505'), coded('22P02'), new TypeError('compliance_score must be within 0–1'), new AggregateError([], ''), new AggregateError([coded('ECONNREFUSED'), coded('42P01')], ''), 'ECONNREFUSED', null]) {
    t.equal(isUnavailable(e), false, String(e instanceof Error ? ((e as { code?: string }).code ?? e.message) : e));
  }
});
