import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { privateKeyToPem, createMtlsServer, peerThumbprint } from '../../../core/src';
import { loadOrCreateTrust, type GatewayTrust } from '../../../gateway/src/trust/gateway-trust';
import { PKI_CLOCK_FREE_DATES, createTestCa, issueTestCertificate } from '../../helpers/pki-fixtures';
import { createServerIdentity, type ServerIdentity } from '../../helpers/server-identity';

/** Answers every request with the thumbprint of the client certificate it came with. */
function echoThumbprint(req: IncomingMessage, res: ServerResponse): void {
  res.end(peerThumbprint(req) ?? 'none');
}

/** A client's TLS identity: none, or a certificate and key. */
type ClientTls = { cert: string; key: string } | Record<string, never>;

describe('createMtlsServer', () => {
  let dir: string;
  let trust: GatewayTrust;
  let consumer: ServerIdentity;
  let server: https.Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-mtls-'));
    trust = loadOrCreateTrust({ dir, instance: 'MN' });
    consumer = createServerIdentity(trust.ca, { serverId: 'MN/GOV/7000001/ss1' });
    // The gateway's exchange listener, as the gateway sets it up.
    server = createMtlsServer(echoThumbprint, {
      certificatePem: trust.tls.certificate.pem,
      keyPem: trust.tls.keyPem,
      caPem: [trust.ca.certificate.pem],
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET / with `tls` as the client identity; resolves with status, body and the keep-alive header. */
  function get(
    tls: ClientTls,
    agent: https.Agent | false = false,
  ): Promise<{ status: number; body: string; keepAlive: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port, path: '/', ca: trust.ca.certificate.pem, agent, ...tls },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              keepAlive: res.headers['keep-alive'] as string | undefined,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  }

  it("gives a security server's request the thumbprint of its certificate, on every request of a connection", async () => {
    const agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      cert: consumer.auth.certificatePem,
      key: consumer.auth.keyPem,
      ca: trust.ca.certificate.pem,
    });
    try {
      const connections: unknown[] = [];
      const count = (socket: TLSSocket) => connections.push(socket);
      server.on('secureConnection', count);
      const first = await get({}, agent);
      const second = await get({}, agent);
      server.off('secureConnection', count);
      expect(first).toEqual({ status: 200, body: consumer.auth.thumbprint, keepAlive: 'timeout=60' });
      expect(second.body).toBe(consumer.auth.thumbprint);
      expect(connections).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('gives the thumbprint on a connection that resumed an earlier TLS session', async () => {
    // No keep-alive: each call a new connection, the second resuming the first's session.
    const agent = new https.Agent({
      cert: consumer.auth.certificatePem,
      key: consumer.auth.keyPem,
      ca: trust.ca.certificate.pem,
    });
    try {
      const resumed: boolean[] = [];
      const record = (socket: TLSSocket) => resumed.push(socket.isSessionReused());
      server.on('secureConnection', record);
      const bodies = [(await get({}, agent)).body, (await get({}, agent)).body];
      server.off('secureConnection', record);
      expect(resumed).toEqual([false, true]);
      expect(bodies).toEqual([consumer.auth.thumbprint, consumer.auth.thumbprint]);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a client without a certificate', async () => {
    await expect(get({})).rejects.toThrow();
  });

  it('refuses a client whose certificate another CA issued, even one naming the same server', async () => {
    const foreignCa = createTestCa('Foreign CA', {
      notBefore: PKI_CLOCK_FREE_DATES.notBefore,
      notAfter: PKI_CLOCK_FREE_DATES.notAfter,
    });
    const foreign = issueTestCertificate(foreignCa, {
      profile: 'auth',
      commonName: 'ss1',
      ...PKI_CLOCK_FREE_DATES,
    });
    await expect(
      get({ cert: foreign.certificate.pem, key: privateKeyToPem(foreign.keyPair.privateKey) }),
    ).rejects.toThrow();
  });

  it('has no peer thumbprint for a request over plain HTTP', async () => {
    const plain = http.createServer(echoThumbprint);
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    try {
      const { port: plainPort } = plain.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: plainPort, agent: false }, (res) => {
            res.setEncoding('utf8');
            let text = '';
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('none');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
