/**
 * A small instance for the unit tests of the exchange checks: a CA, a
 * global configuration naming three members, their subsystems, servers and
 * signing certificates, a provider's services in several versions (one
 * switched off), access rights and a global group, its index, and helpers
 * that sign requests and answers as the members' servers would.
 *
 * Beside the good signers it holds the bad ones every check must refuse: a
 * revoked, an expired, a not yet valid, a foreign and an unregistered signing
 * certificate of the consumer's member. Dates are fixed (see
 * {@link EXCHANGE_NOW}); nothing depends on today's date.
 */
import {
  buildRequest,
  buildResponse,
  createJwsSigner,
  signMessage,
  type JwsSigner,
  type RequestEnvelope,
  type RequestParams,
  type ResponseEnvelope,
  type ResponseParams,
  type SignedMessage,
} from '../../core/src/envelope';
import {
  GLOBAL_CONF_FORMAT,
  GlobalConfIndex,
  type GlobalConf,
  type GlobalConfService,
  type GlobalConfSignCertificate,
} from '../../core/src/global-conf';
import { OrtooError } from '../../core/src/errors';
import type { Certificate, CertificateAuthority } from '../../core/src/pki';
import { PKI_DATES, createTestCa, issueTestCertificate } from './pki-fixtures';

/** When the fixture's messages are made by default, and the instant tests judge them at. */
export const EXCHANGE_NOW = new Date('2025-09-01T12:00:00.000Z');

/**
 * When the consumer's revoked signing certificate was revoked: after
 * {@link EXCHANGE_NOW}, so a message dated now predates its revocation.
 */
export const REVOKED_AT = new Date('2025-10-01T00:00:00.000Z');

/** Validity of the consumer's expired signing certificate: over before {@link EXCHANGE_NOW}. */
export const EXPIRED_VALIDITY = {
  notBefore: new Date('2025-02-01T00:00:00Z'),
  notAfter: new Date('2025-08-01T00:00:00Z'),
} as const;

/** Validity of the consumer's not yet valid signing certificate: begins after {@link EXCHANGE_NOW}. */
export const FUTURE_VALIDITY = {
  notBefore: new Date('2025-10-01T00:00:00Z'),
  notAfter: PKI_DATES.notAfter,
} as const;

/** Every identifier of the fixture's instance. */
export const EXCHANGE_IDS = {
  /** The consumer's member and its subsystems: `e-services` holds rights, `archive` none. */
  consumerMember: 'MN/GOV/7000001',
  consumer: 'MN/GOV/7000001/e-services',
  consumerWithoutRights: 'MN/GOV/7000001/archive',
  consumerServer: 'MN/GOV/7000001/ss1',
  /** The provider's member, its subsystem and servers (`ss0` revoked, listed out of order). */
  providerMember: 'MN/GOV/9011311',
  provider: 'MN/GOV/9011311/civil-registry',
  providerServers: ['MN/GOV/9011311/ss1', 'MN/GOV/9011311/ss2'],
  revokedProviderServer: 'MN/GOV/9011311/ss0',
  /** A member whose only right to `person` comes from the global group; it has no server. */
  clinicMember: 'MN/GOV/8000002',
  clinic: 'MN/GOV/8000002/clinic',
  /** A member that was revoked. */
  revokedMember: 'MN/GOV/9999999',
  /** The global group `clinic` is in; it may call `person`. */
  healthGroup: 'MN/health-agencies',
  /** Versions `v1`, `v2` and `v10`, all enabled: the current one is `v10`. */
  person: 'MN/GOV/9011311/civil-registry/person',
  /** One version, `v1`, disabled. */
  address: 'MN/GOV/9011311/civil-registry/address',
  /** `v1` enabled, `v2` (the current one) disabled. */
  vehicle: 'MN/GOV/9011311/civil-registry/vehicle',
  /** Not in the configuration at all. */
  unknownService: 'MN/GOV/9011311/civil-registry/unknown',
} as const;

