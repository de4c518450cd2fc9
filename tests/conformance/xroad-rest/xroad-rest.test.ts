/**
 * Conformance of the client proxy to X-Road's Message Protocol for REST
 * (PR-REST 1.0.x) and its metadata protocols (PR-MREST, and PR-META 2 for
 * `listClients`), case by case, each named by the section it comes from.
 *
 * A running network, as deployed: a gateway on real PostgreSQL and Redis,
 * e-Mongolia's and the civil registry's security servers registered through
 * the gateway, and, behind the civil registry's server, a recording backend
 * that keeps every request it gets and answers as each case programs it. A
 * local system calls e-Mongolia's client proxy over HTTP, as an unchanged
 * X-Road client would. The summary (cases, passed) is printed at the end.
 *
 * What the suite does not check, and why, is in `README.md` beside it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import express from 'express';
import {
  CIVIL_REGISTRY,
  E_SERVICES,
  INSTANCE,
  PERSON_SERVICE,
  repoPath,
  schemaFilesOf,
} from '../../../scripts/demo/demo-data';
import { startSsNetwork, type SsNetwork } from '../../helpers/ss-network';

/** What the recording backend got. */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the recording backend answers. */
interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Drop the connection instead of answering: a backend that cannot answer. */
  readonly hangUp?: boolean;
}

const SERVICE = PERSON_SERVICE.id;
const CLIENT = E_SERVICES.subsystemId;
const BASE = `/r1/${SERVICE}`;
/** A service of the civil registry no access right opens. */
const CLOSED_SERVICE = `${CIVIL_REGISTRY.subsystemId}/vehicle`;
/** An agency registered without any security server. */
const OFFLINE_MEMBER = `${INSTANCE}/GOV/5000005`;
const OFFLINE_SERVICE = `${OFFLINE_MEMBER}/registry/lookup`;
const PERSON = { registerNumber: 'УБ99010112' };

/** The backend's default answer: plain text, with headers of its own that X-Road must pass or overwrite. */
const DEFAULT_REPLY: Reply = {
  status: 200,
  headers: {
    'content-type': 'text/plain; charset=iso-8859-1',
    'x-powered-by': 'recording-backend',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    server: 'backend-origin/1.0',
    'x-road-request-hash': 'set-by-the-backend',
    'x-road-id': 'set-by-the-backend',
  },
  body: 'ok',
};

let network: SsNetwork;
let received: Recorded[] = [];
let reply: (request: Recorded) => Reply = () => DEFAULT_REPLY;

/** A backend that records each request whole and answers with {@link reply}. */
function recordingBackend(): express.Express {
  const app = express();
  app.use((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method,
        url: req.originalUrl,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(recorded);
      const answer = reply(recorded);
      if (answer.hangUp === true) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  return app;
}

/** The one request the backend got in this case. */
function only(): Recorded {
  expect(received).toHaveLength(1);
  return received[0] as Recorded;
}

/** Calls the client proxy as the portal (API key in `Authorization`), with `X-Road-Client` unless given. */
function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('x-road-client')) headers.set('x-road-client', CLIENT);
  return network.call(path, { redirect: 'manual', ...init, headers });
}

