/**
 * Secret guard for the e2e and security suites: every response (status line headers and body,
 * hijacked MCP/SSE streams included) and every log line an app produces is scanned for access
 * keys, the simulator's secret, session tokens and the suite's API keys / bearer tokens. Findings
 * name where the secret was seen, never the secret. The process-wide guard is checked once when
 * the test file ends (a root teardown that fails the file on any finding).
 */
import type { FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import t from 'tap';
import { MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY } from '../../src/simulator/state.js';

/** Credential shapes that must never leave the server. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /AKIA[A-Z0-9]{16}/, // long-term access key ids
  /ASIA[A-Z0-9]{16}/, // session access key ids (the simulator's ASIASIM…)
  /SIMTOKEN[A-Za-z0-9+/=]{8,}/, // simulator session tokens
  /FwoGZXIvYXdzE[A-Za-z0-9+/=]*/, // real STS session token prefix
  /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/, // a signed JWT (bearer token)
];

/** Literal secrets every app of the suites knows about (the simulator's management credentials). */
export const BASE_LITERALS: readonly string[] = [MANAGEMENT_SECRET_ACCESS_KEY, MANAGEMENT_ACCESS_KEY_ID];

/** What kind of secret `text` holds ("literal #2", "/AKIA…/"), empty when clean. Never the secret itself. */
export function findSecrets(text: string, literals: readonly string[] = BASE_LITERALS): string[] {
  const found: string[] = [];
  literals.forEach((s, i) => {
    if (s.length >= 8 && text.includes(s)) found.push(`literal secret #${i}`);
  });
  for (const p of SECRET_PATTERNS) if (p.test(text)) found.push(`pattern ${String(p).slice(0, 12)}…`);
  return found;
}

export interface Finding {
  where: string;
  what: string[];
}

export interface GuardStats {
  responses: number;
  log_lines: number;
  texts: number;
  bytes: number;
}

/** Longest secret we look for, kept from one chunk to the next so a split secret is still seen. */
const CARRY = 400;
const MAX_FINDINGS = 50;

export class SecretGuard {
  private readonly literals: string[];
  private readonly found: Finding[] = [];
  private readonly counts: GuardStats = { responses: 0, log_lines: 0, texts: 0, bytes: 0 };

  constructor(literals: readonly string[] = []) {
    this.literals = [...BASE_LITERALS, ...literals];
  }

  /** More secrets to look for (API keys of a config, tokens minted by a test). */
  addLiterals(...secrets: string[]): void {
    for (const s of secrets) if (!this.literals.includes(s)) this.literals.push(s);
  }

  /** Scan one text (a response, a log line, a message a client received). */
  check(where: string, text: string): void {
    this.counts.texts += 1;
    this.counts.bytes += text.length;
    const what = findSecrets(text, this.literals);
    if (what.length > 0 && this.found.length < MAX_FINDINGS) this.found.push({ where, what });
  }

  /** pino options that scan every line; `sink` (optional) receives them too. Nothing reaches stdout. */
  loggerOptions(base: LoggerOptions, sink?: string[] | ((line: string) => void)): LoggerOptions {
    const keep = sink === undefined ? () => {} : Array.isArray(sink) ? (line: string) => void sink.push(line) : sink;
    return {
      ...base,
      hooks: {
        streamWrite: (s: string) => {
          this.counts.log_lines += 1;
          this.check('log line', s);
          keep(s);
          return '';
        },
      },
    };
  }

  /** Record every response of `app` (call before app.ready()): headers and body, streams included. */
  watch(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      const raw = reply.raw;
      const where = `response to ${request.method} ${request.url.slice(0, 80)}`;
      let tail = '';
      const scanChunk = (chunk: unknown): void => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
        if (text === '') return;
        this.check(where, tail + text);
        tail = text.slice(-CARRY);
      };
      const write = raw.write.bind(raw) as (...args: unknown[]) => boolean;
      const end = raw.end.bind(raw) as (...args: unknown[]) => typeof raw;
      let inEnd = false;
      raw.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (!inEnd) scanChunk(chunk);
        return write(chunk, ...rest);
      }) as typeof raw.write;
      raw.end = ((chunk?: unknown, ...rest: unknown[]) => {
        inEnd = true;
        scanChunk(chunk);
        this.counts.responses += 1;
        this.check(`headers of ${where}`, JSON.stringify(raw.getHeaders()));
        return end(chunk, ...rest);
      }) as typeof raw.end;
    });
  }

  findings(): Finding[] {
    return [...this.found];
  }

  stats(): GuardStats {
    return { ...this.counts };
  }

  /** Throws when anything was found (the message lists where, never the secret). */
  assertClean(label = 'secret guard'): void {
    if (this.found.length === 0) return;
    const list = this.found.slice(0, 10).map((f) => `${f.where}: ${f.what.join(', ')}`);
    throw new Error(`${label}: ${this.found.length} secret(s) left the server: ${list.join(' | ')}`);
  }
}

let processGuard: SecretGuard | null = null;

/**
 * The guard of this test file: created on first use, checked when the file's tests are done (a
 * finding fails the file). Suites add the keys and tokens they use with addLiterals.
 */
export function fileSecretGuard(): SecretGuard {
  if (processGuard === null) {
    const guard = new SecretGuard();
    processGuard = guard;
    t.teardown(() => guard.assertClean(`secret scan of ${guard.stats().responses} responses and ${guard.stats().log_lines} log lines`));
  }
  return processGuard;
}
