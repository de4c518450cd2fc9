/**
 * The one mutual-TLS client of the core, as both servers' clients use it:
 * new connections resume TLS sessions (an abbreviated handshake) and stay
 * pinned to the certificate the full handshake verified.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Server } from 'node:https';
import { OrtooError, PinnedMtlsClient, TransportFailure, createMtlsServer } from '../../../core/src';
import { loadOrCreateTrust, type GatewayTrust } from '../../../gateway/src/trust/gateway-trust';
import { createServerIdentity, type ServerIdentity } from '../../helpers/server-identity';

describe('PinnedMtlsClient', () => {
  let dir: string;
  let trust: GatewayTrust;
  let peer: ServerIdentity;
  let impostor: ServerIdentity;
  const servers: Server[] = [];

  /** An mTLS server with `identity` that closes every connection after its answer, noting whether it was resumed. */
  async function start(identity: ServerIdentity, resumed: boolean[]): Promise<URL> {
    const server = createMtlsServer(
      (req, res) => {
        resumed.push((req.socket as TLSSocket).isSessionReused());
        res.setHeader('connection', 'close');
        res.end('{"ok":true}');
      },
      {
        certificatePem: identity.auth.certificatePem,
        keyPem: identity.auth.keyPem,
        caPem: [trust.ca.certificate.pem],
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }

  function client(): PinnedMtlsClient {
    return new PinnedMtlsClient({
      certificatePem: trust.tls.certificate.pem,
      keyPem: trust.tls.keyPem,
      caPem: [trust.ca.certificate.pem],
    });
  }

  function get(on: PinnedMtlsClient, url: URL, pinned: (string | undefined)[], wanted: string) {
    return on.request({
      method: 'GET',
      url,
      headers: {},
      timeoutMs: 5_000,
      maxAnswerBytes: 1024,
      peer: 'The peer',
      pin: (thumbprint) => {
        pinned.push(thumbprint);
        return thumbprint === wanted ? undefined : new OrtooError('ProviderUnavailable', 'not the peer');
      },
    });
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-pinned-client-'));
    trust = loadOrCreateTrust({ dir, instance: 'MN' });
    peer = createServerIdentity(trust.ca, { serverId: 'MN/GOV/9011311/ss1' });
    impostor = createServerIdentity(trust.ca, { serverId: 'MN/GOV/7000001/ss1' });
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the TLS session on a new connection and pins it to the certificate first verified', async () => {
    const resumed: boolean[] = [];
    const url = await start(peer, resumed);
    const pinned: (string | undefined)[] = [];
    const pinnedClient = client();
    try {
      for (let i = 0; i < 3; i += 1) {
        const answer = await get(pinnedClient, url, pinned, peer.auth.thumbprint);
        expect(answer).toEqual({ status: 200, body: Buffer.from('{"ok":true}') });
      }
    } finally {
      pinnedClient.close();
    }
    expect(resumed).toEqual([false, true, true]);
    expect(pinned).toEqual([peer.auth.thumbprint, peer.auth.thumbprint, peer.auth.thumbprint]);
  });

  it('refuses a peer whose certificate is not the pinned one, before sending anything', async () => {
    const resumed: boolean[] = [];
    const url = await start(impostor, resumed);
    const pinnedClient = client();
    try {
      await expect(get(pinnedClient, url, [], peer.auth.thumbprint)).rejects.toThrow('not the peer');
    } finally {
      pinnedClient.close();
    }
    expect(resumed).toEqual([]);
  });

  it('reports a peer that cannot be reached as a transport failure, naming why', async () => {
    const url = await start(peer, []);
    const closed = servers.pop() as Server;
    await new Promise((resolve) => closed.close(resolve));
    const pinnedClient = client();
    try {
      const failure = await get(pinnedClient, url, [], peer.auth.thumbprint).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransportFailure);
      expect(failure).toMatchObject({ timedOut: false, reason: 'ECONNREFUSED' });
    } finally {
      pinnedClient.close();
    }
  });
});
