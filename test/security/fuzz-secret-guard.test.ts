/**
 * The secret guard used by the e2e, security and fuzz suites can fail: a leak in a body, a
 * header, a stream split across writes or a log line is found, and the finding never repeats
 * the secret. (A separate guard instance: the file's own guard stays clean.)
 */
import Fastify from 'fastify';
import t from 'tap';
import { loggerOptions } from '../../src/logging.js';
import { MANAGEMENT_SECRET_ACCESS_KEY } from '../../src/simulator/state.js';
import { findSecrets, SecretGuard } from '../helpers/secret-guard.js';

const API_KEY = 'guard-test-key-0123456789';

t.test('findSecrets: access keys, session tokens, JWTs and literals', async (t) => {
  t.same(findSecrets('nothing here'), []);
  t.equal(findSecrets('key AKIAABCDEFGHIJKLMNOP in text').length, 1);
  t.equal(findSecrets('ASIASIM0000000000001X').length, 1);
  t.equal(findSecrets(`x ${MANAGEMENT_SECRET_ACCESS_KEY} y`).length, 1);
  t.equal(findSecrets('SIMTOKENabcdefgh1234').length, 1);
  t.equal(findSecrets('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ').length, 1);
  t.same(findSecrets('short akia lowercase'), []);
});

t.test('a leaking app is caught in bodies, headers, split streams and log lines', async (t) => {
  const guard = new SecretGuard([API_KEY]);
  const app = Fastify({ logger: guard.loggerOptions(loggerOptions({ log_level: 'info' })) });
  guard.watch(app);
  app.get('/clean', async () => ({ ok: true }));
  app.get('/body', async () => ({ echoed: API_KEY }));
  app.get('/header', async (_req, reply) => reply.header('x-debug', MANAGEMENT_SECRET_ACCESS_KEY).send({ ok: true }));
  app.get('/stream', async (_req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write('data: AKIAABCDEFGH');
    reply.raw.write('IJKLMNOP\n\n');
    reply.raw.end();
  });
  app.get('/log', async (request) => {
    request.log.info({ leaked: `token ${API_KEY}` }, 'oops');
    return { ok: true };
  });
  await app.ready();
  t.teardown(() => app.close());

  await app.inject('/clean');
  t.same(guard.findings(), [], 'a clean response: no finding');
  for (const url of ['/body', '/header', '/stream', '/log']) await app.inject(url);
  const where = guard.findings().map((f) => f.where);
  t.ok(where.some((w) => w === 'response to GET /body'), 'the body');
  t.ok(where.some((w) => w === 'headers of response to GET /header'), 'the header');
  t.ok(where.some((w) => w === 'response to GET /stream'), 'a key split across two writes');
  t.ok(where.some((w) => w === 'log line'), 'the log line');
  t.ok(guard.stats().responses >= 5 && guard.stats().log_lines > 0, 'responses and log lines were counted');
  t.throws(() => guard.assertClean(), /secret\(s\) left the server/);
  let message = '';
  try {
    guard.assertClean();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  t.notMatch(message, new RegExp(`${API_KEY}|${MANAGEMENT_SECRET_ACCESS_KEY}|AKIAABCDEFGHIJKLMNOP`), 'the report never repeats a secret');
});
