import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createHardenedServer, readRequestBody, toOrtooError, type ListenerLimits } from '../../../core/src';

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

/** What a raw client saw: the answer's bytes, how long until the server closed, whether it did. */
interface RawOutcome {
  readonly text: string;
  readonly elapsedMs: number;
  readonly closed: boolean;
}

/**
 * Opens a socket to 127.0.0.1:`port`, writes `steps` (each after its delay),
 * and reads until the server closes or `giveUpMs` passes.
 */
function rawClient(
  port: number,
  steps: readonly { readonly after: number; readonly data: string }[],
  giveUpMs = 4000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timers = steps.map((step) =>
      setTimeout(() => socket.writable && socket.write(step.data), step.after),
    );
    const done = (closed: boolean) => {
      timers.forEach(clearTimeout);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, elapsedMs: performance.now() - started, closed });
    };
    const giveUp = setTimeout(() => done(false), giveUpMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
}

/** The status, `X-Road-Error` and JSON body of a raw HTTP answer. */
function answerOf(text: string): { status: number; xRoadError: string | undefined; body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const xRoadError = /\r\nx-road-error: ([^\r]+)/i.exec(head)?.[1];
  return { status, xRoadError, body: body === '' ? undefined : (JSON.parse(body) as unknown) };
}

describe('createHardenedServer: every listener holds slow and greedy clients to its limits', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createHardenedServer((req, res) => void app(req, res), { limits: LIMITS });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers headers that dribble in past the header timeout with a typed 408, then closes', async () => {
    const outcome = await rawClient(port, [
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
    const outcome = await rawClient(port, []);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs! + 1200);
    expect(answerOf(outcome.text).xRoadError).toBe('Client.RequestTimeout');
  });

  it('answers a declared body that never comes with a typed 408 once it pauses past the body-idle timeout', async () => {
    const outcome = await rawClient(port, [
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
    const outcome = await rawClient(port, steps);
    expect(outcome.closed).toBe(true);
    expect(outcome.elapsedMs).toBeLessThan(LIMITS.requestTimeoutMs! + 1200);
    expect(answerOf(outcome.text).status).toBe(408);
  });

  it('reads a body that comes in time, in pieces', async () => {
    const outcome = await rawClient(port, [
      {
        after: 0,
        data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabc',
      },
      { after: 150, data: 'def' },
    ]);
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200[\s\S]*read 6$/);
  });

  it('answers CONNECT with a typed 405 instead of dropping the socket', async () => {
    const outcome = await rawClient(port, [
      { after: 0, data: 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n' },
    ]);
    expect(answerOf(outcome.text)).toMatchObject({
      status: 405,
      xRoadError: 'Client.MethodNotAllowed',
      body: { type: 'Client.MethodNotAllowed' },
    });
  });

  it('answers an unknown method and a malformed request with typed errors', async () => {
    const unknown = await rawClient(port, [{ after: 0, data: 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n' }]);
    expect(answerOf(unknown.text)).toMatchObject({ status: 405, xRoadError: 'Client.MethodNotAllowed' });
    const garbage = await rawClient(port, [{ after: 0, data: 'GET / HTTP/1.1\r\nHost x\r\n\r\n' }]);
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
      const extra = await rawClient(port, [{ after: 50, data: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]);
      expect(answerOf(extra.text)).toMatchObject({
        status: 429,
        xRoadError: 'Client.TooManyConnections',
        body: { detail: { maxConnectionsPerPeer: LIMITS.maxConnectionsPerPeer } },
      });
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await rawClient(port, [
      { after: 0, data: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
    ]);
    expect(again.text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps serving other clients while slow ones are held off', async () => {
    const slow = Array.from({ length: 3 }, () =>
      rawClient(port, [{ after: 0, data: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n' }]),
    );
    const started = performance.now();
    const fast = await fetch(`http://127.0.0.1:${port}/`);
    expect(await fast.text()).toBe('ok');
    expect(performance.now() - started).toBeLessThan(300);
    for (const outcome of await Promise.all(slow)) expect(answerOf(outcome.text).status).toBe(408);
  });
});
