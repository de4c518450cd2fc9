import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { privateKeyToPem } from '../../../core/src';
import { hashApiKey } from '../../../security-server/src/config';
import {
  LocalSystems,
  assertMayActAs,
  clientCertificateThumbprint,
  createLocalSystemTlsServer,
  credentialsOf,
} from '../../../security-server/src/local-systems';
import { ortooErrorOf } from '../../helpers/exchange-fixtures';
import { PKI_CLOCK_FREE_DATES, createTestCa, issueTestCertificate } from '../../helpers/pki-fixtures';

const PORTAL_KEY = 'портал-түлхүүр-2025';
const ARCHIVE_KEY = 'archive-key-1';
const THUMBPRINT = 'q'.repeat(43);

const systems = new LocalSystems([
  { name: 'portal', apiKeyHash: hashApiKey(PORTAL_KEY), clients: ['MN/GOV/7000001/e-services'] },
  {
    name: 'archive',
    apiKeyHash: hashApiKey(ARCHIVE_KEY),
    certificateThumbprint: THUMBPRINT,
    clients: ['MN/GOV/7000001/archive', 'MN/GOV/7000001/e-services'],
  },
  { name: 'broken', apiKeyHash: 'not-a-hash', clients: ['MN/GOV/7000001/e-services'] },
]);

describe('credentialsOf', () => {
  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${ARCHIVE_KEY}` }],
    ['a lower-case scheme', { authorization: `bearer ${ARCHIVE_KEY}` }],
    ['X-Road’s own Authorization form', { authorization: `X-Road-Apikey token=${ARCHIVE_KEY}` }],
    ['X-Road-Apikey', { 'x-road-apikey': ` ${ARCHIVE_KEY} ` }],
  ])('reads the API key from %s', (_what, headers) => {
    expect(credentialsOf(headers)).toEqual({ apiKey: ARCHIVE_KEY });
  });

  it('reads nothing from a request without credentials', () => {
    expect(credentialsOf({})).toEqual({});
    expect(credentialsOf({ 'x-road-apikey': '   ' })).toEqual({});
  });

  it('refuses an Authorization header of another scheme', () => {
    const error = ortooErrorOf(() => credentialsOf({ authorization: 'Basic dXNlcjpwYXNz' }));
    expect(error).toMatchObject({ code: 'Unauthenticated', status: 401, type: 'Client.Unauthenticated' });
  });
});

describe('LocalSystems.authenticate', () => {
  it('knows a local system by its API key, compared by hash', () => {
    const system = systems.authenticate({ apiKey: PORTAL_KEY });
    expect(system.name).toBe('portal');
    expect([...system.clients]).toEqual(['MN/GOV/7000001/e-services']);
    expect(systems.authenticate({ apiKey: ARCHIVE_KEY }).name).toBe('archive');
  });

  it('knows a local system by its pinned TLS certificate', () => {
    expect(systems.authenticate({ certificateThumbprint: THUMBPRINT }).name).toBe('archive');
  });

  it.each([
    ['a wrong API key', { apiKey: 'guess' }, 'Unknown API key'],
    ['the hash itself as a key', { apiKey: hashApiKey(PORTAL_KEY) }, 'Unknown API key'],
    [
      'a wrong key with a known certificate',
      { apiKey: 'guess', certificateThumbprint: THUMBPRINT },
      'Unknown API key',
    ],
    ['an unknown certificate', { certificateThumbprint: 'z'.repeat(43) }, 'not one of a local system'],
    ['a malformed thumbprint', { certificateThumbprint: 'short' }, 'must authenticate'],
    ['no credentials', {}, 'must authenticate'],
  ])('refuses %s as Client.Unauthenticated', (_what, credentials, message) => {
    const error = ortooErrorOf(() => systems.authenticate(credentials));
    expect(error).toMatchObject({ code: 'Unauthenticated', status: 401 });
    expect(error.message).toContain(message);
  });
});

describe('assertMayActAs', () => {
  const portal = systems.authenticate({ apiKey: PORTAL_KEY });

  it('lets a local system act as a client listed for it', () => {
    expect(() => assertMayActAs(portal, 'MN/GOV/7000001/e-services')).not.toThrow();
  });

  it('refuses any other client as Client.Forbidden', () => {
    const error = ortooErrorOf(() => assertMayActAs(portal, 'MN/GOV/7000001/archive'));
    expect(error).toMatchObject({
      code: 'Forbidden',
      status: 403,
      type: 'Client.Forbidden',
      detail: { localSystem: 'portal', client: 'MN/GOV/7000001/archive' },
    });
  });
});

describe('clientCertificateThumbprint', () => {
  it('is undefined on a plain socket', () => {
    expect(clientCertificateThumbprint(undefined)).toBeUndefined();
  });

  it('pins a TLS client certificate of any issuer by its thumbprint', async () => {
    // The server's CA never issued the client's certificate: the pin alone decides.
    const serverCa = createTestCa('Server CA', PKI_CLOCK_FREE_DATES);
    const server = issueTestCertificate(serverCa, {
      profile: 'auth',
      commonName: 'ss1',
      ipAddresses: ['127.0.0.1'],
      ...PKI_CLOCK_FREE_DATES,
    });
    const clientCa = createTestCa('Agency CA', PKI_CLOCK_FREE_DATES);
    const client = issueTestCertificate(clientCa, {
      profile: 'auth',
      commonName: 'portal',
      ...PKI_CLOCK_FREE_DATES,
    });
    const seen: (string | undefined)[] = [];
    const listener = createLocalSystemTlsServer(
      (req, res) => {
        seen.push(credentialsOf(req.headers, req.socket as TLSSocket).certificateThumbprint);
        res.end('ok');
      },
      { certificatePem: server.certificate.pem, keyPem: privateKeyToPem(server.keyPair.privateKey) },
    );
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as AddressInfo;
    const get = (options: https.RequestOptions) =>
      new Promise<void>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, ca: serverCa.certificate.pem, agent: false, ...options }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    try {
      await get({ cert: client.certificate.pem, key: privateKeyToPem(client.keyPair.privateKey) });
      await get({});
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    expect(seen).toEqual([client.certificate.thumbprint, undefined]);
  });
});
