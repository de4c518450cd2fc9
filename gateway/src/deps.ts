import type { Logger, SchemaRegistry, SqlStore } from '../../core/src';
import type { AuditTrail } from './audit/audit-trail';
import type { GatewayConfig } from './config';
import type { GatewayTrust } from './trust/gateway-trust';

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
  readonly logger: Logger;
  readonly clock: () => Date;
}