const ids = EXCHANGE_IDS;

/** A signing certificate and a signer that signs with its key. */
export interface TestSigner {
  readonly certificate: Certificate;
  readonly signer: JwsSigner;
}

/** The fixture's signing identities; only the first three are listed as active in the configuration. */
export interface ExchangeSigners {
  /** The consumer's member, on server `consumerServer`. */
  readonly consumer: TestSigner;
  /** The provider's member, on its server `ss1`. */
  readonly provider: TestSigner;
  /** The clinic's member, on no particular server (no `securityServerId`). */
  readonly clinic: TestSigner;
  /** The consumer's, revoked at {@link REVOKED_AT}: listed only in `revokedCertificates`. */
  readonly revoked: TestSigner;
  /** The consumer's, listed but expired ({@link EXPIRED_VALIDITY}). */
  readonly expired: TestSigner;
  /** The consumer's, listed but not valid yet ({@link FUTURE_VALIDITY}). */
  readonly notYetValid: TestSigner;
  /** Listed as the consumer's, but issued by {@link ExchangeFixture.foreignCa}. */
  readonly foreign: TestSigner;
  /** Issued by the instance CA but never registered: not in the configuration. */
  readonly unregistered: TestSigner;
}

/** Everything {@link createExchangeFixture} makes. */
export interface ExchangeFixture {
  /** The instance CA, the configuration's only trust anchor. */
  readonly ca: CertificateAuthority;
  /** Another CA with the same name as the instance CA, trusted by no one. */
  readonly foreignCa: CertificateAuthority;
  readonly signers: ExchangeSigners;
  /** TLS certificates of the active servers; `providerSs2` has two (a rotation in progress). */
  readonly auth: {
    readonly consumerSs1: Certificate;
    readonly providerSs1: Certificate;
    readonly providerSs2: readonly [Certificate, Certificate];
  };
  /** The global configuration, as the gateway would publish it (plus the listed bad signers). */
  readonly conf: GlobalConf;
  /** {@link ExchangeFixture.conf}, indexed. */
  readonly index: GlobalConfIndex;
}

function testSigner(
  ca: CertificateAuthority,
  commonName: string,
  validity: { readonly notBefore?: Date; readonly notAfter?: Date } = {},
): TestSigner {
  const { keyPair, certificate } = issueTestCertificate(ca, { profile: 'sign', commonName, ...validity });
  return {
    certificate,
    signer: createJwsSigner({ privateKey: keyPair.privateKey, thumbprint: certificate.thumbprint }),
  };
}

/** The configuration entry of an active signing certificate. */
export function signCertificateEntry(
  certificate: Certificate,
  memberId: string,
  securityServerId?: string,
): GlobalConfSignCertificate {
  return {
    memberId,
    ...(securityServerId === undefined ? {} : { securityServerId }),
    thumbprint: certificate.thumbprint,
    serial: certificate.serialNumber,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    pem: certificate.pem,
  };
}

function authCertificateEntry(certificate: Certificate) {
  return { thumbprint: certificate.thumbprint, serial: certificate.serialNumber, pem: certificate.pem };
}

/** One version of a service of the provider, enabled unless told. */
export function serviceVersion(
  id: string,
  version: string,
  overrides: Partial<GlobalConfService> = {},
): GlobalConfService {
  return {
    id,
    version,
    providerId: ids.provider,
    title: `Иргэний мэдээлэл ${version}`,
    requestSchemaHash: 'A'.repeat(43),
    responseSchemaHash: 'B'.repeat(43),
    timeoutMs: 30000,
    retryPolicy: { maxAttempts: 5, backoffMs: 1000 },
    dataSubjectPointer: '/registerNumber',
    enabled: true,
    ...overrides,
  };
}

/**
 * Makes the fixture: fresh keys and certificates each call, so call it once
 * per test file (it takes a few milliseconds). `overrides` replace whole
 * fields of the configuration, e.g. to index a variant of it.
 */
