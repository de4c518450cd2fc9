/** Mutual TLS listeners and the identity of their peers, for the gateway and the security servers. */
export {
  createMtlsServer,
  peerThumbprint,
  socketPeerThumbprint,
  type MtlsServerOptions,
} from './mtls-server';
export {
  PinnedMtlsClient,
  TransportFailure,
  type PinnedMtlsClientOptions,
  type PinnedRequest,
  type RawAnswer,
} from './pinned-mtls-client';
