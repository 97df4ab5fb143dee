/**
 * The team-server HTTP client against a server that closes a kept-alive connection when the next
 * request arrives on it, unanswered: what llama-server does after every streamed answer (it
 * advertises keep-alive, then closes; see closedBeforeAnswer in src/server/serverHttp.ts). On a
 * real llama-server the next request loses that race only now and then (2 in 60 here, more on a
 * fast machine); this server loses it every time, so the test is deterministic.
 */
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkServerUrl, type AllowedUrl } from '../../src/server/hostGuard';
import { getJson, postEventStream } from '../../src/server/serverHttp';

describe('server HTTP client: a kept-alive connection the server closes', function () {
  let server: Server;
  let base: AllowedUrl;
  /** Requests each connection has carried, in order of connection. */
  const perConnection: number[] = [];

  before(async () => {
    const served = new WeakMap<Socket, number>();
    server = createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n === 1) perConnection.push(0);
      perConnection[perConnection.length - 1] = n;
      // The second request on a connection: read, then the connection closes without an answer;
      // any other idle connection closes too (llama-server closes each one right after its answer).
      if (n > 1) {
        return void req.resume().on('end', () => {
          server.closeIdleConnections();
          req.socket.destroy();
        });
      }
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', 'keep-alive': 'timeout=5' });
        res.end('data: {"content":"ok"}\n\ndata: [DONE]\n\n');
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const verdict = checkServerUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { allowedHosts: [], allowPublicHosts: false });
    assert.ok(verdict.ok);
    base = verdict.url;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a request sent on a connection the server closes unanswered is sent again on a new one', async () => {
    const stream = async () => {
      const data: string[] = [];
      await postEventStream({ base }, '/infill', { prompt: 'x' }, { timeoutMs: 10_000 }, (d) => data.push(d));
      return data;
    };
    for (let i = 0; i < 5; i++) assert.deepEqual(await stream(), ['{"content":"ok"}'], `request ${i + 1}`);
    // The client did reuse kept-alive connections (else this test proves nothing), and each reuse
    // was refused by the server and answered on a fresh connection.
    assert.ok(perConnection.some((n) => n > 1), `requests per connection: ${perConnection.join(',')}`);
  });

  it('a server that closes every connection unanswered is still one clear error, after one retry', async () => {
    const dropAll = createServer((req) => void req.resume().on('end', () => req.socket.destroy()));
    await new Promise<void>((r) => dropAll.listen(0, '127.0.0.1', r));
    let connections = 0;
    dropAll.on('connection', () => connections++);
    try {
      const verdict = checkServerUrl(`http://127.0.0.1:${(dropAll.address() as AddressInfo).port}`, { allowedHosts: [], allowPublicHosts: false });
      assert.ok(verdict.ok);
      await assert.rejects(getJson({ base: verdict.url }, '/props', { timeoutMs: 10_000 }), (e: unknown) => (e as { kind?: string }).kind === 'serverUnreachable');
      assert.equal(connections, 2, 'sent once, then once more: no retry loop');
    } finally {
      await new Promise((r) => dropAll.close(r));
    }
  });
});
