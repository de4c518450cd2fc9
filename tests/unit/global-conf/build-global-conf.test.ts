import { buildGlobalConf } from '../../../gateway/src/global-conf/build-global-conf';
import type {
  CertificateRow,
  RegistrySnapshot,
} from '../../../gateway/src/global-conf/load-registry-snapshot';

const NOW = new Date('2025-09-01T12:00:00.000Z');
const GATEWAY_CERTIFICATE = { thumbprint: 'G'.repeat(43), serial: 'ab', pem: 'GATEWAY-PEM' };
const PARAMS = {
  instance: 'MN',
  now: NOW,
  validitySeconds: 600,
  caCertificates: ['CA-PEM'],
  gatewayCertificates: [GATEWAY_CERTIFICATE],
};

const certificate = (serial: string, overrides: Partial<CertificateRow> = {}): CertificateRow => ({
  serial,
  kind: 'sign',
  memberId: 'MN/GOV/9011311',
  securityServerId: 'MN/GOV/9011311/ss1',
  thumbprint: serial.padEnd(43, 'T'),
  pem: `PEM-${serial}`,
  status: 'active',
  notBefore: new Date('2025-06-01T00:00:00Z'),
  notAfter: new Date('2026-06-01T00:00:00Z'),
  revokedAt: null,
  revocationReason: null,
  ...overrides,
});

const snapshot = (overrides: Partial<RegistrySnapshot> = {}): RegistrySnapshot => ({
  version: 12,
  members: [
    {
      id: 'MN/GOV/7000001',
      name: 'Цахим үйлчилгээ',
      status: 'active',
      revokedAt: null,
      revocationReason: null,
    },
    { id: 'MN/GOV/9011311', name: 'УБЕГ', status: 'active', revokedAt: null, revocationReason: null },
  ],
  subsystems: [{ id: 'MN/GOV/9011311/civil-registry', memberId: 'MN/GOV/9011311' }],
  securityServers: [
    {
      id: 'MN/GOV/9011311/ss1',
      ownerId: 'MN/GOV/9011311',
      address: 'https://ss1:5500',
      status: 'active',
      revokedAt: null,
      revocationReason: null,
    },
  ],
  certificates: [certificate('a1'), certificate('a2', { kind: 'auth' })],
  services: [
    {
      serviceId: 'MN/GOV/9011311/civil-registry/person',
      version: '1',
      providerId: 'MN/GOV/9011311/civil-registry',
      title: 'Person',
      requestSchemaHash: 'R'.repeat(43),
      responseSchemaHash: 'S'.repeat(43),
      timeoutMs: 30000,
      maxAttempts: 5,
      backoffMs: 1000,
      idempotent: false,
      dataSubjectPointer: null,
      requestMediaTypes: [],
      openapiHash: null,
      endpoints: null,
      enabled: false,
    },
  ],
  accessRights: [
    {
      serviceId: 'MN/GOV/9011311/civil-registry/person',
      clientId: 'MN/GOV/7000001/portal',
      groupId: null,
      endpointMethod: null,
      endpointPath: null,
    },
    {
      serviceId: 'MN/GOV/9011311/civil-registry/person',
      clientId: 'MN/GOV/7000001/portal',
      groupId: null,
      endpointMethod: 'GET',
      endpointPath: '/persons/*',
    },
    {
      serviceId: 'MN/GOV/9011311/civil-registry/person',
      clientId: null,
      groupId: 'MN/all',
      endpointMethod: null,
      endpointPath: null,
    },
  ],
  groups: [{ id: 'MN/all', members: ['MN/GOV/7000001/portal'] }],
  ...overrides,
});