export function createExchangeFixture(overrides: Partial<GlobalConf> = {}): ExchangeFixture {
  const ca = createTestCa();
  const foreignCa = createTestCa();
  const signers: ExchangeSigners = {
    consumer: testSigner(ca, ids.consumerMember),
    provider: testSigner(ca, ids.providerMember),
    clinic: testSigner(ca, ids.clinicMember),
    revoked: testSigner(ca, `${ids.consumerMember} (revoked)`),
    expired: testSigner(ca, `${ids.consumerMember} (expired)`, EXPIRED_VALIDITY),
    notYetValid: testSigner(ca, `${ids.consumerMember} (not yet valid)`, FUTURE_VALIDITY),
    foreign: testSigner(foreignCa, ids.consumerMember),
    unregistered: testSigner(ca, `${ids.consumerMember} (unregistered)`),
  };
  const auth = {
    gateway: issueTestCertificate(ca, { profile: 'auth', commonName: 'MN gateway' }).certificate,
    consumerSs1: issueTestCertificate(ca, { profile: 'auth', commonName: 'ss1' }).certificate,
    providerSs1: issueTestCertificate(ca, { profile: 'auth', commonName: 'ss1' }).certificate,
    providerSs2: [
      issueTestCertificate(ca, { profile: 'auth', commonName: 'ss2' }).certificate,
      issueTestCertificate(ca, { profile: 'auth', commonName: 'ss2 (new)' }).certificate,
    ] as const,
  };
  const [ss1, ss2] = ids.providerServers;

  const conf: GlobalConf = {
    format: GLOBAL_CONF_FORMAT,
    instance: 'MN',
    version: 42,
    generatedAt: '2025-09-01T11:55:00.000Z',
    expiresAt: '2025-09-01T12:05:00.000Z',
    caCertificates: [ca.certificate.pem],
    gatewayCertificates: [
      { thumbprint: auth.gateway.thumbprint, serial: auth.gateway.serialNumber, pem: auth.gateway.pem },
    ],
    members: [
      { id: ids.consumerMember, name: 'Цахим үйлчилгээний төв', status: 'active' },
      { id: ids.providerMember, name: 'Улсын бүртгэлийн ерөнхий газар', status: 'active' },
      { id: ids.clinicMember, name: 'Эрүүл мэндийн төв', status: 'active' },
      { id: ids.revokedMember, name: 'Татан буугдсан газар', status: 'revoked' },
    ],
    subsystems: [
      { id: ids.consumer, memberId: ids.consumerMember },
      { id: ids.consumerWithoutRights, memberId: ids.consumerMember },
      { id: ids.provider, memberId: ids.providerMember },
      { id: ids.clinic, memberId: ids.clinicMember },
    ],
    // Out of order on purpose: the index sorts a member's servers itself.
    securityServers: [
      {
        id: ss2,
        ownerId: ids.providerMember,
        address: 'https://ss2.civil-registry.mn:5500',
        status: 'active',
        authCertificates: auth.providerSs2.map(authCertificateEntry),
      },
      {
        id: ids.revokedProviderServer,
        ownerId: ids.providerMember,
        address: 'https://ss0.civil-registry.mn:5500',
        status: 'revoked',
        authCertificates: [],
      },
      {
        id: ss1,
        ownerId: ids.providerMember,
        address: 'https://ss1.civil-registry.mn:5500',
        status: 'active',
        authCertificates: [authCertificateEntry(auth.providerSs1)],
      },
      {
        id: ids.consumerServer,
        ownerId: ids.consumerMember,
        address: 'https://ss1.e-services.mn:5500',
        status: 'active',
        authCertificates: [authCertificateEntry(auth.consumerSs1)],
      },
    ],
    signCertificates: [
      signCertificateEntry(signers.consumer.certificate, ids.consumerMember, ids.consumerServer),
      signCertificateEntry(signers.provider.certificate, ids.providerMember, ss1),
      signCertificateEntry(signers.clinic.certificate, ids.clinicMember),
      signCertificateEntry(signers.expired.certificate, ids.consumerMember, ids.consumerServer),
      signCertificateEntry(signers.notYetValid.certificate, ids.consumerMember, ids.consumerServer),
      signCertificateEntry(signers.foreign.certificate, ids.consumerMember, ids.consumerServer),
    ],
    // Out of order on purpose: `v10` is the current version, not `v2`.
    services: [
      serviceVersion(ids.person, 'v2'),
      serviceVersion(ids.person, 'v10'),
      serviceVersion(ids.person, 'v1'),
      serviceVersion(ids.address, 'v1', { enabled: false }),
      serviceVersion(ids.vehicle, 'v1'),
      serviceVersion(ids.vehicle, 'v2', { enabled: false }),
    ],
    accessRights: [
      { serviceId: ids.person, clientId: ids.consumer },
      { serviceId: ids.person, groupId: ids.healthGroup },
      { serviceId: ids.address, clientId: ids.consumer },
      { serviceId: ids.vehicle, clientId: ids.consumer },
    ],
    groups: [{ id: ids.healthGroup, members: [ids.clinic] }],
    revokedCertificates: [
      {
        serial: signers.revoked.certificate.serialNumber,
        thumbprint: signers.revoked.certificate.thumbprint,
        revokedAt: REVOKED_AT.toISOString(),
        reason: 'keyCompromise',
      },
    ],
    ...overrides,
  };
  return { ca, foreignCa, signers, auth, conf, index: GlobalConfIndex.from(conf) };
}

