/**
 * autocannon in its own process (so the load generator does not share the server's event loop),
 * driven through its API: `node cannon-child.js '<json options>'` prints one JSON line of
 * figures. With `session_ids`, connection i sends `mcp-session-id: session_ids[i % n]`: every
 * simulated client keeps its own MCP session, as real assistants do.
 */
import autocannon from 'autocannon';

export interface CannonOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  /** Replace `[<id>]` in the body with a unique id per request (JSON-RPC ids). */
  ids?: boolean;
  session_ids?: string[];
}

export interface CannonFigures {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  bytes_per_response: number;
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as CannonOptions;
  const sessions = opts.session_ids ?? [];
  let next = 0;
  const result = await autocannon({
    url: opts.url,
    method: 'POST',
    body: opts.body,
    headers: opts.headers,
    connections: opts.connections,
    duration: opts.duration,
    idReplacement: opts.ids === true,
    ...(sessions.length === 0
      ? {}
      : {
          setupClient: (client: autocannon.Client) => {
            const id = sessions[next % sessions.length] ?? '';
            next += 1;
            client.setHeaders({ ...opts.headers, 'mcp-session-id': id });
          },
        }),
  });
  const figures: CannonFigures = {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    bytes_per_response: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
