/**
 * The SMTP client against a small in-test SMTP server on loopback: plain submission, STARTTLS
 * before AUTH (credentials never in clear text), implicit TLS (smtps://), refusals with the
 * server's code, dot-stuffing and encoded subjects; and e-mail recipients end to end through the
 * notifier once AUDIT_SMTP_URL is set.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as netServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as tlsServer, TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import t from 'tap';
import { SCHEDULER_DEFAULTS } from '../../src/scheduler/config.js';
import { notifyRecipients } from '../../src/scheduler/notify.js';
import { parseRecipients } from '../../src/scheduler/recipients.js';
import { sendMail } from '../../src/scheduler/smtp.js';

const dir = mkdtempSync(join(tmpdir(), 'smtp-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const certPath = join(dir, 'cert.pem');
const keyPath = join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
const cert = readFileSync(certPath, 'utf8');
const key = readFileSync(keyPath, 'utf8');

interface Mail {
  from: string;
  to: string[];
  data: string;
  auth: string | null;
  /** Whether the connection was encrypted when AUTH arrived. */
  authOverTls: boolean | null;
  commands: string[];
}

interface FakeSmtp {
  url: (scheme: string, creds?: string) => string;
  mails: Mail[];
  close(): Promise<void>;
}

async function fakeSmtp(mode: { starttls?: boolean; implicitTls?: boolean; auth?: boolean; rejectRcpt?: boolean }): Promise<FakeSmtp> {
  const mails: Mail[] = [];
  const sockets = new Set<Socket>();
  const handle = (raw: Socket): void => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    let socket: Socket = raw;
    let tls = raw instanceof TLSSocket;
    let buffer = '';
    let inData = false;
    const mail: Mail = { from: '', to: [], data: '', auth: null, authOverTls: null, commands: [] };
    const say = (line: string): void => void socket.write(`${line}\r\n`);
    const onLine = (line: string): void => {
      if (inData) {
        if (line === '.') {
          inData = false;
          mails.push(mail);
          say('250 2.0.0 queued as 42');
        } else mail.data += `${line}\n`;
        return;
      }
      mail.commands.push(line.split(' ')[0] ?? line);
      const upper = line.toUpperCase();
      if (upper.startsWith('EHLO')) {
        const ext = [...(mode.starttls && !tls ? ['STARTTLS'] : []), ...(mode.auth ? ['AUTH PLAIN LOGIN'] : []), '8BITMIME'];
        say('250-fake.smtp greets you');
        ext.forEach((e, i) => say(`250${i === ext.length - 1 ? ' ' : '-'}${e}`));
      } else if (upper === 'STARTTLS') {
        say('220 2.0.0 ready to start TLS');
        socket.removeAllListeners('data');
        const secure = new TLSSocket(socket, { isServer: true, key, cert });
        socket = secure;
        tls = true;
        secure.on('data', onData);
        secure.on('error', () => undefined);
      } else if (upper.startsWith('AUTH PLAIN')) {
        mail.auth = Buffer.from(line.slice(11), 'base64').toString('utf8');
        mail.authOverTls = tls;
        say('235 2.7.0 authenticated');
      } else if (upper.startsWith('MAIL FROM:')) {
        mail.from = line.slice(10);
        say('250 ok');
      } else if (upper.startsWith('RCPT TO:')) {
        if (mode.rejectRcpt) say('550 5.1.1 no such user');
        else {
          mail.to.push(line.slice(8));
          say('250 ok');
        }
      } else if (upper === 'DATA') {
        inData = true;
        say('354 go ahead');
      } else if (upper === 'QUIT') {
        say('221 bye');
        socket.end();
      } else say('502 command not implemented');
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        onLine(line);
      }
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    say('220 fake.smtp ESMTP ready');
  };
  const server: Server = mode.implicitTls ? tlsServer({ key, cert }, handle) : netServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (scheme, creds) => `${scheme}://${creds === undefined ? '' : `${creds}@`}localhost:${port}`,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const message = { from: 'audits@example.com', to: ['a@example.com', 'b@example.com'], subject: 'Audit: 75.0% compliant — ünïcode', text: 'line one\n.starts with a dot\nlast' };

t.test('plain smtp:// without credentials: delivered, dot-stuffed, subject encoded', async (t) => {
  const server = await fakeSmtp({});
  t.teardown(() => server.close());
  const code = await sendMail(message, { url: server.url('smtp'), timeoutMs: 5000 });
  t.equal(code, 250);
  const mail = server.mails[0];
  t.equal(mail?.from, '<audits@example.com>');
  t.same(mail?.to, ['<a@example.com>', '<b@example.com>']);
  t.match(mail?.data, /^From: audits@example.com\nTo: a@example.com, b@example.com\nSubject: =\?UTF-8\?B\?/);
  t.match(mail?.data, /\n\nline one\n\.\.starts with a dot\nlast\n$/, 'a leading dot is doubled on the wire');
  t.equal(mail?.auth, null);
});

