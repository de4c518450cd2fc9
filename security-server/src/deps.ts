import type { Registry } from 'prom-client';
import type { Certificate, JwsSigner, Logger } from '../../core/src';
import type { ConfHolder } from './conf-holder';
import type { SecurityServerConfig } from './config';
import type { MessageLog } from './message-log/message-log';

/** Who this security server is: its keys and certificates, loaded from its folder. */
export interface ServerIdentity {
  /** E.g. `MN/GOV/7000001/ss1`. */
  readonly serverId: string;
  /** E.g. `MN/GOV/7000001`. */
  readonly memberId: string;
  /** Signs messages as the member (sign key, named by the sign certificate's thumbprint). */
  readonly signer: JwsSigner;
  readonly signCertificate: Certificate;
  /** The TLS identity: the auth certificate and its key. */
  readonly tls: { readonly certificatePem: string; readonly keyPem: string; readonly thumbprint: string };
  /** PEM of the instance CA. */
  readonly caPem: readonly string[];
}

/**
 * Everything the security server's proxies need, made once in `main.ts` (or
 * by a test) and passed down.
 */
export interface SecurityServerDeps {
  readonly config: SecurityServerConfig;
  readonly identity: ServerIdentity;
  readonly conf: ConfHolder;
  readonly messageLog: MessageLog;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly clock: () => Date;
}
