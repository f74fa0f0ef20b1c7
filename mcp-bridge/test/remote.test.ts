import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackingFetch } from '../src/remote.js';

/** A server whose POST answers are event streams with the given body. */
async function sseServer(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function run(body: string, message: unknown): Promise<{ ended: unknown[][]; text: string }> {
  const server = await sseServer(body);
  try {
    const ended: unknown[][] = [];
    const f = trackingFetch((ids) => ended.push(ids));
    const response = await f(server.url, { method: 'POST', body: JSON.stringify(message) });
    const text = await response.text();
    return { ended, text };
  } finally {
    await server.close();
  }
}

const request = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } };

t.test('reports the request ids when their event stream ends', async (t) => {
  const body = 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\n\n';
  const { ended, text } = await run(body, request);
  t.same(ended, [[7]]);
  t.equal(text, body, 'the stream passes through unchanged');
});

t.test('a resumable stream (event ids) is not reported', async (t) => {
  const { ended } = await run('id: abc-1\ndata: \n\n', request);
  t.same(ended, []);
});

t.test('a POST without requests (a notification) is not tracked', async (t) => {
  const { ended } = await run('data: {}\n\n', { jsonrpc: '2.0', method: 'notifications/initialized' });
  t.same(ended, []);
});
