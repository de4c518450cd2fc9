import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  OrtooError,
  buildRequest,
  envelopeHash,
  signMessage,
  verifyMessage,
  type GlobalConfSecurityServer,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  createMtlsServer,
} from '../../../core/src';
import { ProviderClient } from '../../../gateway/src/delivery/provider-client';
import { loadOrCreateTrust, type GatewayTrust } from '../../../gateway/src/trust/gateway-trust';
import { PKI_CLOCK_FREE_DATES, createTestCa } from '../../helpers/pki-fixtures';
import { ProviderEndpoint } from '../../helpers/provider-endpoint';
import { createServerIdentity, type ServerIdentity } from '../../helpers/server-identity';

const PROVIDER_SERVER = 'MN/GOV/9011311/ss1';
const CONSUMER_SERVER = 'MN/GOV/7000001/ss1';
const CLIENT = 'MN/GOV/7000001/e-services';
const SERVICE = 'MN/GOV/9011311/civil-registry/person';
const PERSON = { регистр: 'УБ99112233', нэр: 'Болд', овог: 'Батын', хаяг: 'Улаанбаатар, Сүхбаатар дүүрэг' };
const TIMEOUT_MS = 5_000;

/** The OrtooError `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<OrtooError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrtooError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('ProviderClient', () => {
  let dir: string;
  let trust: GatewayTrust;
  let provider: ServerIdentity;
  let consumer: ServerIdentity;
  let endpoint: ProviderEndpoint;
  let client: ProviderClient;

  /** A request of the consumer for the provider's service, signed. */
  function request(json: unknown = PERSON): SignedMessage<RequestEnvelope> {
    return signMessage(
      buildRequest({
        client: CLIENT,
        service: SERVICE,
        method: 'POST',
        body: { contentType: 'application/json', json: json as never },
      }),
      consumer.sign.signer,
    );
  }

  /** A ProviderClient with the gateway's TLS identity. */
  function gatewayClient(options: { maxAnswerBytes?: number } = {}): ProviderClient {
    return new ProviderClient({
      certificatePem: trust.tls.certificate.pem,
      keyPem: trust.tls.keyPem,
      caPem: [trust.ca.certificate.pem],
      ...options,
    });
  }

  /** A bare mTLS server with the provider's identity, answering with `listener`; closed by the returned function. */
  async function rawProvider(
    listener: RequestListener,
    identity: ServerIdentity = provider,
  ): Promise<{ server: GlobalConfSecurityServer; close: () => Promise<void> }> {
    const https = createMtlsServer(listener, {
      certificatePem: identity.auth.certificatePem,
      keyPem: identity.auth.keyPem,
      caPem: [trust.ca.certificate.pem],
    });
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    const { port } = https.address() as AddressInfo;
    return {
      server: {
        ...endpoint.globalConfServer,
        address: `https://127.0.0.1:${port}`,
        authCertificates: [{ thumbprint: identity.auth.thumbprint, serial: '1', pem: '' }],
      },
      close: async () => {
        https.closeAllConnections();
        await new Promise((resolve) => https.close(resolve));
      },
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-provider-client-'));
    trust = loadOrCreateTrust({ dir, instance: 'MN' });
    provider = createServerIdentity(trust.ca, { serverId: PROVIDER_SERVER });
    consumer = createServerIdentity(trust.ca, { serverId: CONSUMER_SERVER });
    endpoint = await ProviderEndpoint.start({
      identity: provider,
      caPem: [trust.ca.certificate.pem],
      clientThumbprints: [trust.tls.certificate.thumbprint],
    });
  });

  afterAll(async () => {
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    endpoint.reset();
    client = gatewayClient();
  });

  afterEach(() => {
    client.close();
  });

  it("delivers a request and returns the provider's signed answer, Cyrillic intact", async () => {
    const message = request();
    const answer = (await client.deliver(
      endpoint.globalConfServer,
      message,
      TIMEOUT_MS,
    )) as SignedMessage<ResponseEnvelope>;

    verifyMessage(answer, (thumbprint) =>
      thumbprint === provider.sign.certificate.thumbprint ? provider.sign.certificate : undefined,
    );
    expect(answer.envelope).toMatchObject({
      kind: 'response',
      id: message.envelope.id,
      status: 200,
      requestHash: envelopeHash(message.envelope),
    });
    expect(answer.body).toEqual({ id: message.envelope.id, answer: 'Иргэний мэдээлэл олдлоо', echo: PERSON });
    expect(endpoint.received).toContain(message.envelope.id);
  });

  it('keeps one connection for calls one after another', async () => {
    const before = endpoint.connections;
    for (let i = 0; i < 10; i += 1) await client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS);
    expect(endpoint.connections - before).toBe(1);
  });

  it('accepts a certificate that does not name the address, when it is the registered one', async () => {
    const named = createServerIdentity(trust.ca, {
      serverId: PROVIDER_SERVER,
      names: { dnsNames: ['ss1.civil-registry.gov.mn'], ipAddresses: [] },
    });
    const raw = await rawProvider((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }, named);
    try {
      await expect(client.deliver(raw.server, request(), TIMEOUT_MS)).resolves.toEqual({ ok: true });
    } finally {
      await raw.close();
    }
  });

  it('is ProviderUnavailable while the server is down, and delivers once it is back', async () => {
    await client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS); // a pooled connection
    await endpoint.stop();
    try {
      const error = await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.detail).toMatchObject({ serverId: PROVIDER_SERVER, reason: 'ECONNREFUSED' });
    } finally {
      await endpoint.start();
    }
    const message = request();
    await client.deliver(endpoint.globalConfServer, message, TIMEOUT_MS);
    expect(endpoint.received.at(-1)).toBe(message.envelope.id);
  });

  it('tries once more on a new connection when a kept one is closed under the request, never on a new one', async () => {
    const requestsOn = new WeakMap<object, number>();
    let requests = 0;
    let resetEvery = false;
    const raw = await rawProvider((req, res) => {
      requests += 1;
      const count = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, count);
      // The idle-timeout race: the server drops a kept connection just as a request comes on it.
      if (count > 1 || resetEvery) req.socket.destroy();
      else res.end('{"ok":true}');
    });
    try {
      await client.deliver(raw.server, request(), TIMEOUT_MS);
      await expect(client.deliver(raw.server, request(), TIMEOUT_MS)).resolves.toEqual({ ok: true });
      expect(requests).toBe(3);

      resetEvery = true;
      client.close();
      client = gatewayClient();
      const error = await failureOf(client.deliver(raw.server, request(), TIMEOUT_MS));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.detail).toEqual({ serverId: PROVIDER_SERVER, reason: 'ECONNRESET' });
      expect(requests).toBe(4);
    } finally {
      await raw.close();
    }
  });

  it('is ProviderTimeout when the answer does not come within the deadline', async () => {
    endpoint.delay(3_000);
    const started = Date.now();
    const error = await failureOf(client.deliver(endpoint.globalConfServer, request(), 300));
    expect(error.code).toBe('ProviderTimeout');
    expect(error.detail).toMatchObject({ serverId: PROVIDER_SERVER, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is ProviderUnavailable for a plain 502, 503 or 504', async () => {
    for (const status of [502, 503, 504]) {
      endpoint.failTimes(1, status);
      const error = await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.detail).toEqual({ serverId: PROVIDER_SERVER, status });
    }
    await expect(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS)).resolves.toBeDefined();
  });

  it("passes on the provider's own typed error", async () => {
    endpoint.failTimes(1, 503, 'Server.ServerProxy.NetworkError');
    const error = await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS));
    expect(error.code).toBe('BackendUnavailable');
    expect(error.message).toBe('Programmed failure');
    expect(error.detail).toEqual({ serverId: PROVIDER_SERVER, status: 503 });
  });

  it('is InvalidAnswer for another status without a known type, the typed error with one', async () => {
    endpoint.failTimes(1, 400);
    expect((await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS))).code).toBe(
      'InvalidAnswer',
    );
    endpoint.failTimes(1, 500, 'Some.Unknown.Type');
    const unknown = await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS));
    expect(unknown.code).toBe('InvalidAnswer');
    expect(unknown.detail).toEqual({ serverId: PROVIDER_SERVER, status: 500, type: 'Some.Unknown.Type' });
    endpoint.failTimes(1, 400, 'Client.BadRequest');
    expect((await failureOf(client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS))).code).toBe(
      'BadRequest',
    );
  });

  it('refuses a server presenting a certificate not registered for it, before sending anything', async () => {
    const other = createServerIdentity(trust.ca, { serverId: PROVIDER_SERVER });
    const registeredElsewhere: GlobalConfSecurityServer = {
      ...endpoint.globalConfServer,
      authCertificates: [{ thumbprint: other.auth.thumbprint, serial: '1', pem: other.auth.certificatePem }],
    };
    const received = endpoint.received.length;
    // On a new connection, then on one the pool kept from a call to the registered server.
    const fresh = await failureOf(client.deliver(registeredElsewhere, request(), TIMEOUT_MS));
    await client.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS);
    const reused = await failureOf(client.deliver(registeredElsewhere, request(), TIMEOUT_MS));
    for (const error of [fresh, reused]) {
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.detail).toEqual({
        serverId: PROVIDER_SERVER,
        reason: 'unregistered-certificate',
        thumbprint: provider.auth.thumbprint,
      });
    }
    expect(endpoint.received.length).toBe(received + 1);
  });

  it('refuses a server whose certificate another CA issued', async () => {
    const foreignCa = createTestCa('Foreign CA', {
      notBefore: PKI_CLOCK_FREE_DATES.notBefore,
      notAfter: PKI_CLOCK_FREE_DATES.notAfter,
    });
    const foreign = createServerIdentity(foreignCa, { serverId: PROVIDER_SERVER });
    const raw = await rawProvider((_req, res) => res.end('{}'), foreign);
    try {
      const error = await failureOf(client.deliver(raw.server, request(), TIMEOUT_MS));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.detail).toMatchObject({ serverId: PROVIDER_SERVER, reason: expect.any(String) });
    } finally {
      await raw.close();
    }
  });

  it('is InvalidAnswer for an answer over the size limit, declared or streamed', async () => {
    const small = gatewayClient({ maxAnswerBytes: 64 * 1024 });
    try {
      endpoint.respond(() => ({
        status: 200,
        body: { contentType: 'application/json', json: { text: 'ө'.repeat(40 * 1024) } },
      }));
      const declared = await failureOf(small.deliver(endpoint.globalConfServer, request(), TIMEOUT_MS));
      expect(declared.code).toBe('InvalidAnswer');
      expect(declared.detail).toEqual({ serverId: PROVIDER_SERVER, limitBytes: 64 * 1024 });

      const raw = await rawProvider((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length told
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        for (let i = 0; i < 8; i += 1) res.write(chunk);
        res.end('{}');
      });
      try {
        const streamed = await failureOf(small.deliver(raw.server, request(), TIMEOUT_MS));
        expect(streamed.code).toBe('InvalidAnswer');
      } finally {
        await raw.close();
      }
    } finally {
      small.close();
    }
  });

  it('is InvalidAnswer for a 200 that is not JSON', async () => {
    const raw = await rawProvider((_req, res) => res.end('<html>Сайн уу</html>'));
    try {
      expect((await failureOf(client.deliver(raw.server, request(), TIMEOUT_MS))).code).toBe('InvalidAnswer');
    } finally {
      await raw.close();
    }
  });

  it('does not talk to a server without an https address', async () => {
    const error = await failureOf(
      client.deliver({ ...endpoint.globalConfServer, address: 'http://127.0.0.1:1' }, request(), TIMEOUT_MS),
    );
    expect(error.code).toBe('ProviderUnavailable');
    expect(error.detail).toMatchObject({ reason: 'address-not-https' });
  });

  it("hands an answer to the consumer's server, taking any 2xx as done", async () => {
    const answer = (await client.deliver(
      endpoint.globalConfServer,
      request(),
      TIMEOUT_MS,
    )) as SignedMessage<ResponseEnvelope>;
    await client.callback(endpoint.globalConfServer, answer, TIMEOUT_MS);
    expect(endpoint.callbacks.at(-1)).toEqual(answer);

    endpoint.failCallbackTimes(1, 503);
    expect((await failureOf(client.callback(endpoint.globalConfServer, answer, TIMEOUT_MS))).code).toBe(
      'ProviderUnavailable',
    );
  });
});
