/**
 * Delivers an audit's notification to every recipient, one at a time, each bounded by
 * WEBHOOK_TIMEOUT_MS. A failure is logged (with the redacted recipient only) and returned as an
 * outcome; it never throws and never stops the other deliveries. Webhook redirects are not
 * followed (a redirect could lead to a host the recipient checks refused).
 */
import type { Logger } from 'pino';
import type { SchedulerConfig } from '../config/types.js';
import type { AuditNotificationFormat, AuditNotificationOutcome } from '../store/types.js';
import { markdownText, summaryLine, webhookBody, type AuditMessageInput } from './message.js';
import { redactRecipient, type Recipient } from './recipients.js';
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
    const cause = (err as { cause?: unknown }).cause;
    const code = cause instanceof Error ? ((cause as { code?: unknown }).code ?? cause.message) : undefined;
    return typeof code === 'string' && code !== '' ? code : err.message;
  }
  return String(err);
}

async function postWebhook(url: URL, body: Record<string, unknown>, opts: NotifyOptions): Promise<AuditNotificationOutcome> {
  const recipient = redactRecipient(url.toString());
  const timeout = AbortSignal.timeout(opts.config.webhook_timeout_ms);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': opts.userAgent ?? 'finops-tag-compliance-scheduler' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { recipient, ok: true, status: res.status, error: null };
    const error = res.status >= 300 && res.status < 400 ? `redirect (${res.status}) not followed` : `HTTP ${res.status}`;
    return { recipient, ok: false, status: res.status, error };
  } catch (err) {
    return { recipient, ok: false, status: null, error: reason(err, opts.config.webhook_timeout_ms) };
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
