import https from 'node:https';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { buildRequest, restProtocolStatus, signMessage, type HttpMethod } from '../../../core/src';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import { E_SERVICES, PERSON_SERVICE } from '../../../scripts/demo/demo-data';
import { eventually } from '../../helpers/eventually';
import { httpsCall } from '../../helpers/exchange-network';
import { startSsNetwork, type SsNetwork } from '../../helpers/ss-network';

const SERVICE_PATH = `/r1/${PERSON_SERVICE.id}`;

/** One call of the client proxy with the path sent byte for byte (fetch would resolve `..` itself). */
function callRaw(
  network: SsNetwork,
  method: HttpMethod,
  path: string,
  messageId: string,
): Promise<{ status: number; errorType: string | undefined; body: string }> {
  const url = new URL(network.consumer.clientUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${network.apiKey}`,
          'x-road-client': E_SERVICES.subsystemId,
          'x-road-id': messageId,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            errorType: res.headers['x-road-error'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('access rights per endpoint, through a gateway and two security servers', () => {
  let network: SsNetwork;

  beforeAll(async () => {
    network = await startSsNetwork({
      ssEnv: { ORTOO_SS_GLOBAL_CONF_REFRESH_SECONDS: '1' },
      gatewayEnv: { ORTOO_EXCHANGE_REGISTRY_REFRESH_MS: '100' },
    });
    // The portal's right to the whole service becomes a right to GET one person.
    const admin = request(network.adminUrl);
    const auth = network.gateway.admin;
    const rights = await admin
      .get(`/v1/access-rights?service=${PERSON_SERVICE.id}&client=${E_SERVICES.subsystemId}`)
      .set('Authorization', auth)
      .expect(200);
    for (const right of rights.body.items as { id: string }[]) {
      await admin.delete(`/v1/access-rights/${right.id}`).set('Authorization', auth).expect(204);
    }
    await admin
      .post('/v1/access-rights')
      .set('Authorization', auth)
      .send({
        serviceId: PERSON_SERVICE.id,
        clientId: E_SERVICES.subsystemId,
        endpoint: { method: 'GET', path: '/persons/*' },
      })
      .expect(201);
    // Both security servers hold the configuration with the endpoint right before any call.
    for (const server of [network.provider, network.consumer]) {
      await eventually(
        'the endpoint right in the security server’s configuration',
        () => {
          const allowed = server.running.deps.conf
            .index()
            .allowedEndpoints(E_SERVICES.subsystemId, PERSON_SERVICE.id);
          return allowed.length === 1 && allowed[0]?.path === '/persons/*' ? true : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
    }
  }, 90_000);

  afterAll(async () => {
    await network.close();
  }, 30_000);

  /** The gateway's record of a message it refused, found by its id. */
  async function rejection(messageId: string) {
    const rows = await searchAuditRecords(network.gateway.store, { messageId }, { limit: 10 });
    return rows.map(toAuditRecord).find((record) => record.event === 'rejected');
  }

  it('lets a call the endpoint covers through to the provider’s backend', async () => {
    const answer = await callRaw(
      network,
      'GET',
      `${SERVICE_PATH}/persons/${encodeURIComponent('УБ99010112')}`,
      'endpoint-allowed-1',
    );
    // The demo backend has no such resource: its own 404 comes back as an answer, not a refusal.
    expect(answer.errorType).toBeUndefined();
    expect(answer.status).toBe(404);
    expect(await network.provider.running.deps.messageLog.request('endpoint-allowed-1')).toBeDefined();
  });

  it.each([
    ['another method', 'POST', `${SERVICE_PATH}/persons`],
    ['a path below the endpoint', 'GET', `${SERVICE_PATH}/persons/x/addresses`],
    ['encoded separators', 'GET', `${SERVICE_PATH}/persons%2f..%2fadmin`],
    ['a doubly encoded traversal', 'GET', `${SERVICE_PATH}/persons/%252e%252e/admin`],
  ] as const)('refuses %s at the gateway: typed error, audit record, metric', async (_what, method, path) => {
    const id = `endpoint-denied-${Math.random().toString(36).slice(2)}`;
    const answer = await callRaw(network, method, path, id);
    // The client proxy answers with PR-REST 4.6's status for a Client.* type; the facts are in `data`.
    expect({ status: answer.status, type: answer.errorType }).toEqual({
      status: restProtocolStatus('Client.AccessDenied'),
      type: 'Client.AccessDenied',
    });
    expect(JSON.parse(answer.body)).toMatchObject({
      type: 'Client.AccessDenied',
      message: expect.stringContaining(`may not call ${method} `),
      data: { client: E_SERVICES.subsystemId, service: PERSON_SERVICE.id },
    });
    expect(await rejection(id)).toMatchObject({
      outcome: 'refused',
      errorType: 'Client.AccessDenied',
      detail: { step: 'access' },
    });
    expect(await network.provider.running.deps.messageLog.request(id)).toBeUndefined();
    const metrics = await (await fetch(`${network.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /ortoo_gateway_rejections_total\{step="access",type="Client\.AccessDenied"\} [1-9]/,
    );
  });

  it('refuses a plain traversal before it gets anywhere: the client proxy answers Client.BadRequest', async () => {
    const answer = await callRaw(network, 'GET', `${SERVICE_PATH}/persons/x/../../admin`, 'endpoint-dots-1');
    expect({ status: answer.status, type: answer.errorType }).toEqual({
      status: restProtocolStatus('Client.BadRequest'),
      type: 'Client.BadRequest',
    });
    expect(await network.provider.running.deps.messageLog.request('endpoint-dots-1')).toBeUndefined();
  });

  describe('at the provider, for a request that bypassed the gateway’s check', () => {
    /** The consumer's own signed request, sent straight to the provider with the gateway's TLS identity. */
    async function deliverStraight(method: HttpMethod, path: string) {
      const { trust } = network.gateway.deps;
      const agent = new https.Agent({
        cert: trust.tls.certificate.pem,
        key: trust.tls.keyPem,
        ca: [trust.ca.certificate.pem],
      });
      try {
        const message = signMessage(
          buildRequest({ client: E_SERVICES.subsystemId, service: PERSON_SERVICE.id, method, path }),
          network.consumer.running.deps.identity.signer,
        );
        const body = Buffer.from(JSON.stringify(message));
        return await httpsCall(agent, `${network.provider.running.providerUrl}/v1/deliver`, 'POST', body, {
          'content-type': 'application/json',
        });
      } finally {
        agent.destroy();
      }
    }

    it('answers a covered call', async () => {
      const answer = await deliverStraight('GET', '/persons/УБ99010112');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ envelope: { kind: 'response', status: 404 } });
    });

    it.each([
      ['POST', '/persons'],
      ['GET', '/persons%2f..%2fadmin'],
      ['GET', '/persons%2F..%2Fadmin'],
      ['GET', '/persons/%252e%252e/admin'],
    ] as const)('refuses %s %s against the signed envelope, with the typed error', async (method, path) => {
      const answer = await deliverStraight(method, path);
      expect({ status: answer.status, type: answer.headers['x-road-error'] }).toEqual({
        status: 403,
        type: 'Client.AccessDenied',
      });
      const metrics = await network.provider.running.deps.metrics.metrics();
      expect(metrics).toMatch(/outcome="Client\.AccessDenied"\} [1-9]/);
    });

    it('refuses a plain traversal by the envelope’s own schema', async () => {
      const answer = await deliverStraight('GET', '/persons/x/../../admin');
      expect({ status: answer.status, type: answer.headers['x-road-error'] }).toEqual({
        status: 400,
        type: 'Client.InvalidEnvelope',
      });
    });
  });
});
