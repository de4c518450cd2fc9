/**
 * The client proxy against a real gateway router (its exchange listener over
 * mutual TLS, BullMQ delivery on Redis, a provider endpoint), with a real
 * message log on PostgreSQL and the global configuration fetched and
 * verified from the gateway as a security server does. The proxy is called
 * in-process, as a local system would call it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import {
  GlobalConfClient,
  createMetricsRegistry,
  createMtlsServer,
  xRoadRequestHash,
  verifyAnswer,
  verifyRequest,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import { createClientProxyApp } from '../../../security-server/src/client-proxy/client-proxy-app';
import { ConfHolder } from '../../../security-server/src/conf-holder';
import { hashApiKey, type SecurityServerConfig } from '../../../security-server/src/config';
import type { SecurityServerDeps, ServerIdentity } from '../../../security-server/src/deps';
import { GatewayClient } from '../../../security-server/src/gateway-client';
import type { MessageLog } from '../../../security-server/src/message-log/message-log';
import {
  CONSUMER,
  PERSON_REQUEST_SCHEMA,
  PERSON_SERVICE,
  PROVIDER,
  personAnswer,
  startExchangeNetwork,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';
import { insertSubsystems, memberOf } from '../../helpers/registry-fixtures';
import { closedPort, openTestMessageLog, quietLogger, testConfig } from './provider-support';

const PORTAL_KEY = 'portal-7f3a9c2e-secret';
const ARCHIVE_KEY = 'archive-secret';
/** A subsystem of the consumer's member without any access right. */
const ARCHIVE = `${memberOf(CONSUMER.serverId)}/archive`;
/** Listed for the portal, but registered nowhere. */
const GHOST = `${memberOf(CONSUMER.serverId)}/ghost`;
const BODY_LIMIT = 64 * 1024;
const REGISTER_NUMBER = 'УБ99010112';

