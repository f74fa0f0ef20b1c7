/**
 * A small SMTP submission client for audit e-mails (RFC 5321 + 3207 + 4954): smtps:// (implicit
 * TLS) or smtp:// with STARTTLS whenever the server offers it (required when credentials are
 * in the URL), AUTH PLAIN or LOGIN, one message to several recipients, dot-stuffing, an overall
 * time limit and an abort signal. Certificates are always verified. The URL's password is never
 * put in an error message.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

export interface SmtpMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface SmtpOptions {
  url: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra TLS settings (tests: a private CA). */
  tls?: ConnectionOptions;
}

export class SmtpError extends Error {
  readonly code: number | null;
  constructor(message: string, code: number | null = null) {
    super(message);
    this.name = 'SmtpError';
    this.code = code;
  }
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads SMTP replies (multi-line aware) from a socket that may be upgraded to TLS. */
class Conversation {
  private buffer = '';
  private waiting: ((r: Reply | Error) => void) | null = null;
  private queue: (Reply | Error)[] = [];
  private pending: string[] = [];
  constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }
  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.push(err));
    socket.on('close', () => this.push(new SmtpError('the SMTP server closed the connection')));
  }
  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.pending.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply: Reply = { code: Number(line.slice(0, 3)), lines: this.pending.map((l) => l.slice(4)) };
        this.pending = [];
        this.push(reply);
      }
    }
  }
  private push(r: Reply | Error): void {
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      w(r);
    } else this.queue.push(r);
  }
  read(): Promise<Reply> {
    const next = this.queue.shift();
    if (next !== undefined) return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
    });
  }
  async command(line: string, expect: number[], shown: string = line.split(' ')[0] ?? line): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.read();
    if (!expect.includes(reply.code)) throw new SmtpError(`SMTP ${shown} refused: ${reply.code} ${reply.lines.join(' ').slice(0, 200)}`, reply.code);
    return reply;
  }
  /** Drops listeners of the plain socket before a TLS upgrade. */
  detach(): Socket | TLSSocket {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('error');
    this.socket.removeAllListeners('close');
    return this.socket;
  }
}

function dotStuff(text: string): string {
  return text
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? `.${l}` : l))
    .join('\r\n');
}

/** RFC 2047 encoded-word for a non-ASCII subject. */
function header(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

export function formatMessage(m: SmtpMessage, date: Date, messageId: string): string {
  const headers = [
    `From: ${m.from}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${header(m.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${dotStuff(m.text)}\r\n.`;
}

function open(url: URL, opts: SmtpOptions): Promise<Socket | TLSSocket> {
  const implicitTls = url.protocol === 'smtps:';
  const port = Number(url.port || (implicitTls ? 465 : 587));
  return new Promise((resolve, reject) => {
    const socket = implicitTls ? tlsConnect({ host: url.hostname, port, servername: url.hostname, ...opts.tls }) : netConnect({ host: url.hostname, port });
    const fail = (err: Error): void => reject(new SmtpError(`cannot connect to the SMTP server ${url.hostname}:${port}: ${(err as { code?: string }).code ?? err.message}`));
    socket.once('error', fail);
    socket.once(implicitTls ? 'secureConnect' : 'connect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

function upgrade(socket: Socket, url: URL, opts: SmtpOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, servername: url.hostname, ...opts.tls });
    secure.once('error', (err) => reject(new SmtpError(`STARTTLS with ${url.hostname} failed: ${(err as { code?: string }).code ?? err.message}`)));
    secure.once('secureConnect', () => resolve(secure));
  });
}

/** Sends one message; resolves with the server's final reply code. */
export async function sendMail(message: SmtpMessage, opts: SmtpOptions): Promise<number> {
  const url = new URL(opts.url);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  let socket = await open(url, opts);
  const timer = setTimeout(() => socket.destroy(new SmtpError(`SMTP delivery took longer than ${opts.timeoutMs} ms`)), opts.timeoutMs);
  const onAbort = (): void => {
    socket.destroy(new SmtpError('SMTP delivery cancelled (the server is shutting down)'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let talk = new Conversation(socket);
    const greeting = await talk.read();
    if (greeting.code !== 220) throw new SmtpError(`SMTP server greeting: ${greeting.code}`, greeting.code);
    const me = hostname() || 'localhost';
    let ehlo = await talk.command(`EHLO ${me}`, [250]);
    const offers = (word: string): boolean => ehlo.lines.some((l) => l.toUpperCase().startsWith(word));
    if (url.protocol === 'smtp:' && offers('STARTTLS')) {
      await talk.command('STARTTLS', [220]);
      socket = await upgrade(talk.detach() as Socket, url, opts);
      talk = new Conversation(socket);
      ehlo = await talk.command(`EHLO ${me}`, [250]);
    } else if (url.protocol === 'smtp:' && user !== '') {
      throw new SmtpError(`the SMTP server ${url.hostname} does not offer STARTTLS: refusing to send credentials in clear text (use smtps:// or a server with STARTTLS)`);
    }
    if (user !== '') {
      const auth = ehlo.lines.find((l) => l.toUpperCase().startsWith('AUTH')) ?? '';
      if (/\bPLAIN\b/i.test(auth)) {
        await talk.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')}`, [235], 'AUTH');
      } else if (/\bLOGIN\b/i.test(auth)) {
        await talk.command('AUTH LOGIN', [334], 'AUTH');
        await talk.command(Buffer.from(user, 'utf8').toString('base64'), [334], 'AUTH');
        await talk.command(Buffer.from(pass, 'utf8').toString('base64'), [235], 'AUTH');
      } else {
        throw new SmtpError(`the SMTP server ${url.hostname} offers no supported AUTH mechanism (PLAIN or LOGIN)`);
      }
    }
    await talk.command(`MAIL FROM:<${message.from}>`, [250], 'MAIL FROM');
    for (const to of message.to) await talk.command(`RCPT TO:<${to}>`, [250, 251], 'RCPT TO');
    await talk.command('DATA', [354]);
    const sent = await talk.command(formatMessage(message, new Date(), `${randomUUID()}@${me}`), [250], 'message');
    await talk.command('QUIT', [221]).catch(() => undefined);
    return sent.code;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