/** What a raw HTTP client gets: for what `fetch` would not send (repeated or forbidden headers, `..`). */
function rawCall(
  method: string,
  path: string,
  headers: readonly string[],
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(network.consumer.clientUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: ['host', url.host, 'authorization', `Bearer ${network.apiKey}`, ...headers],
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

/** Expects X-Road's error answer of PR-REST 4.6: status, `X-Road-Error`, `{type, message, detail}`. */
async function expectXRoadError(
  res: Response,
  status: 400 | 500,
  typePrefix: string,
): Promise<{ type: string }> {
  const body = (await res.json()) as { type: string; message: unknown; detail: unknown };
  expect({ status: res.status, header: res.headers.get('x-road-error') }).toEqual({
    status,
    header: body.type,
  });
  expect(body.type.startsWith(typePrefix)).toBe(true);
  expect(typeof body.message).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return body;
}

const tally = { cases: 0, passed: 0 };

/** One conformance case: counted, and counted as passed when it passes. */
function conformance(name: string, run: () => Promise<void>): void {
  tally.cases += 1;
  it(name, async () => {
    await run();
    tally.passed += 1;
  });
}

beforeAll(async () => {
  const schema = (file: string): unknown => JSON.parse(readFileSync(repoPath(file), 'utf8'));
  const serviceOf = (id: string) => ({
    id,
    version: 'v1',
    title: id,
    requestSchema: schema(schemaFilesOf(PERSON_SERVICE).requestSchema),
    responseSchema: schema(schemaFilesOf(PERSON_SERVICE).responseSchema),
    timeoutMs: 10_000,
  });
  network = await startSsNetwork({
    backend: recordingBackend(),
    serviceFields: { requestMediaTypes: ['application/pdf'] },
    async register(admin, auth) {
      await admin.post('/v1/services').set('Authorization', auth).send(serviceOf(CLOSED_SERVICE)).expect(201);
      await admin
        .post('/v1/members')
        .set('Authorization', auth)
        .send({ id: OFFLINE_MEMBER, name: 'Offline agency' })
        .expect(201);
      await admin
        .post('/v1/subsystems')
        .set('Authorization', auth)
        .send({ id: `${OFFLINE_MEMBER}/registry` })
        .expect(201);
      await admin
        .post('/v1/services')
        .set('Authorization', auth)
        .send(serviceOf(OFFLINE_SERVICE))
        .expect(201);
      await admin
        .post('/v1/access-rights')
        .set('Authorization', auth)
        .send({ serviceId: OFFLINE_SERVICE, clientId: CLIENT })
        .expect(201);
    },
  });
}, 120_000);

afterAll(async () => {
  console.log(`X-Road REST conformance (PR-REST, PR-MREST): ${tally.cases} cases, ${tally.passed} passed`);
  expect(await network.close()).toEqual([]);
}, 60_000);

beforeEach(() => {
  received = [];
  reply = () => DEFAULT_REPLY;
});

describe('PR-REST 3 Scope', () => {
  conformance('3.1 carries a payload of any media type, byte-exact both ways', async () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0a, 0x80]);
    reply = () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const res = await call(`${BASE}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(only().body).toEqual(bytes);
    expect(only().headers['content-type']).toBe('application/pdf');
  });
});

describe('PR-REST 4.1 REST Interface', () => {
  conformance('4.1 calls {serviceId} at its mapped URL with [path] and [query-parameters]', async () => {
    const res = await call(`${BASE}/v1/bar/zyggy?quu=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(only()).toMatchObject({ method: 'GET', url: `${PERSON_SERVICE.backendPath}/v1/bar/zyggy?quu=1` });
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    conformance(`4.1 passes the request method ${method}`, async () => {
      const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
      const res = await call(`${BASE}/persons/1`, {
        method,
        ...(withBody
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(PERSON) }
          : {}),
      });
      expect(res.status).toBe(200);
      expect(only().method).toBe(method);
      if (withBody) expect(JSON.parse(only().body.toString('utf8'))).toEqual(PERSON);
    });
  }

  conformance('4.1 takes r1 as the protocol version and refuses any other', async () => {
    const res = await call(`/r2/${SERVICE}`);
    await expectXRoadError(res, 400, 'Client.');
    expect(received).toHaveLength(0);
  });

  conformance('4.1 requires X-Road-Client', async () => {
    const res = await network.call(BASE);
    expect((await expectXRoadError(res, 400, 'Client.BadRequest')).type).toBe('Client.BadRequest');
  });
});