/** Reads any answer body as bytes (supertest parses only the media types it knows). */
function bytes(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream; // in node, superagent parses the raw answer
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Expects X-Road's error answer: the status, `X-Road-Error` and `{type, message}`. */
function expectXRoadError(res: Response, status: number, type: string): void {
  expect({
    status: res.status,
    header: res.headers['x-road-error'],
    type: (res.body as { type?: string }).type,
  }).toEqual({ status, header: type, type });
  expect(typeof (res.body as { message?: unknown }).message).toBe('string');
}

describe('the client proxy', () => {
  let network: ExchangeNetwork;
  let gatewayListener: http.Server;
  let confClient: GlobalConfClient;
  let cacheDir: string;
  let identity: ServerIdentity;
  let messageLog: { messageLog: MessageLog; close(): Promise<void> };
  let deps: SecurityServerDeps;
  let gateway: GatewayClient;
  let app: Express;

  /** The deps of a consumer server, `config` changed as given. */
  function depsWith(config: Partial<SecurityServerConfig>): SecurityServerDeps {
    return { ...deps, config: { ...deps.config, ...config } };
  }

  beforeAll(async () => {
    // The person service also takes documents as they are (PDF), besides JSON.
    network = await startExchangeNetwork({ service: { requestMediaTypes: ['application/pdf'] } });
    const { store, deps: gatewayDeps } = network.gateway;
    await store.transaction(async (tx) => {
      await insertSubsystems(tx, [ARCHIVE]);
      await bumpRegistryVersion(tx);
    });
    gatewayDeps.globalConf.noteChange();

    // The gateway's admin listener: the global configuration (and the service schemas).
    gatewayListener = http.createServer(network.gateway.app);
    await new Promise<void>((resolve) => gatewayListener.listen(0, '127.0.0.1', resolve));
    const gatewayUrl = `http://127.0.0.1:${(gatewayListener.address() as AddressInfo).port}`;
    cacheDir = mkdtempSync(path.join(tmpdir(), 'ortoo-client-proxy-'));
    const logger = quietLogger();
    confClient = new GlobalConfClient({
      url: `${gatewayUrl}/v1/global-conf`,
      anchor: gatewayDeps.trust.confCertificate,
      cacheFile: path.join(cacheDir, 'global-conf.json'),
      refreshIntervalMs: 3_600_000,
      instance: 'MN',
      logger,
    });
    await confClient.start();

    const { consumer } = network;
    identity = {
      serverId: consumer.serverId,
      memberId: consumer.memberId,
      signer: consumer.sign.signer,
      signCertificate: consumer.sign.certificate,
      tls: {
        certificatePem: consumer.auth.certificatePem,
        keyPem: consumer.auth.keyPem,
        thumbprint: consumer.auth.thumbprint,
      },
      caPem: [gatewayDeps.trust.ca.certificate.pem],
    };
    messageLog = await openTestMessageLog(identity.signer, logger);
    deps = {
      config: testConfig(CONSUMER.serverId, [], {
        gateway: { url: gatewayUrl, exchangeUrl: network.exchangeUrl },
        bodyLimitBytes: BODY_LIMIT,
        localSystems: [
          {
            name: 'portal',
            apiKeyHash: hashApiKey(PORTAL_KEY),
            clients: [CONSUMER.client, ARCHIVE, GHOST, PROVIDER.subsystem],
          },
          { name: 'archive', apiKeyHash: hashApiKey(ARCHIVE_KEY), clients: [ARCHIVE] },
        ],
      }),
      identity,
      conf: new ConfHolder(confClient),
      messageLog: messageLog.messageLog,
      logger,
      metrics: createMetricsRegistry({ collectDefault: false }),
      clock: () => new Date(),
    };
    gateway = new GatewayClient(deps);
    app = createClientProxyApp(deps, gateway);
  });

  afterAll(async () => {
    gateway?.close();
    confClient?.stop();
    await messageLog?.close();
    await new Promise((resolve) => gatewayListener?.close(resolve));
    await network?.close();
    if (cacheDir !== undefined) rmSync(cacheDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    network.provider.reset().respond((message) => ({
      status: 200,
      body: {
        contentType: 'application/json',
        json: personAnswer((message.body as { registerNumber: string }).registerNumber),
      },
    }));
  });

  /** A call of the person lookup as the portal, acting as the consumer's e-services. */
  const lookup = (id?: string, client: string = CONSUMER.client) => {
    const call = request(app)
      .post(`/r1/${PERSON_SERVICE}`)
      .set('Authorization', `Bearer ${PORTAL_KEY}`)
      .set('X-Road-Client', client);
    return id === undefined ? call : call.set('X-Road-Id', id);
  };

  describe('a sync call', () => {
    it('carries a Cyrillic record there and back, with the X-Road headers in and out', async () => {
      let delivered: SignedMessage<RequestEnvelope> | undefined;
      network.provider.respond((message) => {
        delivered = message;
        return {
          status: 200,
          headers: { 'content-language': 'mn' },
          body: { contentType: 'application/json; charset=utf-8', json: personAnswer(REGISTER_NUMBER) },
        };
      });
      const id = `happy-${Date.now()}`;
      const res = await lookup(id)
        .set('X-Road-UserId', 'MN-officer-17')
        .set('X-Road-Issue', 'case-42')
        .set('Accept-Language', 'mn')
        .set('Cookie', 'session=secret')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ registerNumber: REGISTER_NUMBER }));

      expect(res.status).toBe(200);
      expect(res.headers['x-road-error']).toBeUndefined();
      expect(res.body).toEqual(personAnswer(REGISTER_NUMBER));
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-language']).toBe('mn');

      const logged = await deps.messageLog.request(id);
      const answer = await deps.messageLog.answer(id);
      expect(logged).toBeDefined();
      expect(answer).toBeDefined();
      expect(res.headers).toMatchObject({
        'x-road-id': id,
        'x-road-client': CONSUMER.client,
        'x-road-service': PERSON_SERVICE,
        'x-road-request-hash': xRoadRequestHash(logged!),
      });
      // What the provider got is what this server signed and logged, end to end.
      expect(delivered).toEqual(logged);
      const index = deps.conf.index();
      expect(verifyRequest(index, delivered!).memberId).toBe(identity.memberId);
      expect(delivered!.envelope).toMatchObject({
        userId: 'MN-officer-17',
        headers: { 'accept-language': 'mn' },
      });
      expect(delivered!.envelope.headers).not.toHaveProperty('cookie');
      expect(verifyAnswer(index, answer, logged!, memberOf(PROVIDER.serverId)).body).toEqual(
        personAnswer(REGISTER_NUMBER),
      );
    });

    it('makes up an X-Road-Id when the local system sends none', async () => {
      const res = await lookup().send({ registerNumber: REGISTER_NUMBER });
      expect(res.status).toBe(200);
      expect(res.headers['x-road-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a body of a media type the service does not take with 415, before anything is signed or sent', async () => {
      const before = network.provider.received.length;
      const res = await lookup().set('Content-Type', 'text/plain').send('{"registerNumber":"not checked"}');
      expectXRoadError(res, 400, 'Client.UnsupportedMediaType');
      expect(res.body.data.accepted).toEqual(['application/json', 'application/*+json', 'application/pdf']);
      expect(network.provider.received.length).toBe(before);
    });

    it('carries a binary body of a declared media type both ways as its very bytes', async () => {
      network.provider.respond((message) => ({
        status: 200,
        body: { contentType: 'application/pdf', bytes: Buffer.from(message.body as string, 'base64') },
      }));
      const pdf = Buffer.concat([
        Buffer.from('%PDF-1.7 Иргэний үнэмлэх '),
        Buffer.from([0, 0xff, 0xfe, 0x10]),
      ]);
      const res = await request(app)
        .put(`/r1/${PERSON_SERVICE}/documents/7?lang=mn`)
        .set('Authorization', `Bearer ${PORTAL_KEY}`)
        .set('X-Road-Client', CONSUMER.client)
        .set('Content-Type', 'application/pdf')
        .send(pdf)
        .buffer(true)
        .parse(bytes);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.body).toEqual(pdf);
      const logged = await deps.messageLog.request(res.headers['x-road-id'] as string);
      expect(logged?.envelope).toMatchObject({ method: 'PUT', path: '/documents/7', query: 'lang=mn' });
    });

    it('passes the backend’s own error answer on as an answer, without X-Road-Error', async () => {
      network.provider.respond(() => ({
        status: 404,
        headers: { etag: '"none"' },
        body: { contentType: 'application/problem+json', json: { title: 'Иргэн олдсонгүй' } },
      }));
      const res = await lookup().send({ registerNumber: REGISTER_NUMBER });
      expect(res.status).toBe(404);
      expect(res.headers['x-road-error']).toBeUndefined();
      expect(res.headers.etag).toBe('"none"');
      expect(JSON.parse(res.text)).toEqual({ title: 'Иргэн олдсонгүй' });
    });
  });

  describe('an async call', () => {
    it('answers 202 at once, then the answer at /r1/messages/{id}', async () => {
      const id = `async-${Date.now()}`;
      const accepted = await lookup(id)
        .set('Prefer', 'respond-async')
        .send({ registerNumber: REGISTER_NUMBER });
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ id, status: 'queued', statusUrl: `/r1/messages/${id}` });
      expect(accepted.headers.location).toBe(`/r1/messages/${id}`);
      expect(accepted.headers['x-road-id']).toBe(id);

      let res: Response | undefined;
      const deadline = Date.now() + 10_000;
      do {
        res = await request(app).get(`/r1/messages/${id}`).set('Authorization', `Bearer ${PORTAL_KEY}`);
        if (res.status === 202) {
          expect(['queued', 'delivering', 'retrying', 'delivered']).toContain(res.body.state);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } while (res.status === 202 && Date.now() < deadline);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(personAnswer(REGISTER_NUMBER));
      const logged = await deps.messageLog.request(id);
      expect(res.headers).toMatchObject({
        'x-road-id': id,
        'x-road-request-hash': xRoadRequestHash(logged!),
      });
      expect(await deps.messageLog.answer(id)).toBeDefined();

      // Read again: the same answer, from the message log.
      const again = await request(app).get(`/r1/messages/${id}`).set('X-Road-Apikey', PORTAL_KEY);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);
    });

    it('keeps answering the accepted request after another one under its id was refused', async () => {
      const id = `resent-${Date.now()}`;
      expect(
        (await lookup(id).set('Prefer', 'respond-async').send({ registerNumber: REGISTER_NUMBER })).status,
      ).toBe(202);
      // Another request (a new envelope) under the same id: a replay, yet logged as sent.
      expectXRoadError(
        await lookup(id).send({ registerNumber: REGISTER_NUMBER }),
        400,
        'Client.ReplayedMessage',
      );
      let res: Response | undefined;
      const deadline = Date.now() + 10_000;
      do {
        res = await request(app).get(`/r1/messages/${id}`).set('Authorization', `Bearer ${PORTAL_KEY}`);
        if (res.status === 202) await new Promise((resolve) => setTimeout(resolve, 50));
      } while (res.status === 202 && Date.now() < deadline);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(personAnswer(REGISTER_NUMBER));
    });

    it('shows a message to no other local system', async () => {
      const id = `private-${Date.now()}`;
      expect(
        (await lookup(id).set('Prefer', 'respond-async').send({ registerNumber: REGISTER_NUMBER })).status,
      ).toBe(202);
      const res = await request(app).get(`/r1/messages/${id}`).set('Authorization', `Bearer ${ARCHIVE_KEY}`);
      expectXRoadError(res, 400, 'Client.NotFound');
    });
  });

  describe('a refused call', () => {
    it.each([
      ['no API key', { Authorization: '' }, 400, 'Client.Unauthenticated'],
      ['a wrong API key', { Authorization: 'Bearer wrong-key' }, 400, 'Client.Unauthenticated'],
      [
        'another kind of credentials',
        { Authorization: 'Basic cG9ydGFsOnBhc3M=' },
        400,
        'Client.Unauthenticated',
      ],
      [
        'a client the local system may not act as',
        { 'X-Road-Client': `${memberOf(CONSUMER.serverId)}/other` },
        400,
        'Client.Forbidden',
      ],
      ['a client the configuration does not list', { 'X-Road-Client': GHOST }, 400, 'Client.AccessDenied'],
      [
        'a client of another member',
        { 'X-Road-Client': PROVIDER.subsystem },
        400,
        'Client.SecurityServerMismatch',
      ],
      ['no X-Road-Client', { 'X-Road-Client': '' }, 400, 'Client.BadRequest'],
      ['a malformed X-Road-Client', { 'X-Road-Client': 'MN/GOV' }, 400, 'Client.InvalidIdentifier'],
      ['a malformed X-Road-Id', { 'X-Road-Id': 'a b' }, 400, 'Client.BadRequest'],
      [
        'a service version that does not exist',
        { 'X-Ortoo-Service-Version': 'v9' },
        400,
        'Client.UnknownService',
      ],
    ])('refuses %s', async (_what, headers: Record<string, string>, status, type) => {
      const all: Record<string, string> = {
        Authorization: `Bearer ${PORTAL_KEY}`,
        'X-Road-Client': CONSUMER.client,
        ...headers,
      };
      let call = request(app).post(`/r1/${PERSON_SERVICE}`);
      // An empty value: the header is not sent at all.
      for (const [name, value] of Object.entries(all)) if (value !== '') call = call.set(name, value);
      const res = await call.send({ registerNumber: REGISTER_NUMBER });
      expectXRoadError(res, status, type);
      if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('refuses a service the configuration does not list', async () => {
      const res = await request(app)
        .get(`/r1/${PROVIDER.subsystem}/nowhere/x`)
        .set('Authorization', `Bearer ${PORTAL_KEY}`)
        .set('X-Road-Client', CONSUMER.client);
      expectXRoadError(res, 400, 'Client.UnknownService');
    });

    it('refuses a body over the limit with 413, before anything is signed', async () => {
      const id = `large-${Date.now()}`;
      const res = await lookup(id)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.alloc(BODY_LIMIT + 1, 0x41));
      expectXRoadError(res, 400, 'Client.PayloadTooLarge');
      expect(await deps.messageLog.request(id)).toBeUndefined();
    });

    it('refuses a JSON body that is not JSON', async () => {
      const res = await lookup().set('Content-Type', 'application/json').send('{"registerNumber":');
      expectXRoadError(res, 400, 'Client.BadRequest');
    });

    it('passes the gateway’s refusal on: no access right', async () => {
      const id = `denied-${Date.now()}`;
      const res = await lookup(id, ARCHIVE).send({ registerNumber: REGISTER_NUMBER });
      expectXRoadError(res, 400, 'Client.AccessDenied');
      // It went to the gateway, which judged it: this server logged what it sent.
      expect((await deps.messageLog.request(id))?.envelope.client).toBe(ARCHIVE);
      expect(network.provider.received).not.toContain(id);
    });

    it('passes the gateway’s refusal on: a body against the service’s schema', async () => {
      const res = await lookup().send({ registerNumber: 'not a register number' });
      expectXRoadError(res, 400, 'Client.SchemaViolation');
    });

    it('passes the gateway’s refusal on: a message id used before', async () => {
      const id = `twice-${Date.now()}`;
      expect((await lookup(id).send({ registerNumber: REGISTER_NUMBER })).status).toBe(200);
      const res = await lookup(id).send({ registerNumber: REGISTER_NUMBER });
      expectXRoadError(res, 400, 'Client.ReplayedMessage');
    });

    it('passes a dead letter on, pointing at /r1/messages for its status', async () => {
      network.provider.alwaysFail(400, 'Client.BadRequest');
      const id = `dead-${Date.now()}`;
      const res = await lookup(id).send({ registerNumber: REGISTER_NUMBER });
      expectXRoadError(res, 500, 'Server.ServerProxy.DeliveryFailed');
      expect(res.body.data).toMatchObject({ id, statusUrl: `/r1/messages/${id}` });
      const status = await request(app)
        .get(`/r1/messages/${id}`)
        .set('Authorization', `Bearer ${PORTAL_KEY}`);
      expectXRoadError(status, 500, 'Server.ServerProxy.DeliveryFailed');
      expect(status.body.data.reason).toMatchObject({ type: 'Client.BadRequest' });
    });

    it('refuses an answer the provider did not sign right (the gateway dead-letters it)', async () => {
      network.provider.badSignature();
      const res = await lookup().send({ registerNumber: REGISTER_NUMBER });
      expectXRoadError(res, 500, 'Server.ServerProxy.DeliveryFailed');
    });

    it('answers GatewayUnavailable when the gateway cannot be reached', async () => {
      const down = depsWith({
        gateway: { ...deps.config.gateway, exchangeUrl: `https://127.0.0.1:${await closedPort()}` },
      });
      const client = new GatewayClient(down);
      try {
        const res = await request(createClientProxyApp(down, client))
          .post(`/r1/${PERSON_SERVICE}`)
          .set('Authorization', `Bearer ${PORTAL_KEY}`)
          .set('X-Road-Client', CONSUMER.client)
          .send({ registerNumber: REGISTER_NUMBER });
        expectXRoadError(res, 500, 'Server.ClientProxy.GatewayUnavailable');
      } finally {
        client.close();
      }
    });

    it('does not take another member’s server for the gateway, though its certificate is of the same CA', async () => {
      const { providerIdentity } = network;
      const impostor = createMtlsServer(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        },
        {
          certificatePem: providerIdentity.auth.certificatePem,
          keyPem: providerIdentity.auth.keyPem,
          caPem: identity.caPem,
        },
      );
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      const fake = depsWith({
        gateway: {
          ...deps.config.gateway,
          exchangeUrl: `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`,
        },
      });
      const client = new GatewayClient(fake);
      try {
        const res = await request(createClientProxyApp(fake, client))
          .post(`/r1/${PERSON_SERVICE}`)
          .set('Authorization', `Bearer ${PORTAL_KEY}`)
          .set('X-Road-Client', CONSUMER.client)
          .send({ registerNumber: REGISTER_NUMBER });
        expectXRoadError(res, 500, 'Server.ClientProxy.GatewayUnavailable');
        expect(res.body.data).toMatchObject({ reason: 'unlisted-certificate' });
      } finally {
        client.close();
        impostor.closeAllConnections();
        await new Promise((resolve) => impostor.close(resolve));
      }
    });
  });

  describe('the connection to the gateway', () => {
    it('is kept alive across calls and shared by concurrent ones', async () => {
      // A TCP relay in front of the exchange listener counts the connections (TLS runs through it).
      const target = new URL(network.exchangeUrl);
      let connections = 0;
      const relay = net.createServer((socket) => {
        connections += 1;
        const upstream = net.connect(Number(target.port), target.hostname);
        socket.pipe(upstream).pipe(socket);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const relayed = depsWith({
        gateway: {
          ...deps.config.gateway,
          exchangeUrl: `https://127.0.0.1:${(relay.address() as AddressInfo).port}`,
        },
      });
      const client = new GatewayClient(relayed);
      const proxied = createClientProxyApp(relayed, client);
      const call = () =>
        request(proxied)
          .post(`/r1/${PERSON_SERVICE}`)
          .set('Authorization', `Bearer ${PORTAL_KEY}`)
          .set('X-Road-Client', CONSUMER.client)
          .send({ registerNumber: REGISTER_NUMBER });
      try {
        for (let i = 0; i < 5; i += 1) expect((await call()).status).toBe(200);
        expect(connections).toBe(1);
        const answers = await Promise.all(Array.from({ length: 8 }, call));
        expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
        expect(connections).toBeLessThanOrEqual(8);
      } finally {
        client.close();
        await new Promise((resolve) => relay.close(resolve));
      }
    });
  });

  describe('the metaservices', () => {
    const get = (url: string, client?: string) => {
      const call = request(app).get(url).set('Authorization', `Bearer ${PORTAL_KEY}`);
      return client === undefined ? call : call.set('X-Road-Client', client);
    };

    it('lists the instance’s clients', async () => {
      for (const url of ['/r1/MN/listClients', '/listClients']) {
        const res = await get(url).set('Accept', 'application/json');
        expect(res.status).toBe(200);
        expect(res.body.member).toContainEqual({
          id: {
            object_type: 'SUBSYSTEM',
            xroad_instance: 'MN',
            member_class: 'GOV',
            member_code: '7000001',
            subsystem_code: 'e-services',
          },
          name: 'Цахим Үндэстэн',
        });
      }
    });

    it('lists a provider’s services, and those a client may call', async () => {
      const person = {
        object_type: 'SERVICE',
        xroad_instance: 'MN',
        member_class: 'GOV',
        member_code: '9011311',
        subsystem_code: 'civil-registry',
        service_code: 'person',
        service_version: 'v1',
        service_type: 'OPENAPI',
        // A single-schema service: every method on every path below it (PR-MREST's endpoint_list).
        endpoint_list: [{ method: '*', path: '**' }],
      };
      expect((await get(`/r1/${PROVIDER.subsystem}/listMethods`)).body).toEqual({ service: [person] });
      expect((await get(`/r1/${PROVIDER.subsystem}/allowedMethods`, CONSUMER.client)).body).toEqual({
        service: [person],
      });
      expect((await get(`/r1/${PROVIDER.subsystem}/allowedMethods`, ARCHIVE)).body).toEqual({ service: [] });
    });

    it('refuses allowedMethods for a client the local system may not act as', async () => {
      const res = await request(app)
        .get(`/r1/${PROVIDER.subsystem}/allowedMethods`)
        .set('Authorization', `Bearer ${ARCHIVE_KEY}`)
        .set('X-Road-Client', CONSUMER.client);
      expectXRoadError(res, 400, 'Client.Forbidden');
    });

    it('describes a service in OpenAPI 3.1 from its schemas', async () => {
      const res = await get(`/r1/${PROVIDER.subsystem}/getOpenAPI?serviceCode=person`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        openapi: '3.1.0',
        info: { version: 'v1' },
        servers: [{ url: `/r1/${PROVIDER.subsystem}` }],
      });
      expect(res.body.components.schemas.Request).toMatchObject(PERSON_REQUEST_SCHEMA);
    });

    it('refuses getOpenAPI of a service that does not exist', async () => {
      expectXRoadError(
        await get(`/r1/${PROVIDER.subsystem}/getOpenAPI?serviceCode=nowhere`),
        400,
        'Client.UnknownService',
      );
      expectXRoadError(await get(`/r1/${PROVIDER.subsystem}/getOpenAPI`), 400, 'Client.BadRequest');
    });

    it('requires a local system’s credentials', async () => {
      expectXRoadError(await request(app).get('/listClients'), 400, 'Client.Unauthenticated');
    });
  });

  it('counts what it answered', async () => {
    const metrics = await deps.metrics.getSingleMetricAsString('ortoo_ss_client_proxy_request_seconds');
    expect(metrics).toMatch(/route="service",outcome="ok"/);
    expect(metrics).toMatch(/outcome="Client.Unauthenticated"/);
  });
});