/**
 * A request signed by `by`, dated `now`: by default the consumer's `POST
 * /lookup` of `person` (current version) with a JSON body naming a data
 * subject; `params` replace any of its fields.
 */
export function signRequest(
  by: TestSigner,
  params: Partial<RequestParams> = {},
  now: Date = EXCHANGE_NOW,
): SignedMessage<RequestEnvelope> {
  return signMessage(
    buildRequest(
      {
        client: ids.consumer,
        service: ids.person,
        method: 'POST',
        path: '/lookup',
        headers: { accept: 'application/json' },
        userId: 'MN-officer-17',
        body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
        ...params,
      },
      { now },
    ),
    by.signer,
  );
}

/**
 * The answer to `request` signed by `by`, dated `now`: by default a 200 with
 * a JSON body in Mongolian; `params` replace any of its fields.
 */
export function signAnswer(
  request: SignedMessage<RequestEnvelope>,
  by: TestSigner,
  params: Partial<ResponseParams> = {},
  now: Date = EXCHANGE_NOW,
): SignedMessage<ResponseEnvelope> {
  return signMessage(
    buildResponse(
      request.envelope,
      {
        status: 200,
        body: { contentType: 'application/json', json: { name: 'Бат-Эрдэнэ', registerNumber: 'УБ99010112' } },
        ...params,
      },
      { now },
    ),
    by.signer,
  );
}

/**
 * `message` with its envelope changed by `changes` and signed again by `by`:
 * a message whose signature is good but whose content is not what a check
 * expects.
 */
export function resign<E extends RequestEnvelope | ResponseEnvelope>(
  message: SignedMessage<E>,
  changes: Partial<E>,
  by: TestSigner,
): SignedMessage<E> {
  const envelope = { ...message.envelope, ...changes };
  return signMessage(message.body === undefined ? { envelope } : { envelope, body: message.body }, by.signer);
}

/**
 * The {@link OrtooError} `run` throws, for asserting on its code, type and
 * detail; fails the test when `run` returns or throws anything else.
 */
export function ortooErrorOf(run: () => unknown): OrtooError {
  try {
    run();
  } catch (error) {
    if (error instanceof OrtooError) return error;
    throw error;
  }
  throw new Error('Expected an OrtooError, but nothing was thrown');
}
