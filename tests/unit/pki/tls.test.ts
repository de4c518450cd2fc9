import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';

import {
  privateKeyToPem,
  type CertificateAuthority,
  type KeyPair,
  type Certificate,
} from '../../../core/src/pki';
import { createTestCa, issueTestCertificate, PKI_CLOCK_FREE_DATES } from '../../helpers/pki-fixtures';

// Node's TLS checks validity against the real clock, so these certificates
// run from 2025 to 2099 instead of the fixed test dates.
describe('auth certificates in Node TLS', () => {
  let ca: CertificateAuthority;
  let foreignCa: CertificateAuthority;
  let gateway: { keyPair: KeyPair; certificate: Certificate };
  let securityServer: { keyPair: KeyPair; certificate: Certificate };
  let stranger: { keyPair: KeyPair; certificate: Certificate };
  let server: Server;
  let port: number;
  const serverSeen: { authorized: boolean; peer: string }[] = [];

  beforeAll(async () => {
    ca = createTestCa('Örtöö TLS Test CA', PKI_CLOCK_FREE_DATES);
    foreignCa = createTestCa('Foreign TLS CA', PKI_CLOCK_FREE_DATES);
    const validity = PKI_CLOCK_FREE_DATES;
    gateway = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'gateway',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      ...validity,
    });
    securityServer = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'ss1',
      keyType: 'rsa-2048',
      ...validity,
    });
    stranger = issueTestCertificate(foreignCa, { profile: 'auth', commonName: 'ss1', ...validity });

    server = createServer(
      {
        key: privateKeyToPem(gateway.keyPair.privateKey),
        cert: gateway.certificate.pem,
        ca: ca.certificate.pem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        serverSeen.push({
          authorized: socket.authorized,
          peer: String(socket.getPeerCertificate().subject.CN),
        });
        socket.end('hello');
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  // Always dials 127.0.0.1; `servername` makes the client check a DNS name instead of the IP.
  function dial(client: { keyPair: KeyPair; certificate: Certificate }, servername?: string): TLSSocket {
    return connect({
      host: '127.0.0.1',
      port,
      servername,
      key: privateKeyToPem(client.keyPair.privateKey),
      cert: client.certificate.pem,
      ca: ca.certificate.pem,
    });
  }

  it.each([
    ['its IP address', undefined],
    ['its DNS name', 'localhost'],
  ])(
    'lets a security server and the gateway authenticate each other, the gateway named by %s',
    async (_how, servername) => {
      const socket = dial(securityServer, servername);
      await once(socket, 'secureConnect');

      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subject.CN).toBe('gateway');
      const [data] = (await once(socket, 'data')) as [Buffer];
      expect(data.toString()).toBe('hello');
      socket.destroy();
      expect(serverSeen.at(-1)).toEqual({ authorized: true, peer: 'ss1' });
    },
  );

  it('turns away a client whose certificate another CA issued', async () => {
    const served = serverSeen.length;
    const refused = once(server, 'tlsClientError');
    const socket = dial(stranger);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);

    // Under TLS 1.3 the client finishes its side of the handshake first; the
    // gateway then checks the client's certificate and drops the connection.
    await Promise.all([refused, once(socket, 'close')]);

    expect(received).toEqual([]);
    expect(serverSeen).toHaveLength(served);
  });

  it('lets a client refuse a gateway certificate that does not name the host it dialled', async () => {
    const socket = dial(securityServer, 'elsewhere.example');
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];

    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    socket.destroy();
  });
});