describe('buildGlobalConf', () => {
  it('builds the document from the snapshot, valid for the given time', () => {
    const conf = buildGlobalConf(snapshot(), PARAMS);
    expect(conf).toMatchObject({
      format: 'ortoo-global-conf/1',
      instance: 'MN',
      version: 12,
      generatedAt: '2025-09-01T12:00:00.000Z',
      expiresAt: '2025-09-01T12:10:00.000Z',
      caCertificates: ['CA-PEM'],
      subsystems: [{ id: 'MN/GOV/9011311/civil-registry', memberId: 'MN/GOV/9011311' }],
      accessRights: [
        { serviceId: 'MN/GOV/9011311/civil-registry/person', clientId: 'MN/GOV/7000001/portal' },
        {
          serviceId: 'MN/GOV/9011311/civil-registry/person',
          clientId: 'MN/GOV/7000001/portal',
          endpoint: { method: 'GET', path: '/persons/*' },
        },
        { serviceId: 'MN/GOV/9011311/civil-registry/person', groupId: 'MN/all' },
      ],
      groups: [{ id: 'MN/all', members: ['MN/GOV/7000001/portal'] }],
      revokedCertificates: [],
    });
    expect(conf.services).toEqual([
      {
        id: 'MN/GOV/9011311/civil-registry/person',
        version: '1',
        providerId: 'MN/GOV/9011311/civil-registry',
        title: 'Person',
        requestSchemaHash: 'R'.repeat(43),
        responseSchemaHash: 'S'.repeat(43),
        timeoutMs: 30000,
        retryPolicy: { maxAttempts: 5, backoffMs: 1000 },
        enabled: false,
      },
    ]);
    expect(conf.signCertificates.map((c) => c.serial)).toEqual(['a1']);
    expect(conf.securityServers[0]?.authCertificates.map((c) => c.serial)).toEqual(['a2']);
  });

  it('says a service is idempotent only when it is registered so', () => {
    const base = snapshot();
    const [service] = base.services;
    const conf = buildGlobalConf(
      {
        ...base,
        services: [
          { ...service!, idempotent: true },
          { ...service!, version: '2' },
        ],
      },
      PARAMS,
    );
    expect(conf.services.map((entry) => entry.idempotent)).toEqual([true, undefined]);
  });

  it('lists a revoked certificate as revoked and nowhere as active', () => {
    const revokedAt = new Date('2025-08-01T00:00:00Z');
    const conf = buildGlobalConf(
      snapshot({
        certificates: [
          certificate('a1', { status: 'revoked', revokedAt, revocationReason: 'key compromise' }),
          certificate('a2', { kind: 'auth', status: 'revoked', revokedAt, revocationReason: 'superseded' }),
        ],
      }),
      PARAMS,
    );
    expect(conf.signCertificates).toEqual([]);
    expect(conf.securityServers[0]?.authCertificates).toEqual([]);
    expect(conf.revokedCertificates).toEqual([
      {
        serial: 'a1',
        thumbprint: 'a1TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: revokedAt.toISOString(),
        reason: 'key compromise',
      },
      {
        serial: 'a2',
        thumbprint: 'a2TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: revokedAt.toISOString(),
        reason: 'superseded',
      },
    ]);
  });

  it('revokes the certificates and servers of a revoked member, from its revocation', () => {
    const revokedAt = new Date('2025-08-15T00:00:00Z');
    const conf = buildGlobalConf(
      snapshot({
        members: [
          {
            id: 'MN/GOV/9011311',
            name: 'УБЕГ',
            status: 'revoked',
            revokedAt,
            revocationReason: 'dissolved',
          },
        ],
      }),
      PARAMS,
    );
    expect(conf.members).toEqual([{ id: 'MN/GOV/9011311', name: 'УБЕГ', status: 'revoked' }]);
    expect(conf.securityServers[0]).toMatchObject({ status: 'revoked', authCertificates: [] });
    expect(conf.signCertificates).toEqual([]);
    expect(conf.revokedCertificates).toEqual([
      {
        serial: 'a1',
        thumbprint: 'a1TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: revokedAt.toISOString(),
        reason: 'member revoked: dissolved',
      },
      {
        serial: 'a2',
        thumbprint: 'a2TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: revokedAt.toISOString(),
        reason: 'member revoked: dissolved',
      },
    ]);
  });

  it('revokes the certificates of a revoked server, keeping an earlier revocation of their own', () => {
    const serverRevokedAt = new Date('2025-08-15T00:00:00Z');
    const ownRevokedAt = new Date('2025-07-01T00:00:00Z');
    const conf = buildGlobalConf(
      snapshot({
        securityServers: [
          {
            id: 'MN/GOV/9011311/ss1',
            ownerId: 'MN/GOV/9011311',
            address: 'https://ss1:5500',
            status: 'revoked',
            revokedAt: serverRevokedAt,
            revocationReason: null,
          },
        ],
        certificates: [
          certificate('a1', { status: 'revoked', revokedAt: ownRevokedAt, revocationReason: 'lost' }),
          certificate('a2', { kind: 'auth' }),
          certificate('b1', { securityServerId: null }),
        ],
      }),
      PARAMS,
    );
    expect(conf.securityServers[0]?.status).toBe('revoked');
    expect(conf.revokedCertificates).toEqual([
      {
        serial: 'a1',
        thumbprint: 'a1TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: ownRevokedAt.toISOString(),
        reason: 'lost',
      },
      {
        serial: 'a2',
        thumbprint: 'a2TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
        revokedAt: serverRevokedAt.toISOString(),
        reason: 'security server revoked',
      },
    ]);
    expect(conf.signCertificates.map((c) => c.serial)).toEqual(['b1']);
    expect(conf.signCertificates[0]).not.toHaveProperty('securityServerId');
  });

  it('leaves expired certificates out of the active lists', () => {
    const conf = buildGlobalConf(
      snapshot({ certificates: [certificate('a1', { notAfter: new Date('2025-09-01T11:59:59Z') })] }),
      PARAMS,
    );
    expect(conf.signCertificates).toEqual([]);
    expect(conf.revokedCertificates).toEqual([]);
  });
});
