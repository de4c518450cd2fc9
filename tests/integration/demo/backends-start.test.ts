import { request as httpRequest, Agent } from 'node:http';
import {
  DEFAULT_BACKEND_HOST,
  createCivilRegistryBackend,
  startBackend,
  type RunningBackend,
} from '../../../scripts/demo/backends';
import { PERSON_SERVICE } from '../../../scripts/demo/demo-data';

/** POSTs a JSON body over a real connection, through `agent` (keep-alive when asked). */
function post(url: string, body: unknown, agent?: Agent): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('startBackend', () => {
  const running: RunningBackend[] = [];
  const agent = new Agent({ keepAlive: true });

  afterAll(async () => {
    agent.destroy();
    await Promise.all(running.map((backend) => backend.close().catch(() => undefined)));
  });

  it('serves a backend on a free port of 127.0.0.1', async () => {
    const backend = await startBackend(createCivilRegistryBackend(), 0);
    running.push(backend);
    expect(backend.host).toBe(DEFAULT_BACKEND_HOST);
    expect(backend.port).toBeGreaterThan(0);
    expect(backend.origin).toBe(`http://127.0.0.1:${backend.port}`);
    const res = await post(`${backend.origin}${PERSON_SERVICE.backendPath}`, {
      registerNumber: 'УБ99010112',
    });
    expect(res).toMatchObject({ status: 200, body: { firstName: 'Тэмүүлэн' } });
  });

  it('closes at once despite a kept-alive connection, and starts again on the same port', async () => {
    const app = createCivilRegistryBackend();
    const first = await startBackend(app, 0);
    const url = `${first.origin}${PERSON_SERVICE.backendPath}`;
    await expect(post(url, { registerNumber: 'УБ99010112' }, agent)).resolves.toMatchObject({ status: 200 });

    await first.close();
    // The outage: nobody listens.
    await expect(post(url, { registerNumber: 'УБ99010112' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const second = await startBackend(app, first.port);
    running.push(second);
    expect(second.port).toBe(first.port);
    // A new connection: the pooled one died with the outage, which a client may learn only on use.
    await expect(post(url, { registerNumber: 'УБ99010112' })).resolves.toMatchObject({ status: 200 });
  });

  it('fails naming the address when the port is taken', async () => {
    const taken = await startBackend(createCivilRegistryBackend(), 0);
    running.push(taken);
    await expect(startBackend(createCivilRegistryBackend(), taken.port)).rejects.toThrow(
      `Cannot listen on 127.0.0.1:${taken.port}: listen EADDRINUSE`,
    );
  });
});