describe('PR-REST 4.2 URI Sanitation', () => {
  conformance('4.2 decodes each identifier part percent-encoded on its own', async () => {
    const res = await call(`/r1/${SERVICE.replace('civil-registry', 'civil%2Dregistry')}`);
    expect(res.status).toBe(200);
  });

  conformance('4.2 refuses a serviceId whose "/" separators are percent-encoded', async () => {
    await expectXRoadError(await call(`/r1/${encodeURIComponent(SERVICE)}`), 400, 'Client.');
  });

  conformance('4.2 limits the length of the request URI', async () => {
    await expectXRoadError(await call(`${BASE}/${'a'.repeat(9000)}`), 400, 'Client.BadRequest');
  });

  for (const segment of ['..', '%2e%2e', '%2E.', '.%2e']) {
    conformance(`4.2 refuses a path that climbs out of the service (${segment}), against SSRF`, async () => {
      const res = await rawCall('GET', `${BASE}/${segment}/admin`, ['x-road-client', CLIENT]);
      expect(res.status).toBe(400);
      expect(res.headers['x-road-error']).toBe('Client.BadRequest');
      expect(received).toHaveLength(0);
    });
  }
});

describe('PR-REST 4.3 Use of HTTP Headers', () => {
  conformance('4.3 reads X-Road-Client case-insensitively, its parts percent-encoded', async () => {
    const res = await rawCall('GET', BASE, ['x-ROAD-client', CLIENT.replace('e-services', 'e%2Dservices')]);
    expect(res.status).toBe(200);
    expect(only().headers['x-road-client']).toBe(CLIENT);
  });

  conformance('4.3 uses the last of several X-Road-Client headers', async () => {
    const res = await rawCall('GET', BASE, [
      'X-Road-Client',
      `${INSTANCE}/GOV/0000000/nobody`,
      'X-Road-Client',
      CLIENT,
    ]);
    expect(res.status).toBe(200);
    expect(res.headers['x-road-client']).toBe(CLIENT);
    expect(only().headers['x-road-client']).toBe(CLIENT);
  });

  conformance(
    '4.3 answers X-Road-Client, X-Road-Service, X-Road-Id, X-Road-Request-Hash, X-Road-Request-Id',
    async () => {
      const res = await call(BASE, { headers: { 'x-road-id': 'conformance-ids-1' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-road-client')).toBe(CLIENT);
      expect(res.headers.get('x-road-service')).toBe(SERVICE);
      expect(res.headers.get('x-road-id')).toBe('conformance-ids-1');
      expect(res.headers.get('x-road-request-hash')).toEqual(expect.any(String));
      expect(res.headers.get('x-road-request-id')).toEqual(expect.any(String));
    },
  );

  conformance('4.3 X-Road-Request-Hash is standard base64 of a SHA-512 digest', async () => {
    const hash = (await call(BASE)).headers.get('x-road-request-hash') ?? '';
    expect(hash).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(Buffer.from(hash, 'base64')).toHaveLength(64);
  });

  conformance('4.3 X-Road-Request-Hash covers the body: another body, another hash', async () => {
    const post = (registerNumber: string) =>
      call(BASE, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ registerNumber }),
      });
    const first = (await post('УБ99010112')).headers.get('x-road-request-hash');
    const second = (await post('УБ99010113')).headers.get('x-road-request-hash');
    expect(first).not.toBe(second);
  });

  conformance('4.3 the request hash is the provider server’s, the same it gave the backend', async () => {
    const res = await call(BASE, { headers: { 'x-road-request-hash': 'sent-by-the-client' } });
    const hash = res.headers.get('x-road-request-hash');
    expect(only().headers['x-road-request-hash']).toBe(hash);
    expect(hash).not.toBe('sent-by-the-client');
  });

  conformance('4.3 a request hash the provider’s backend sets is replaced', async () => {
    const res = await call(BASE);
    expect(res.headers.get('x-road-request-hash')).not.toBe('set-by-the-backend');
    expect(res.headers.get('x-road-id')).not.toBe('set-by-the-backend');
  });

  conformance('4.3 X-Road-Request-Id is unique per request', async () => {
    const first = await call(BASE);
    const second = await call(BASE);
    expect(first.headers.get('x-road-request-id')).not.toBe(second.headers.get('x-road-request-id'));
  });

  conformance('4.3 Content-Type of a request reaches the provider unmodified', async () => {
    await call(BASE, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify(PERSON),
    });
    expect(only().headers['content-type']).toBe('application/json;charset=UTF-8');
  });

  conformance('4.3 Content-Type of an answer reaches the client unmodified', async () => {
    expect((await call(BASE)).headers.get('content-type')).toBe('text/plain; charset=iso-8859-1');
  });

  conformance('4.3 Accept reaches the provider unmodified', async () => {
    await call(BASE, { headers: { accept: 'application/xml;q=0.9, application/json' } });
    expect(only().headers.accept).toBe('application/xml;q=0.9, application/json');
  });

  conformance('4.3 without Accept, the security server’s own answers are application/json', async () => {
    const res = await rawCall('GET', `/r1/${INSTANCE}/GOV`, ['x-road-client', CLIENT]);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ type: 'Client.BadRequest' });
  });

  conformance('4.3 X-Road-Security-Server sends the request to the provider server it names', async () => {
    const res = await call(BASE, { headers: { 'x-road-security-server': network.provider.serverId } });
    expect(res.status).toBe(200);
    expect(only().headers['x-road-security-server']).toBeUndefined();
  });

  conformance('4.3 X-Road-Security-Server naming an unknown server is refused', async () => {
    const res = await call(BASE, { headers: { 'x-road-security-server': `${CIVIL_REGISTRY.memberId}/ss9` } });
    expect((await expectXRoadError(res, 400, 'Client.')).type).toBe('Client.UnknownTargetServer');
    expect(received).toHaveLength(0);
  });

  conformance('4.3 X-Road-Security-Server naming a server not of the provider is refused', async () => {
    const res = await call(BASE, { headers: { 'x-road-security-server': network.consumer.serverId } });
    expect((await expectXRoadError(res, 400, 'Client.')).type).toBe('Client.UnknownTargetServer');
    expect(received).toHaveLength(0);
  });

  conformance('4.3 X-Road-Represented-Party reaches the provider', async () => {
    await call(BASE, { headers: { 'x-road-represented-party': 'COM/12345' } });
    expect(only().headers['x-road-represented-party']).toBe('COM/12345');
  });

  conformance('4.3 X-Road-Id given by the client identifies the message end to end', async () => {
    const id = `conformance-${randomUUID()}`;
    const res = await call(BASE, { headers: { 'x-road-id': id } });
    expect(res.headers.get('x-road-id')).toBe(id);
    expect(only().headers['x-road-id']).toBe(id);
  });

  conformance('4.3 X-Road-Id is generated when the client gives none, and answered', async () => {
    const res = await call(BASE);
    const id = res.headers.get('x-road-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(only().headers['x-road-id']).toBe(id);
  });

  conformance('4.3 X-Road-UserId and X-Road-Issue reach the provider', async () => {
    await call(BASE, { headers: { 'x-road-userid': 'MN12345678', 'x-road-issue': 'MT324223MSD' } });
    expect(only().headers).toMatchObject({ 'x-road-userid': 'MN12345678', 'x-road-issue': 'MT324223MSD' });
  });

  conformance('4.3 X-Road-Error is absent from the provider’s own answers', async () => {
    expect((await call(BASE)).headers.get('x-road-error')).toBeNull();
  });

  conformance('4.3 user-defined request headers reach the provider unmodified', async () => {
    await call(BASE, {
      headers: { 'X-Custom-Trace': 'trace 7; span=Ab', 'X-Pingback': 'https://example.com/xmlrpc.php' },
    });
    expect(only().headers).toMatchObject({
      'x-custom-trace': 'trace 7; span=Ab',
      'x-pingback': 'https://example.com/xmlrpc.php',
    });
  });

  conformance('4.3 user-defined response headers reach the client unmodified', async () => {
    expect((await call(BASE)).headers.get('x-powered-by')).toBe('recording-backend');
  });

  conformance('4.3 cache headers pass as-is, both ways', async () => {
    const res = await call(BASE, {
      headers: { 'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache' },
    });
    expect(only().headers).toMatchObject({
      'cache-control': 'no-cache, no-store, must-revalidate',
      pragma: 'no-cache',
    });
    expect({ cacheControl: res.headers.get('cache-control'), pragma: res.headers.get('pragma') }).toEqual({
      cacheControl: 'no-store',
      pragma: 'no-cache',
    });
  });

  conformance(
    '4.3 filters hop-by-hop headers: Connection and those it names, Keep-Alive, TE, Proxy-*',
    async () => {
      const res = await rawCall('GET', BASE, [
        'x-road-client',
        CLIENT,
        'connection',
        'keep-alive, x-hop-only',
        'x-hop-only',
        '1',
        'keep-alive',
        'timeout=5',
        'te',
        'trailers',
        'proxy-authorization',
        'Basic eDp5',
      ]);
      expect(res.status).toBe(200);
      const { headers } = only();
      expect([
        headers['x-hop-only'],
        headers['keep-alive'],
        headers.te,
        headers['proxy-authorization'],
      ]).toEqual([undefined, undefined, undefined, undefined]);
    },
  );

  conformance('4.3 filters the headers that leak the origin: Host and User-Agent of the client', async () => {
    await rawCall('GET', BASE, ['x-road-client', CLIENT, 'user-agent', 'consumer-system/1.0']);
    const { headers } = only();
    expect(headers.host).toBe(new URL(network.backend.origin).host);
    expect(headers['user-agent']).not.toBe('consumer-system/1.0');
  });

  conformance('4.3 filters the header that leaks the origin: Server of the backend', async () => {
    expect((await call(BASE)).headers.get('server')).not.toBe('backend-origin/1.0');
  });
});

