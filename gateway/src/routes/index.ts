import type { RouterFactory } from '../app';
import { accessRightsRouter } from './access-rights';
import { apiTokensRouter } from './api-tokens';
import { auditRouter } from './audit';
import { certificatesRouter } from './certificates';
import { dataTrackerRouter } from './data-tracker';
import { globalConfRouter } from './global-conf';
import { groupsRouter } from './groups';
import { membersRouter } from './members';
import { registrationsRouter } from './registrations';
import { revocationsRouter } from './revocations';
import { securityServersRouter } from './security-servers';
import { serviceSchemasRouter } from './service-schemas';
import { servicesRouter } from './services';
import { subsystemsRouter } from './subsystems';
import { transparencyLogRouter } from './transparency-log';

/** Every part of the admin API, in the order they are mounted. */
export const ADMIN_ROUTERS: readonly RouterFactory[] = [
  membersRouter,
  subsystemsRouter,
  securityServersRouter,
  groupsRouter,
  apiTokensRouter,
  registrationsRouter,
  certificatesRouter,
  revocationsRouter,
  servicesRouter,
  accessRightsRouter,
  globalConfRouter,
  serviceSchemasRouter,
  auditRouter,
  transparencyLogRouter,
  dataTrackerRouter,
];
