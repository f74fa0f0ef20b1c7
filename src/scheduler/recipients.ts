/**
 * Audit recipients: webhook URLs (https to a public host; http only to loopback when
 * AUDIT_WEBHOOK_ALLOW_LOOPBACK is on; optionally an allow-list of hosts) and e-mail addresses
 * (only when AUDIT_SMTP_URL is configured). Webhook URLs carry secrets in their path or query
 * (Slack: /services/T…/B…/<secret>): `redactRecipient` is the only form that reaches logs,
 * stored run records and tool answers.
 */
import { isIP } from 'node:net';
import { UserError } from '../core/errors.js';
import type { SchedulerConfig } from '../config/types.js';

export type Recipient = { kind: 'webhook'; url: URL; text: string } | { kind: 'email'; address: string; text: string };

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

/** RFC 1918, loopback, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const v = isIP(h);
  if (v === 4) {
    const [a = 0, b = 0] = h.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) {
    if (h === '::1' || h === '::') return true;
    // IPv4-mapped: URL parsing writes ::ffff:10.0.0.1 as ::ffff:a00:1.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (mapped) {
      const hi = parseInt(mapped[1] ?? '0', 16);
      const lo = parseInt(mapped[2] ?? '0', 16);
      return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    if (h.startsWith('::ffff:')) return isPrivateAddress(h.slice(7));
    return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  }
  return false;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function hostAllowed(host: string, allowed: string[] | null): boolean {
  if (allowed === null) return true;
  const h = host.toLowerCase();
  return allowed.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a));
}

/** `https://hooks.slack.com/…Xy12`: scheme, host and the last 4 characters of the path, never the rest. */
export function redactRecipient(recipient: string): string {
  if (!/^https?:\/\//i.test(recipient)) {
    const at = recipient.lastIndexOf('@');
    return at > 0 ? `${recipient.slice(0, 1)}…@${recipient.slice(at + 1)}` : '(invalid recipient)';
  }
  try {
    const u = new URL(recipient);
    const path = u.pathname === '/' ? '' : u.pathname;
    const tail = path.length > 8 ? path.slice(-4) : '';
    return `${u.protocol}//${u.host}${path === '' ? '' : `/…${tail}`}${u.search === '' ? '' : '?…'}`;
  } catch {
    return '(invalid URL)';
  }
}

function refuse(index: number, message: string): never {
  throw new UserError(`recipients[${index}]: ${message}`, { field: `/recipients/${index}`, code: 'invalid_recipient' });
}

/** Parses and checks every recipient; duplicates are dropped. Throws a UserError naming the first bad one. */
export function parseRecipients(list: readonly string[], cfg: SchedulerConfig): Recipient[] {
  const out: Recipient[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const text = raw.trim();
    if (seen.has(text)) return;
    seen.add(text);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      if (!EMAIL.test(text)) refuse(i, 'expected a webhook URL (https://…) or an e-mail address.');
      if (cfg.smtp_url === null) {
        refuse(i, 'e-mail recipients need an SMTP server, and this server has none configured (AUDIT_SMTP_URL). Use a webhook URL (https://…, Slack-compatible JSON) instead, or ask the operator to set AUDIT_SMTP_URL.');
      }
      out.push({ kind: 'email', address: text, text });
      return;
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return refuse(i, 'is not a valid URL.');
    }
    const shown = redactRecipient(text);
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol === 'http:') {
      if (!(loopback && cfg.webhook_allow_loopback)) refuse(i, `${shown} must use https:// (plain http is only accepted for loopback receivers when AUDIT_WEBHOOK_ALLOW_LOOPBACK=true).`);
    } else if (url.protocol !== 'https:') {
      refuse(i, `${shown}: only https:// webhooks are supported.`);
    }
    if (url.username !== '' || url.password !== '') refuse(i, `${shown}: credentials in the URL are not accepted; use a webhook URL whose secret is in its path.`);
    if (loopback && !cfg.webhook_allow_loopback) refuse(i, `${shown} points at this machine (loopback); not allowed unless AUDIT_WEBHOOK_ALLOW_LOOPBACK=true.`);
    if (!loopback && isPrivateAddress(url.hostname)) refuse(i, `${shown} is a private or link-local address; webhooks must go to a public host.`);
    if (!loopback && !hostAllowed(url.hostname, cfg.webhook_allowed_hosts)) {
      refuse(i, `${shown}: host ${url.hostname} is not in AUDIT_WEBHOOK_ALLOWED_HOSTS (${(cfg.webhook_allowed_hosts ?? []).join(', ')}).`);
    }
    url.hash = '';
    out.push({ kind: 'webhook', url, text: url.toString() });
  });
  return out;
}
