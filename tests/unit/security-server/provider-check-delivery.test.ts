import type { SignedMessage } from '../../../core/src';
import {
  findBackendRoute,
  type BackendRoute,
} from '../../../security-server/src/provider-proxy/backend-route';
import {
  checkDelivery,
  type ProviderScope,
} from '../../../security-server/src/provider-proxy/check-delivery';
import { isGatewayCertificate } from '../../../security-server/src/provider-proxy/gateway-only';
import {
  EXCHANGE_IDS as ids,
  createExchangeFixture,
  ortooErrorOf,
  resign,
  serviceVersion,
  signRequest,
} from '../../helpers/exchange-fixtures';

const fixture = createExchangeFixture();
const { index, signers } = fixture;

const personRoute: BackendRoute = {
  serviceId: ids.person,
  backendUrl: 'http://backend/person',
  timeoutMs: 1000,
};
const scope: ProviderScope = {
  memberId: ids.providerMember,
  routes: [
    personRoute,
    { serviceId: ids.vehicle, version: 'v1', backendUrl: 'http://backend/vehicle', timeoutMs: 1000 },
  ],
};

function codeOf(raw: unknown, at: ProviderScope = scope): string {
  return ortooErrorOf(() => checkDelivery(index, raw, at)).code;
}

describe('checkDelivery', () => {
  it('accepts a request the client’s member signed for a mapped service of this member', () => {
    const request = signRequest(signers.consumer);
    const accepted = checkDelivery(index, JSON.parse(JSON.stringify(request)), scope);
    expect(accepted.service).toMatchObject({ id: ids.person, version: 'v10' });
    expect(accepted.route).toBe(personRoute);
    expect(accepted.message.envelope.id).toBe(request.envelope.id);
  });

  it('accepts a client whose right comes from a global group', () => {
    expect(() =>
      checkDelivery(index, signRequest(signers.clinic, { client: ids.clinic }), scope),
    ).not.toThrow();
  });

  it('refuses what is not a signed request', () => {
    expect(codeOf({ hello: 'world' })).toBe('InvalidEnvelope');
    expect(codeOf(null)).toBe('InvalidEnvelope');
  });

  it('refuses a header a proxy keeps on its hop, even when signed', () => {
    const request = signRequest(signers.consumer, { headers: { host: 'backend.internal' } });
    expect(codeOf(request)).toBe('InvalidEnvelope');
  });

  it('refuses a request not signed by the client’s own member (a forging gateway)', () => {
    const request = signRequest(signers.consumer);
    const forged: SignedMessage = {
      ...request,
      envelope: { ...request.envelope, userId: 'someone-else' },
    };
    expect(codeOf(forged)).toBe('InvalidSignature');
    expect(codeOf(signRequest(signers.provider))).toBe('WrongSigner');
    expect(codeOf(signRequest(signers.unregistered))).toBe('UnknownSigner');
    expect(codeOf(signRequest(signers.revoked))).toBe('CertificateRevoked');
  });

  it('refuses a body that does not match its signed digest', () => {
    const request = signRequest(signers.consumer);
    expect(codeOf({ ...request, body: { registerNumber: 'ӨӨ00000000' } })).toBe('BodyDigestMismatch');
  });

  it('refuses a client without an access right, whoever forwarded it', () => {
    expect(codeOf(signRequest(signers.consumer, { client: ids.consumerWithoutRights }))).toBe('AccessDenied');
  });

  it('refuses unknown and disabled services', () => {
    expect(codeOf(signRequest(signers.consumer, { service: ids.unknownService }))).toBe('UnknownService');
    expect(codeOf(signRequest(signers.consumer, { service: ids.address }))).toBe('ServiceDisabled');
  });

  it('refuses a service of another member', () => {
    const error = ortooErrorOf(() =>
      checkDelivery(index, signRequest(signers.consumer), { ...scope, memberId: ids.consumerMember }),
    );
    expect(error.code).toBe('UnknownService');
    expect(error.detail).toMatchObject({ reason: 'other-member', provider: ids.providerMember });
  });

  it('refuses a service (or version) the local configuration does not map', () => {
    const unmapped = { ...scope, routes: [] };
    expect(codeOf(signRequest(signers.consumer), unmapped)).toBe('UnknownService');
    const v2Only = { ...scope, routes: [{ ...personRoute, version: 'v2' }] };
    const error = ortooErrorOf(() => checkDelivery(index, signRequest(signers.consumer), v2Only));
    expect(error.code).toBe('UnknownService');
    expect(error.detail).toMatchObject({ reason: 'not-mapped', version: 'v10' });
    expect(() =>
      checkDelivery(index, signRequest(signers.consumer, { serviceVersion: 'v2' }), v2Only),
    ).not.toThrow();
    expect(() =>
      checkDelivery(
        index,
        signRequest(signers.consumer, { service: ids.vehicle, serviceVersion: 'v1' }),
        scope,
      ),
    ).not.toThrow();
  });

  it('checks in order: a forged signature is refused before the access right is looked at', () => {
    const request = signRequest(signers.consumer, { client: ids.consumerWithoutRights });
    const broken = resign(request, {}, signers.unregistered);
    expect(codeOf(broken)).toBe('UnknownSigner');
  });
});

