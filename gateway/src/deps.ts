import { ED25519_NOTE, verifierKey, type Logger, type SchemaRegistry, type SqlStore } from '../../core/src';
import type { AuditTrail } from './audit/audit-trail';
import type { GatewayConfig } from './config';
import { GlobalConfPublisher } from './global-conf/global-conf-publisher';
import { createAdminSchemaRegistry } from './schema-files';
import { gatewayCertificatesOf, type GatewayTrust } from './trust/gateway-trust';

/**
 * Everything the gateway's routes need, made once in `main.ts` (or by a test)
 * and passed down: nothing below reads the environment or opens its own
 * connections, so a test can give a fixed clock or a broken store.
 */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly store: SqlStore;
  readonly audit: AuditTrail;
  /** The admin API's body schemas, registered as `admin/<name>`. */
  readonly schemas: SchemaRegistry;
  readonly trust: GatewayTrust;
  /** The signed global configuration: published to servers, and what the router routes by. */
  readonly globalConf: GlobalConfPublisher;
  readonly logger: Logger;
  readonly clock: () => Date;
}

/** What {@link createGatewayDeps} needs: the parts opened by the caller. */
export type GatewayDepsParts = Pick<GatewayDeps, 'config' | 'store' | 'audit' | 'trust' | 'logger' | 'clock'>;

/** Completes the dependencies from the parts the caller opened. */
export function createGatewayDeps(parts: GatewayDepsParts): GatewayDeps {
  const { config, store, trust, clock, logger } = parts;
  return {
    ...parts,
    schemas: createAdminSchemaRegistry(),
    globalConf: new GlobalConfPublisher({
      store,
      signer: trust.confSigner,
      instance: config.instance,
      validitySeconds: config.globalConf.validitySeconds,
      caCertificates: [trust.ca.certificate.pem],
      gatewayCertificates: gatewayCertificatesOf(trust),
      auditLog: {
        origin: trust.auditLogSigner.name,
        verifierKey: verifierKey(trust.auditLogSigner.name, ED25519_NOTE, trust.auditLogSigner.publicKey),
      },
      clock,
      logger,
    }),
  };
}
