import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import pino from 'pino';
import t from 'tap';
import { loggerOptions, requestIdFor } from '../../src/logging.js';

t.test('logs are JSON at the configured level with secrets redacted', async (t) => {
  const lines: string[] = [];
  const logger = pino(loggerOptions({ log_level: 'debug' }), { write: (s: string) => void lines.push(s) });
  logger.debug(
    {
      req: { headers: { authorization: 'Bearer top-secret-key' } },
      creds: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh', sessionToken: 'tok' },
      sts: { SessionToken: 'tok2', SecretAccessKey: 'shh2' },
      cfg: { api_keys: [{ id: 'a', key: 'k' }], credentials: { any: 1 } },
      entry: { key: 'raw-key' },
    },
    'hello',
  );
  t.equal(lines.length, 1);
  const line = lines[0] ?? '';
  const parsed = JSON.parse(line) as Record<string, Record<string, unknown>>;
  t.equal(parsed.msg as unknown, 'hello');
  t.same(parsed.req, { headers: { authorization: '[redacted]' } });
  t.same(parsed.creds, { accessKeyId: '[redacted]', secretAccessKey: '[redacted]', sessionToken: '[redacted]' });
  t.same(parsed.sts, { SessionToken: '[redacted]', SecretAccessKey: '[redacted]' });
  t.same(parsed.cfg, { api_keys: '[redacted]', credentials: '[redacted]' });
  t.same(parsed.entry, { key: '[redacted]' });
  t.notMatch(line, /top-secret|AKIAEXAMPLE|shh|tok|raw-key/);
});

t.test('request ids: a sane X-Request-Id is kept, anything else replaced', async (t) => {
  const req = (value?: string): IncomingMessage => {
    const m = new IncomingMessage(new Socket());
    if (value !== undefined) m.headers['x-request-id'] = value;
    return m;
  };
  t.equal(requestIdFor(req('abc-123.x:y_z')), 'abc-123.x:y_z');
  t.match(requestIdFor(req('has space')), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.match(requestIdFor(req('x'.repeat(200))), /^[0-9a-f]{8}-/);
  t.match(requestIdFor(req()), /^[0-9a-f]{8}-/);
});
