/**
 * Delivers an audit's notification to every recipient, one at a time, each bounded by
 * WEBHOOK_TIMEOUT_MS. A failure is logged (with the redacted recipient only) and returned as an
 * outcome; it never throws and never stops the other deliveries. Webhook redirects are not
 * followed (a redirect could lead to a host the recipient checks refused), and names that
 * resolve to private addresses are refused when connecting (guardedLookup).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import type { SchedulerConfig } from '../config/types.js';
import type { AuditNotificationFormat, AuditNotificationOutcome } from '../store/types.js';
import { markdownText, summaryLine, webhookBody, type AuditMessageInput } from './message.js';
import { isLoopbackHost, isPrivateAddress, redactRecipient, type Recipient } from './recipients.js';
import { sendMail, type SmtpOptions } from './smtp.js';

export interface NotifyOptions {
  config: SchedulerConfig;
  logger: Pick<Logger, 'info' | 'warn'>;
  signal?: AbortSignal;
  /** Test hook: TLS settings for the SMTP connection. */
  smtpTls?: SmtpOptions['tls'];
  userAgent?: string;
}

/** A readable reason for a failed fetch, without the URL. */
function reason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms (WEBHOOK_TIMEOUT_MS)`;
    if (err.name === 'AbortError') return 'cancelled (the server is shutting down)';
    const own = (err as { code?: unknown }).code;
    if (typeof own === 'string' && own !== '') return own === 'EPRIVATEADDRESS' ? err.message : own;
    const cause = (err as { cause?: unknown }).cause;
    const code = cause instanceof Error ? ((cause as { code?: unknown }).code ?? cause.message) : undefined;
    return typeof code === 'string' && code !== '' ? code : err.message;
  }
  return String(err);
}

/**
 * DNS answers are checked too (at connect time, so a name cannot be re-pointed after a check):
 * a host resolving to a private, link-local or loopback address is refused unless loopback
 * receivers are allowed and the address is loopback.
 */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) return callback(err, '', 0);
      const bad = addresses.find((a) => isPrivateAddress(a.address) && !(allowLoopback && isLoopbackHost(a.address)));
      if (bad !== undefined || addresses[0] === undefined) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private or link-local address; webhooks must go to a public host`), { code: 'EPRIVATEADDRESS' });
        return callback(refused, '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

async function postWebhook(url: URL, body: Record<string, unknown>, opts: NotifyOptions): Promise<AuditNotificationOutcome> {
  const recipient = redactRecipient(url.toString());
  const timeout = AbortSignal.timeout(opts.config.webhook_timeout_ms);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length, 'user-agent': opts.userAgent ?? 'finops-tag-compliance-scheduler' },
          lookup: guardedLookup(opts.config.webhook_allow_loopback),
          signal,
        },
        (res) => {
          res.resume(); // the body is not needed; drain it so the socket closes
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    if (status >= 200 && status < 300) return { recipient, ok: true, status, error: null };
    const error = status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}`;
    return { recipient, ok: false, status, error };
  } catch (err) {
    const why = timeout.aborted ? `no answer within ${opts.config.webhook_timeout_ms} ms (WEBHOOK_TIMEOUT_MS)` : reason(err, opts.config.webhook_timeout_ms);
    return { recipient, ok: false, status: null, error: why };
  }
}

async function email(addresses: string[], m: AuditMessageInput, opts: NotifyOptions): Promise<AuditNotificationOutcome[]> {
  const shown = addresses.map(redactRecipient);
  const smtp = opts.config.smtp_url;
  if (smtp === null) return shown.map((recipient) => ({ recipient, ok: false, status: null, error: 'no SMTP server configured (AUDIT_SMTP_URL)' }));
  try {
    const code = await sendMail(
      { from: opts.config.email_from, to: addresses, subject: summaryLine(m).slice(0, 180), text: markdownText(m) },
      { url: smtp, timeoutMs: opts.config.webhook_timeout_ms, ...(opts.signal === undefined ? {} : { signal: opts.signal }), ...(opts.smtpTls === undefined ? {} : { tls: opts.smtpTls }) },
    );
    return shown.map((recipient) => ({ recipient, ok: true, status: code, error: null }));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const error = err instanceof Error ? err.message : String(err);
    return shown.map((recipient) => ({ recipient, ok: false, status: typeof code === 'number' ? code : null, error }));
  }
}

export async function notifyRecipients(recipients: Recipient[], format: AuditNotificationFormat, m: AuditMessageInput, opts: NotifyOptions): Promise<AuditNotificationOutcome[]> {
  const out: AuditNotificationOutcome[] = [];
  const body = webhookBody(format, m);
  for (const r of recipients) {
    if (r.kind === 'webhook') out.push(await postWebhook(r.url, body, opts));
  }
  const addresses = recipients.flatMap((r) => (r.kind === 'email' ? [r.address] : []));
  if (addresses.length > 0) out.push(...(await email(addresses, m, opts)));
  for (const o of out) {
    if (o.ok) opts.logger.info({ audit_id: m.schedule.id, recipient: o.recipient, status: o.status }, 'audit notification delivered');
    else opts.logger.warn({ audit_id: m.schedule.id, recipient: o.recipient, status: o.status, reason: o.error }, 'audit notification failed');
  }
  return out;
}