describe('PR-REST 4.4 HTTP Redirects', () => {
  conformance('4.4 passes a redirect unmodified and does not follow it', async () => {
    reply = () => ({ status: 302, headers: { location: 'https://elsewhere.example/v2/pets/1' } });
    const res = await call(`${BASE}/v1/pets/1`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://elsewhere.example/v2/pets/1');
    expect(received).toHaveLength(1);
  });
});

describe('PR-REST 4.5 Use of Query Parameters', () => {
  conformance('4.5 passes query parameters unmodified: order, repeats, encoding', async () => {
    const query = 'b=2&a=1&a=3&x=%2F%20+y&empty=&flag';
    await call(`${BASE}/search?${query}`);
    expect(only().url).toBe(`${PERSON_SERVICE.backendPath}/search?${query}`);
  });
});

describe('PR-REST 4.6 Error handling', () => {
  conformance(
    '4.6 category 1: the provider’s error answer comes back as-is, without X-Road-Error',
    async () => {
      const body = JSON.stringify({ status: 405, error: 'Method Not Allowed', path: '/v3/pet/findByStatus' });
      reply = () => ({
        status: 405,
        headers: { 'content-type': 'application/json;charset=utf-8', allow: 'GET' },
        body,
      });
      const res = await call(`${BASE}/v3/pet/findByStatus`, { method: 'PUT' });
      expect(res.status).toBe(405);
      expect(res.headers.get('x-road-error')).toBeNull();
      expect(res.headers.get('allow')).toBe('GET');
      expect(await res.text()).toBe(body);
    },
  );

  conformance(
    '4.6 category 2: a provider backend that cannot answer is 500 Server.ServerProxy.*',
    async () => {
      reply = () => ({ status: 200, hangUp: true });
      await expectXRoadError(await call(BASE), 500, 'Server.ServerProxy.');
    },
  );

  conformance('4.6 category 3: a request not of the protocol is 400 Client.BadRequest', async () => {
    const body = await expectXRoadError(await call(`/r1/${INSTANCE}/GOV`), 400, 'Client.BadRequest');
    expect(body.type).toBe('Client.BadRequest');
  });

  conformance('4.6 category 3: a refused access right is 400 Client.*', async () => {
    await expectXRoadError(await call(`/r1/${CLOSED_SERVICE}`), 400, 'Client.AccessDenied');
  });

  conformance('4.6 category 4: a technical error of X-Road is 500 Server.*', async () => {
    await expectXRoadError(await call(`/r1/${OFFLINE_SERVICE}`), 500, 'Server.');
  });

  conformance('4.6 the error body is {type, message, detail}, detail a string', async () => {
    const body = (await (await call(`/r1/${INSTANCE}/GOV`)).json()) as Record<string, unknown>;
    expect(
      Object.keys(body)
        .filter((key) => key !== 'data')
        .sort(),
    ).toEqual(['detail', 'message', 'type']);
    expect(typeof body.detail).toBe('string');
  });

  conformance('4.6 respects Accept: an XML error for a client that accepts only XML', async () => {
    const res = await call(`/r1/${INSTANCE}/GOV`, { headers: { accept: 'application/xml' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(res.headers.get('x-road-error')).toBe('Client.BadRequest');
    const text = await res.text();
    expect(text).toContain('<type>Client.BadRequest</type>');
    expect(text).toMatch(/<detail>[^<]+<\/detail>/);
  });

  conformance('4.6 defaults to JSON when Accept names no type an error can take', async () => {
    const res = await call(`/r1/${INSTANCE}/GOV`, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});

describe('PR-REST 4.7 Security', () => {
  conformance(
    '4.7 a JWT in Authorization reaches the provider when the system authenticates by X-Road-Apikey',
    async () => {
      const jwt = 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJNTjEyMzQ1Njc4In0.c2lnbmF0dXJl';
      const res = await call(BASE, { headers: { authorization: jwt, 'x-road-apikey': network.apiKey } });
      expect(res.status).toBe(200);
      expect(only().headers.authorization).toBe(jwt);
      expect(only().headers['x-road-apikey']).toBeUndefined();
    },
  );

  conformance('4.7 the local system’s own API key never reaches the provider', async () => {
    await call(BASE);
    expect(only().headers.authorization).toBeUndefined();
  });
});

describe('PR-REST 4.8 Identifier Character Restrictions', () => {
  conformance('4.8 refuses an identifier with a character outside the allowed set', async () => {
    const res = await call(`/r1/${SERVICE.replace('civil-registry', 'civil%20registry')}`);
    expect((await expectXRoadError(res, 400, 'Client.')).type).toBe('Client.InvalidIdentifier');
  });
});

describe('PR-REST 6 Examples', () => {
  conformance('6.5 DELETE answered 204 comes back without a body', async () => {
    reply = () => ({ status: 204 });
    const res = await call(`${BASE}/v2/pets/1124`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });
});

describe('PR-META 2 and PR-MREST 2: listClients', () => {
  conformance('PR-META 2 listClients answers text/xml clientList by default', async () => {
    const res = await network.call('/listClients');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const xml = await res.text();
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<xrd:clientList xmlns:xrd="http:\/\/x-road\.eu\/xsd\/xroad\.xsd"/,
    );
    expect(xml).toContain('xmlns:id="http://x-road.eu/xsd/identifiers"');
    expect(xml).toContain(
      `<xrd:id id:objectType="SUBSYSTEM"><id:xRoadInstance>${INSTANCE}</id:xRoadInstance><id:memberClass>GOV</id:memberClass>` +
        `<id:memberCode>${E_SERVICES.memberId.split('/')[2]}</id:memberCode><id:subsystemCode>e-services</id:subsystemCode></xrd:id>`,
    );
  });

  conformance('PR-META 2 listClients answers JSON on Accept: application/json', async () => {
    const res = await network.call('/listClients', { headers: { accept: 'application/json' } });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const list = (await res.json()) as { member: { id: Record<string, string>; name: string }[] };
    expect(list.member).toContainEqual({
      id: {
        object_type: 'SUBSYSTEM',
        xroad_instance: INSTANCE,
        member_class: 'GOV',
        member_code: E_SERVICES.memberId.split('/')[2],
        subsystem_code: 'e-services',
      },
      name: expect.any(String),
    });
  });

  conformance('PR-META 2 listClients?xRoadInstance of another instance lists no client', async () => {
    const res = await network.call('/listClients?xRoadInstance=EE');
    expect(await res.text()).not.toContain('<xrd:member>');
  });
});

/** A service entry of listMethods / allowedMethods as PR-MREST annex B has it. */
const serviceEntry = (code: string) => ({
  object_type: 'SERVICE',
  xroad_instance: INSTANCE,
  member_class: 'GOV',
  member_code: CIVIL_REGISTRY.memberId.split('/')[2],
  subsystem_code: 'civil-registry',
  service_code: code,
});

interface ServiceListEntry {
  service_code: string;
  endpoint_list?: { method: unknown; path: unknown }[];
}

async function services(metaservice: 'listMethods' | 'allowedMethods'): Promise<ServiceListEntry[]> {
  const res = await call(`/r1/${CIVIL_REGISTRY.subsystemId}/${metaservice}`, {
    headers: { accept: 'application/json' },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { service: ServiceListEntry[] }).service;
}

describe('PR-MREST 4 listMethods and allowedMethods', () => {
  conformance('PR-MREST 4 listMethods lists the provider’s services, and no metaservice', async () => {
    const list = await services('listMethods');
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining(serviceEntry('person')),
        expect.objectContaining(serviceEntry('vehicle')),
      ]),
    );
    for (const code of ['listMethods', 'allowedMethods', 'getOpenAPI']) {
      expect(list.map((entry) => entry.service_code)).not.toContain(code);
    }
  });

  conformance('PR-MREST 4 allowedMethods lists only the services the client may call', async () => {
    const codes = (await services('allowedMethods')).map((entry) => entry.service_code);
    expect(codes).toContain('person');
    expect(codes).not.toContain('vehicle');
  });

  // Each service's endpoints: a single-schema service's is `* **`, every method on every path below it.
  for (const metaservice of ['listMethods', 'allowedMethods'] as const) {
    conformance(
      `PR-MREST 4 ${metaservice} lists each service’s endpoints: endpoint_list of method and path`,
      async () => {
        const person = (await services(metaservice)).find((entry) => entry.service_code === 'person');
        expect(Array.isArray(person?.endpoint_list)).toBe(true);
        for (const endpoint of person?.endpoint_list ?? []) {
          expect({ method: typeof endpoint.method, path: typeof endpoint.path }).toEqual({
            method: 'string',
            path: 'string',
          });
        }
      },
    );
  }
});

describe('PR-MREST 5 getOpenAPI', () => {
  conformance('PR-MREST 5 getOpenAPI?serviceCode answers the service’s OpenAPI description', async () => {
    const res = await call(`/r1/${CIVIL_REGISTRY.subsystemId}/getOpenAPI?serviceCode=person`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi?: unknown; paths?: unknown };
    expect(String(document.openapi)).toMatch(/^3\./);
    expect(typeof document.paths).toBe('object');
  });

  conformance(
    'PR-MREST 5 getOpenAPI for an unknown serviceCode is an error in request, 400 (annex A)',
    async () => {
      await expectXRoadError(
        await call(`/r1/${CIVIL_REGISTRY.subsystemId}/getOpenAPI?serviceCode=nothing`),
        400,
        'Client.',
      );
    },
  );

  conformance('PR-MREST 5 getOpenAPI without serviceCode is an error in request, 400 (annex A)', async () => {
    await expectXRoadError(await call(`/r1/${CIVIL_REGISTRY.subsystemId}/getOpenAPI`), 400, 'Client.');
  });
});
