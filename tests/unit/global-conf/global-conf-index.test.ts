import { isOrtooError } from '../../../core/src/errors';
import { GlobalConfIndex, type GlobalConf } from '../../../core/src/global-conf';
import { EXCHANGE_IDS as ids, createExchangeFixture, serviceVersion } from '../../helpers/exchange-fixtures';

describe('GlobalConfIndex', () => {
  const fixture = createExchangeFixture();
  const { conf, index, signers, auth } = fixture;
  const indexOf = (overrides: Partial<GlobalConf>) => GlobalConfIndex.from({ ...conf, ...overrides });

  describe('the configuration it indexes', () => {
    it('keeps the document and its registry version', () => {
      expect(index.conf).toBe(conf);
      expect(index.version).toBe(42);
    });

    it('parses the CA certificates, the trust anchors of every signature', () => {
      expect(index.caCertificates.map((certificate) => certificate.thumbprint)).toEqual([
        fixture.ca.certificate.thumbprint,
      ]);
      expect(index.caCertificates[0]?.isCa).toBe(true);
    });

    it('lists the revocations by serial number', () => {
      const revocation = index.revocations.get(signers.revoked.certificate.serialNumber);
      expect(revocation).toMatchObject({
        revokedAt: new Date('2025-10-01T00:00:00.000Z'),
        reason: 'keyCompromise',
      });
      expect(index.revocations.get(signers.consumer.certificate.serialNumber)).toBeUndefined();
    });
  });

  describe('members, subsystems and security servers by id', () => {
    it('finds each by its id', () => {
      expect(index.member(ids.providerMember)).toEqual({
        id: ids.providerMember,
        name: 'Улсын бүртгэлийн ерөнхий газар',
        status: 'active',
      });
      expect(index.subsystem(ids.clinic)).toEqual({ id: ids.clinic, memberId: ids.clinicMember });
      expect(index.securityServer(ids.consumerServer)).toMatchObject({
        id: ids.consumerServer,
        ownerId: ids.consumerMember,
        address: 'https://ss1.e-services.mn:5500',
      });
    });

    it('finds revoked ones too, with their status: judging them is the caller’s business', () => {
      expect(index.member(ids.revokedMember)?.status).toBe('revoked');
      expect(index.securityServer(ids.revokedProviderServer)?.status).toBe('revoked');
    });

    it('answers undefined for an id it does not know, or one of another kind', () => {
      expect(index.member('MN/GOV/0000000')).toBeUndefined();
      expect(index.subsystem('MN/GOV/7000001/unknown')).toBeUndefined();
      expect(index.securityServer('MN/GOV/7000001/ss9')).toBeUndefined();
      expect(index.member(ids.consumer)).toBeUndefined();
      expect(index.subsystem(ids.consumerMember)).toBeUndefined();
      expect(index.securityServer(ids.consumer)).toBeUndefined();
    });
  });

  describe('serverByAuthThumbprint', () => {
    it('finds the active server that presents a TLS certificate', () => {
      expect(index.serverByAuthThumbprint(auth.consumerSs1.thumbprint)?.id).toBe(ids.consumerServer);
      expect(index.serverByAuthThumbprint(auth.providerSs1.thumbprint)?.id).toBe(ids.providerServers[0]);
    });

    it('knows a server by any of its TLS certificates, as during a rotation', () => {
      for (const certificate of auth.providerSs2) {
        expect(index.serverByAuthThumbprint(certificate.thumbprint)?.id).toBe(ids.providerServers[1]);
      }
    });

    it('ignores a revoked server even when its certificates are still listed', () => {
      const revokedSs1 = indexOf({
        securityServers: conf.securityServers.map((server) =>
          server.id === ids.consumerServer ? { ...server, status: 'revoked' as const } : server,
        ),
      });
      expect(revokedSs1.serverByAuthThumbprint(auth.consumerSs1.thumbprint)).toBeUndefined();
      expect(revokedSs1.securityServer(ids.consumerServer)?.status).toBe('revoked');
    });

    it('answers undefined for a certificate no server presents, a signing one included', () => {
      expect(index.serverByAuthThumbprint('A'.repeat(43))).toBeUndefined();
      expect(index.serverByAuthThumbprint(signers.consumer.certificate.thumbprint)).toBeUndefined();
    });
  });

  describe('signCertificate', () => {
    it('gives the member, the server and the parsed certificate of an active signing certificate', () => {
      const { thumbprint } = signers.consumer.certificate;
      const indexed = index.signCertificate(thumbprint);
      expect(indexed).toMatchObject({
        memberId: ids.consumerMember,
        securityServerId: ids.consumerServer,
        thumbprint,
      });
      expect(indexed?.certificate.thumbprint).toBe(thumbprint);
      expect(indexed?.certificate.publicKey.asymmetricKeyType).toBe('ec');
    });

    it('leaves securityServerId out for a member’s certificate that names no server', () => {
      const indexed = index.signCertificate(signers.clinic.certificate.thumbprint);
      expect(indexed?.memberId).toBe(ids.clinicMember);
      expect(indexed).not.toHaveProperty('securityServerId');
    });

    it('parses a certificate once and hands out the same object ever after', () => {
      const fresh = indexOf({});
      const { thumbprint } = signers.provider.certificate;
      const first = fresh.signCertificate(thumbprint);
      expect(fresh.signCertificate(thumbprint)).toBe(first);
      expect(fresh.signCertificate(thumbprint)?.certificate).toBe(first?.certificate);
    });

    it('parses on first use: a malformed certificate fails only when it is asked for', () => {
      const broken = { ...conf.signCertificates[0]!, thumbprint: 'B'.repeat(43), pem: 'not a certificate' };
      const lazy = indexOf({ signCertificates: [...conf.signCertificates, broken] });
      expect(lazy.signCertificate(signers.consumer.certificate.thumbprint)?.memberId).toBe(
        ids.consumerMember,
      );
      let thrown: unknown;
      try {
        lazy.signCertificate('B'.repeat(43));
      } catch (error) {
        thrown = error;
      }
      expect(isOrtooError(thrown, 'InvalidCertificate')).toBe(true);
    });

    it('answers undefined for a revoked, unregistered or TLS certificate', () => {
      expect(index.signCertificate(signers.revoked.certificate.thumbprint)).toBeUndefined();
      expect(index.signCertificate(signers.unregistered.certificate.thumbprint)).toBeUndefined();
      expect(index.signCertificate(auth.consumerSs1.thumbprint)).toBeUndefined();
    });
  });

  describe('revocationOf', () => {
    it('names the revocation of a certificate by its thumbprint, whenever it takes effect', () => {
      expect(index.revocationOf(signers.revoked.certificate.thumbprint)).toEqual({
        serial: signers.revoked.certificate.serialNumber,
        thumbprint: signers.revoked.certificate.thumbprint,
        revokedAt: '2025-10-01T00:00:00.000Z',
        reason: 'keyCompromise',
      });
    });

    it('answers undefined for a certificate that is not revoked', () => {
      expect(index.revocationOf(signers.consumer.certificate.thumbprint)).toBeUndefined();
      expect(index.revocationOf('A'.repeat(43))).toBeUndefined();
    });
  });

  describe('service', () => {
    it('finds the version asked for', () => {
      for (const version of ['v1', 'v2', 'v10']) {
        expect(index.service(ids.person, version)).toMatchObject({ id: ids.person, version });
      }
    });

    it('takes the highest version as the current one, comparing numbers as numbers (v2 < v10)', () => {
      expect(index.service(ids.person)?.version).toBe('v10');
    });

    it('finds the current version whatever order the configuration lists them in', () => {
      const versions = ['1.10', '1.9', '2', '1.2', '10', '9'];
      for (const order of [versions, [...versions].reverse(), [...versions].sort()]) {
        const reordered = indexOf({ services: order.map((version) => serviceVersion(ids.person, version)) });
        expect(reordered.service(ids.person)?.version).toBe('10');
        expect(reordered.service(ids.person, '1.9')?.version).toBe('1.9');
      }
      const minor = indexOf({ services: ['1.9', '1.10', '1.2'].map((v) => serviceVersion(ids.person, v)) });
      expect(minor.service(ids.person)?.version).toBe('1.10');
    });

    it('takes the highest version as current even when it is disabled: refusing it is resolveService’s job', () => {
      expect(index.service(ids.vehicle)).toMatchObject({ version: 'v2', enabled: false });
    });

    it('answers undefined for an unknown service or version', () => {
      expect(index.service(ids.unknownService)).toBeUndefined();
      expect(index.service(ids.unknownService, 'v1')).toBeUndefined();
      expect(index.service(ids.person, 'v3')).toBeUndefined();
      expect(index.service(ids.person, 'V1')).toBeUndefined();
    });
  });

  describe('providerServers', () => {
    const person = () => index.service(ids.person)!;

    it('lists the active servers of the provider’s member, sorted by id, the revoked one left out', () => {
      expect(index.providerServers(person()).map((server) => server.id)).toEqual(ids.providerServers);
    });

    it('is the same for every service and version of that member', () => {
      expect(index.providerServers(index.service(ids.vehicle, 'v1')!)).toEqual(
        index.providerServers(person()),
      );
    });

    it('is empty when the provider’s member has no active server', () => {
      const clinicService = serviceVersion(`${ids.clinic}/records`, 'v1', { providerId: ids.clinic });
      expect(index.providerServers(clinicService)).toEqual([]);
    });

    it('is empty when the provider is not a registered subsystem', () => {
      const orphan = serviceVersion('MN/GOV/1234567/gone/service', 'v1', {
        providerId: 'MN/GOV/1234567/gone',
      });
      expect(index.providerServers(orphan)).toEqual([]);
    });
  });

  describe('mayCall', () => {
    it('allows a client with a right of its own', () => {
      expect(index.mayCall(ids.consumer, ids.person)).toBe(true);
      expect(index.mayCall(ids.consumer, ids.address)).toBe(true);
    });

    it('allows a client through a global group it is in', () => {
      expect(index.mayCall(ids.clinic, ids.person)).toBe(true);
    });

    it('does not stretch a group’s right to services the group was not given', () => {
      expect(index.mayCall(ids.clinic, ids.address)).toBe(false);
      expect(index.mayCall(ids.clinic, ids.vehicle)).toBe(false);
    });

    it('refuses a client without a right, even a sibling subsystem of an allowed one', () => {
      expect(index.mayCall(ids.consumerWithoutRights, ids.person)).toBe(false);
      expect(index.mayCall(ids.provider, ids.person)).toBe(false);
      expect(index.mayCall('MN/GOV/7000001/unknown', ids.person)).toBe(false);
    });

    it('refuses every client of a service nobody may call', () => {
      expect(index.mayCall(ids.consumer, ids.unknownService)).toBe(false);
    });

    it('does not read a member id as a right of its subsystems', () => {
      const memberRight = indexOf({
        accessRights: [{ serviceId: ids.person, clientId: ids.consumerMember }],
      });
      expect(memberRight.mayCall(ids.consumer, ids.person)).toBe(false);
    });

    it('takes away a right through a group when the client leaves the group', () => {
      const leftGroup = indexOf({ groups: [{ id: ids.healthGroup, members: [] }] });
      expect(leftGroup.mayCall(ids.clinic, ids.person)).toBe(false);
    });
  });
});