t.test('credentials: STARTTLS first, then AUTH PLAIN over TLS; never in clear text', async (t) => {
  const tlsCapable = await fakeSmtp({ starttls: true, auth: true });
  t.teardown(() => tlsCapable.close());
  await sendMail(message, { url: tlsCapable.url('smtp', 'mailer:p%40ss'), timeoutMs: 5000, tls: { ca: cert } });
  const mail = tlsCapable.mails[0];
  t.equal(mail?.auth, '\0mailer\0p@ss', 'user and decoded password');
  t.equal(mail?.authOverTls, true, 'AUTH happened after STARTTLS');
  t.same(mail?.commands.slice(0, 3), ['EHLO', 'STARTTLS', 'EHLO']);

  const plainOnly = await fakeSmtp({ auth: true });
  t.teardown(() => plainOnly.close());
  await t.rejects(sendMail(message, { url: plainOnly.url('smtp', 'mailer:secret-pw'), timeoutMs: 5000 }), { name: 'SmtpError', message: /does not offer STARTTLS: refusing to send credentials in clear text/ });
  t.equal(plainOnly.mails.length, 0);

  const untrusted = await fakeSmtp({ starttls: true, auth: true });
  t.teardown(() => untrusted.close());
  const err = await sendMail(message, { url: untrusted.url('smtp', 'mailer:secret-pw'), timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  t.match(err, { name: 'SmtpError', message: /STARTTLS with localhost failed/ }, 'certificates are verified');
  t.notMatch(String((err as Error).message), /secret-pw/);
});

t.test('smtps:// (implicit TLS) with AUTH', async (t) => {
  const server = await fakeSmtp({ implicitTls: true, auth: true });
  t.teardown(() => server.close());
  t.equal(await sendMail(message, { url: server.url('smtps', 'u:p'), timeoutMs: 5000, tls: { ca: cert } }), 250);
  t.equal(server.mails[0]?.authOverTls, true);
});

t.test('a refused recipient is an error with the server\'s code; an unreachable server names host and code', async (t) => {
  const server = await fakeSmtp({ rejectRcpt: true });
  t.teardown(() => server.close());
  await t.rejects(sendMail(message, { url: server.url('smtp'), timeoutMs: 5000 }), { code: 550, message: /RCPT TO refused: 550 5\.1\.1 no such user/ });
  await t.rejects(sendMail(message, { url: 'smtp://127.0.0.1:9', timeoutMs: 2000 }), { message: /cannot connect to the SMTP server 127\.0\.0\.1:9: ECONNREFUSED/ });
});

t.test('e-mail recipients through the notifier once AUDIT_SMTP_URL is set', async (t) => {
  const server = await fakeSmtp({});
  t.teardown(() => server.close());
  const config = { ...SCHEDULER_DEFAULTS, smtp_url: server.url('smtp'), email_from: 'finops@example.com' };
  t.throws(() => parseRecipients(['ops@example.com'], SCHEDULER_DEFAULTS), { message: /AUDIT_SMTP_URL/ }, 'refused without SMTP');
  const recipients = parseRecipients(['ops@example.com', 'lead@example.com'], config);
  const outcomes = await notifyRecipients(
    recipients,
    'slack',
    {
      schedule: { id: 'aud_1', name: 'mail audit', timezone: 'UTC', frequency: 'daily' },
      occurrence: new Date('2026-11-23T09:00:00Z'),
      status: 'succeeded',
      figures: {
        compliance_score: 0.75,
        total_resources: 4,
        compliant_resources: 3,
        violation_count: 2,
        violations_by_tag: { Owner: 2 },
        cost_attribution_gap: 12.5,
        scan_timestamp: '2026-11-23T09:00:00Z',
        snapshot_id: '7',
        data_quality: { status: 'complete', cells_requested: 4, cells_complete: 4 },
      },
      error: null,
    },
    { config, logger: pino({ level: 'silent' }) },
  );
  t.same(outcomes, [
    { recipient: 'o…@example.com', ok: true, status: 250, error: null },
    { recipient: 'l…@example.com', ok: true, status: 250, error: null },
  ]);
  const mail = server.mails[0];
  t.same(mail?.to, ['<ops@example.com>', '<lead@example.com>'], 'one message to both');
  const encoded = /Subject: =\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/.exec(mail?.data ?? '')?.[1] ?? '';
  t.equal(Buffer.from(encoded, 'base64').toString('utf8'), 'Compliance audit "mail audit": 75.0% compliant — 3/4 resources, 2 violations, $12.50/month unattributed', 'subject: the summary line (RFC 2047)');
  t.match(mail?.data, /Most violated tags:\n• Owner: 2/);
  t.match(mail?.data, /Stored as history snapshot 7/);
});
