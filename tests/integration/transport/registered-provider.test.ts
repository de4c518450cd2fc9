import {
  buildRequest,
  parseCertificate,
  signMessage,
  verifyMessage,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { ProviderClient } from '../../../gateway/src/delivery/provider-client';
import { buildGlobalConf } from '../../../gateway/src/global-conf/build-global-conf';
import { loadRegistrySnapshot } from '../../../gateway/src/global-conf/load-registry-snapshot';
import { registryVersion } from '../../../gateway/src/registry/registry-version';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { ProviderEndpoint } from '../../helpers/provider-endpoint';
import {
  createServerIdentity,
  issueServerIdentity,
  registerServerIdentity,
} from '../../helpers/server-identity';
import { gatewayCertificatesOf } from '../../../gateway/src/trust/gateway-trust';

const PROVIDER_SERVER = 'MN/GOV/9011311/ss1';
const CONSUMER_SERVER = 'MN/GOV/7000001/ss1';

describe('a provider server registered through the test identities', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway('postgres');
  });

  afterAll(async () => {
    await gateway.close();
  });

  it("is listed in the gateway's global configuration, and the gateway delivers to it by that entry", async () => {
    const { trust } = gateway.deps;
    const versionBefore = await registryVersion(gateway.store);
    const provider = createServerIdentity(trust.ca, {
      serverId: PROVIDER_SERVER,
      memberName: 'Улсын бүртгэлийн ерөнхий газар',
    });
    const endpoint = await ProviderEndpoint.start({
      identity: provider,
      caPem: [trust.ca.certificate.pem],
      clientThumbprints: [trust.tls.certificate.thumbprint],
    });
    const client = new ProviderClient({
      certificatePem: trust.tls.certificate.pem,
      keyPem: trust.tls.keyPem,
      caPem: [trust.ca.certificate.pem],
    });
    try {
      await gateway.store.transaction((tx) => registerServerIdentity(tx, provider, endpoint.address));
      const consumer = await issueServerIdentity(trust, gateway.store, {
        serverId: CONSUMER_SERVER,
        address: 'https://127.0.0.1:1',
      });
      expect(await registryVersion(gateway.store)).toBe(versionBefore + 2);

      const conf = buildGlobalConf(await loadRegistrySnapshot(gateway.store), {
        instance: 'MN',
        now: new Date(),
        validitySeconds: 600,
        caCertificates: [trust.ca.certificate.pem],
        gatewayCertificates: gatewayCertificatesOf(trust),
      });
      const server = conf.securityServers.find((s) => s.id === PROVIDER_SERVER);
      expect(server).toEqual(endpoint.globalConfServer);
      expect(conf.members.map((m) => m.id).sort()).toEqual(['MN/GOV/7000001', 'MN/GOV/9011311']);
      expect(conf.signCertificates.map((c) => [c.securityServerId, c.thumbprint]).sort()).toEqual(
        [
          [CONSUMER_SERVER, consumer.sign.certificate.thumbprint],
          [PROVIDER_SERVER, provider.sign.certificate.thumbprint],
        ].sort(),
      );

      const message = signMessage(
        buildRequest({
          client: 'MN/GOV/7000001/e-services',
          service: 'MN/GOV/9011311/civil-registry/person',
          method: 'GET',
          query: 'регистр=УБ99112233',
        }),
        consumer.sign.signer,
      );
      if (server === undefined) throw new Error('provider server not listed');
      const answer = (await client.deliver(server, message, 5_000)) as SignedMessage<ResponseEnvelope>;
      // Checked as the gateway will: with the signing certificate the configuration lists.
      const signer = verifyMessage(answer, (thumbprint) => {
        const listed = conf.signCertificates.find((c) => c.thumbprint === thumbprint);
        return listed === undefined ? undefined : parseCertificate(listed.pem);
      });
      expect(signer.thumbprint).toBe(provider.sign.certificate.thumbprint);
      expect(endpoint.received).toEqual([message.envelope.id]);
    } finally {
      client.close();
      await endpoint.close();
    }
  });
});
