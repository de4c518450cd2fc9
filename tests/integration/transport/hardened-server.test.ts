import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { parseRawAnswer as answerOf, rawRequest } from '../../helpers/raw-http';
import {
  createHardenedServer,
  createMetricsRegistry,
  listenerRefusals,
  readRequestBody,
  toOrtooError,
  type ListenerLimits,
} from '../../../core/src';

/** Short limits, so slow clients are cut off within a test's patience. */
const LIMITS: ListenerLimits = {
  headersTimeoutMs: 400,
  bodyIdleTimeoutMs: 400,
  requestTimeoutMs: 1500,
  maxConnectionsPerPeer: 4,
};

/** `POST /echo` reads its body with the core's reader and tells its size; anything else answers at once. */
async function app(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    res.end('ok');
    return;
  }
  try {
    const body = await readRequestBody(req, { limitBytes: 1024 });
    res.end(`read ${body.length}`);
  } catch (thrown) {
    const error = toOrtooError(thrown);
    const body = JSON.stringify(error.toJSON());
    res.writeHead(error.status, {
      'x-road-error': error.type,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  }
}

describe('createHardenedServer: every listener holds slow and greedy clients to its limits', () => {
  let server: Server;
  let port: number;
  const metrics = createMetricsRegistry({ collectDefault: false });

  beforeAll(async () => {
    server = createHardenedServer((req, res) => void app(req, res), {
      limits: LIMITS,
      onRefused: listenerRefusals(metrics, 'test'),
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers headers that dribble in past the header timeout with a typed 408, then closes', async () => {
    const outcome = await rawRequest(port, [
      { after: 0, data: 'GET / HTTP/1.1\r\n' },
      { after: 200, data: 'Host: x\r\n' },
      { after: 1500, data: 'X-Late: y\r\n\r\n' },
    ]);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs! + 1200);
    expect(answerOf(outcome.text)).toMatchObject({
      status: 408,
      xRoadError: 'Client.RequestTimeout',
      body: { type: 'Client.RequestTimeout', message: expect.any(String) },
    });
  });

  it('closes a connection that never sends a byte, after the header timeout, with a typed 408', async () => {
    const outcome = await rawRequest(port, []);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs! + 1200);
    expect(answerOf(outcome.text).xRoadError).toBe('Client.RequestTimeout');
  });

  it('answers a declared body that never comes with a typed 408 once it pauses past the body-idle timeout', async () => {
    const outcome = await rawRequest(port, [
      { after: 0, data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' },
      { after: 100, data: 'a few bytes' },
    ]);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(100 + LIMITS.bodyIdleTimeoutMs! + 800);
    expect(answerOf(outcome.text)).toMatchObject({
      status: 408,
      body: { type: 'Client.RequestTimeout', detail: { bodyIdleTimeoutMs: LIMITS.bodyIdleTimeoutMs } },
    });
  });

  it('ends a body dribbled byte by byte (never idle for long) at the request timeout', async () => {
    const steps = [{ after: 0, data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' }];
    for (let i = 1; i <= 20; i++) steps.push({ after: i * 150, data: 'x' });
    const outcome = await rawRequest(port, steps);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(LIMITS.requestTimeoutMs! + 1200);
    expect(answerOf(outcome.text).status).toBe(408);
  });

  it('reads a body that comes in time, in pieces', async () => {
    const outcome = await rawRequest(port, [
      {
        after: 0,
        data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabc',
      },
      { after: 150, data: 'def' },
    ]);
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200[\s\S]*read 6$/);
  });

  it('answers CONNECT with a typed 405 instead of dropping the socket', async () => {
    const outcome = await rawRequest(port, [
      { after: 0, data: 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n' },
    ]);
    expect(answerOf(outcome.text)).toMatchObject({
      status: 405,
      xRoadError: 'Client.MethodNotAllowed',
      body: { type: 'Client.MethodNotAllowed' },
    });
    // Counted, not audited: a flood of these must not flood the audit log.
    expect(await metrics.getSingleMetricAsString('ortoo_listener_refusals_total')).toMatch(
      /ortoo_listener_refusals_total\{listener="test",type="Client.MethodNotAllowed"\} [1-9]/,
    );
  });

  it('answers an unknown method and a malformed request with typed errors', async () => {
    const unknown = await rawRequest(port, [{ after: 0, data: 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n' }]);
    expect(answerOf(unknown.text)).toMatchObject({ status: 405, xRoadError: 'Client.MethodNotAllowed' });
    const garbage = await rawRequest(port, [{ after: 0, data: 'GET / HTTP/1.1\r\nHost x\r\n\r\n' }]);
    expect(answerOf(garbage.text)).toMatchObject({ status: 400, xRoadError: 'Client.BadRequest' });
  });

  it('answers a peer beyond its connection limit 429 on the extra connection, and serves it again once it lets go', async () => {
    const held = await Promise.all(
      Array.from({ length: LIMITS.maxConnectionsPerPeer! }, async () => {
        const socket = connect(port, '127.0.0.1');
        await once(socket, 'connect');
        return socket;
      }),
    );
    try {
      const extra = await rawRequest(port, [{ after: 50, data: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]);
      expect(answerOf(extra.text)).toMatchObject({
        status: 429,
        xRoadError: 'Client.TooManyConnections',
        body: { detail: { maxConnectionsPerPeer: LIMITS.maxConnectionsPerPeer } },
      });
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await rawRequest(port, [
      { after: 0, data: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
    ]);
    expect(again.text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps serving other clients while slow ones are held off', async () => {
    const slow = Array.from({ length: 3 }, () =>
      rawRequest(port, [{ after: 0, data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n' }]),
    );
    const started = performance.now();
    const fast = await fetch(`http://127.0.0.1:${port}/`);
    expect(await fast.text()).toBe('ok');
    expect(performance.now() - started).toBeLessThan(300);
    for (const outcome of await Promise.all(slow)) expect(answerOf(outcome.text).status).toBe(408);
  });
});
