/** The signed global configuration: the document, signing it, verifying it, and the client that keeps a copy. */
export {
  GLOBAL_CONF_FORMAT,
  GLOBAL_CONF_MEDIA_TYPE,
  type GlobalConf,
  type GlobalConfAccessRight,
  type GlobalConfAuditLog,
  type GlobalConfAuthCertificate,
  type GlobalConfGroup,
  type GlobalConfMember,
  type GlobalConfRevocation,
  type GlobalConfSecurityServer,
  type GlobalConfService,
  type GlobalConfSignCertificate,
  type GlobalConfSubsystem,
  type RegistryStatus,
  type SignedGlobalConf,
} from './global-conf';
export { signGlobalConf } from './sign-global-conf';
export {
  DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS,
  GLOBAL_CONF_SCHEMA_FILE,
  verifyGlobalConf,
  type VerifyGlobalConfOptions,
} from './verify-global-conf';
export {
  createHttpsFetcher,
  type GlobalConfFetcher,
  type GlobalConfResponse,
  type HttpsFetcherOptions,
} from './global-conf-fetcher';
export {
  DEFAULT_GLOBAL_CONF_REFRESH_MS,
  DEFAULT_GLOBAL_CONF_REQUEST_TIMEOUT_MS,
  GlobalConfClient,
  type GlobalConfClientOptions,
  type GlobalConfRefreshOutcome,
} from './global-conf-client';
export { GlobalConfIndex, type IndexedSignCertificate } from './global-conf-index';