describe('findBackendRoute', () => {
  const any = { serviceId: ids.person, backendUrl: 'http://any', timeoutMs: 1 };
  const v2 = { serviceId: ids.person, version: 'v2', backendUrl: 'http://v2', timeoutMs: 1 };
  const other = { serviceId: ids.vehicle, backendUrl: 'http://vehicle', timeoutMs: 1 };

  it('prefers the entry of that very version over one for every version', () => {
    expect(findBackendRoute([any, v2], serviceVersion(ids.person, 'v2'))).toBe(v2);
    expect(findBackendRoute([v2, any], serviceVersion(ids.person, 'v2'))).toBe(v2);
    expect(findBackendRoute([v2, any], serviceVersion(ids.person, 'v1'))).toBe(any);
  });

  it('refuses a service or version without an entry', () => {
    const error = ortooErrorOf(() => findBackendRoute([v2, other], serviceVersion(ids.person, 'v1')));
    expect(error.code).toBe('UnknownService');
    expect(error.detail).toEqual({ service: ids.person, version: 'v1', reason: 'not-mapped' });
  });
});

describe('isGatewayCertificate', () => {
  it('knows the gateway’s TLS certificates from the global configuration, and nothing else', () => {
    const [gateway] = fixture.conf.gatewayCertificates;
    expect(isGatewayCertificate(index, gateway?.thumbprint)).toBe(true);
    expect(isGatewayCertificate(index, fixture.auth.providerSs1.thumbprint)).toBe(false);
    expect(isGatewayCertificate(index, undefined)).toBe(false);
  });
});

describe('checkDelivery, with rights per endpoint', () => {
  const own = createExchangeFixture({
    accessRights: [
      { serviceId: ids.person, clientId: ids.consumer, endpoint: { method: 'GET', path: '/persons/*' } },
    ],
  });
  const deliver = (params: Parameters<typeof signRequest>[1]): unknown =>
    checkDelivery(own.index, signRequest(own.signers.consumer, params), scope);
  const check = (params: Parameters<typeof signRequest>[1]): string =>
    ortooErrorOf(() => deliver(params)).code;

  it('accepts a signed call the endpoint covers', () => {
    expect(deliver({ method: 'GET', path: '/persons/ABC123' })).toMatchObject({ route: personRoute });
  });

  it('refuses, against the signed envelope, what the endpoint does not cover, whatever the gateway said', () => {
    expect(check({ method: 'POST', path: '/persons' })).toBe('AccessDenied');
    expect(check({ method: 'GET', path: '/persons%2f..%2fadmin' })).toBe('AccessDenied');
    expect(check({ method: 'GET', path: '/persons/%252e%252e/admin' })).toBe('AccessDenied');
    // The envelope's own schema refuses dot segments before any right is looked at.
    expect(check({ method: 'GET', path: '/persons/x/../../admin' })).toBe('InvalidEnvelope');
  });
});
