import { xRoadRequestHash } from '../../../core/src';
import {
  CIVIL_REGISTRY,
  DEMO_REGISTER_NUMBERS,
  E_SERVICES,
  PERSON_SERVICE,
} from '../../../scripts/demo/demo-data';
import request from 'supertest';
import { startSsNetwork, type SsNetwork } from '../../helpers/ss-network';
import { promtool } from '../observability/observability-support';

const SERVICE_PATH = `/r1/${PERSON_SERVICE.id}`;

describe('two agencies exchange a record through the gateway', () => {
  let network: SsNetwork;

  beforeAll(async () => {
    network = await startSsNetwork();
  }, 60_000);

  afterAll(async () => {
    await network.close();
  }, 30_000);

  const lookUp = (registerNumber: string, headers: Record<string, string> = {}) =>
    network.call(SERVICE_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-road-client': E_SERVICES.subsystemId, ...headers },
      body: JSON.stringify({ registerNumber }),
    });

  it('answers the portal with the civil registry’s record, in Cyrillic, with the X-Road headers', async () => {
    const res = await lookUp(DEMO_REGISTER_NUMBERS.known, {
      'x-road-id': 'portal-lookup-1',
      'x-road-userid': 'MN12345',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-road-id')).toBe('portal-lookup-1');
    expect(res.headers.get('x-road-client')).toBe(E_SERVICES.subsystemId);
    expect(res.headers.get('x-road-service')).toBe(PERSON_SERVICE.id);
    expect(res.headers.get('x-road-request-hash')).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(await res.json()).toMatchObject({
      registerNumber: DEMO_REGISTER_NUMBERS.known,
      firstName: expect.any(String),
    });

    // Both servers logged both signed messages, bound by the request's hash.
    const sent = await network.consumer.running.deps.messageLog.request('portal-lookup-1');
    const received = await network.provider.running.deps.messageLog.request('portal-lookup-1');
    expect(sent?.envelope).toEqual(received?.envelope);
    expect(res.headers.get('x-road-request-hash')).toBe(xRoadRequestHash(sent!));
    const answer = await network.consumer.running.deps.messageLog.answer('portal-lookup-1');
    expect(answer?.envelope.status).toBe(200);
  });

  it("passes the backend's own not-found answer through as an answer", async () => {
    const res = await lookUp(DEMO_REGISTER_NUMBERS.unknown);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-road-error')).toBeNull();
  });

  it.each([
    ['an unknown client', { 'x-road-client': `${E_SERVICES.memberId}/nobody` }, 400],
    ['a wrong API key', { authorization: 'Bearer wrong' }, 400],
  ])('refuses %s with the X-Road error', async (_what, headers, status) => {
    const res = await lookUp(DEMO_REGISTER_NUMBERS.known, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-road-error')).toMatch(/^Client\./);
    expect(await res.json()).toMatchObject({
      type: res.headers.get('x-road-error'),
      message: expect.any(String),
    });
  });

  it('refuses a body that violates the service schema (at the gateway)', async () => {
    const res = await lookUp(DEMO_REGISTER_NUMBERS.malformed);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-road-error')).toBe('Client.SchemaViolation');
  });

  it('refuses an unknown service', async () => {
    const res = await network.call(`/r1/${CIVIL_REGISTRY.subsystemId}/nothing`, {
      headers: { 'x-road-client': E_SERVICES.subsystemId },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-road-error')).toBe('Client.UnknownService');
  });

  it("serves Prometheus metrics that promtool accepts on each server's client port", async () => {
    for (const server of [network.consumer, network.provider]) {
      const res = await fetch(`${server.clientUrl}/metrics`);
      expect(res.status).toBe(200);
      const check = promtool(['check', 'metrics'], await res.text());
      expect(check.output).toBe('');
      expect(check.status).toBe(0);
      expect((await fetch(`${server.clientUrl}/readyz`)).status).toBe(200);
    }
  });

  it('tells the portal when the backend is down, as a provider-side error', async () => {
    await network.backend.close();
    const res = await lookUp(DEMO_REGISTER_NUMBERS.known);
    expect(res.headers.get('x-road-error')).toMatch(/^Server\.ServerProxy\./);
  });

  // Last: after it, the portal's server can no longer sign.
  it("refuses the portal's messages once its signing certificate is revoked, at once", async () => {
    const serial = network.consumer.running.deps.identity.signCertificate.serialNumber;
    await request(network.adminUrl)
      .post(`/v1/certificates/${serial}/revoke`)
      .set('Authorization', network.gateway.admin)
      .send({ reason: 'key compromise' })
      .expect(200);
    const res = await lookUp(DEMO_REGISTER_NUMBERS.known);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-road-error')).toBe('Client.CertificateRevoked');
  });
});
