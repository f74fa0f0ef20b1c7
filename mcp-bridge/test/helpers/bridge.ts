/**
 * Spawns the bridge (`node mcp-bridge/bin/finops-mcp-bridge.js`) and connects the SDK's
 * Client to it over stdio, as Claude Desktop would.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export const BRIDGE_BIN = fileURLToPath(new URL('../../bin/finops-mcp-bridge.js', import.meta.url));

export interface BridgeHandle {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the bridge wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Environment for the child: PATH etc. plus the given bridge settings (nothing else leaks in). */
export function bridgeEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return { ...env, ...extra };
}

export function startBridge(env: Record<string, string>, args: string[] = []): BridgeHandle {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BRIDGE_BIN, ...args],
    env: bridgeEnv(env),
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const client = new Client({ name: 'bridge-test-client', version: '1.0.0' }, { capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} } });
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work/finops', name: 'finops' }] }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'test-model' }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { account: '123456789012' } }));
  return {
    client,
    transport,
    stderr: () => err,
    close: async () => {
      await client.close().catch(() => undefined);
    },
  };
}

/** Rejects after `ms` so a broken bridge fails the test instead of hanging it. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A 127.0.0.1 port with nothing listening on it. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
