/**
 * The shared core of Örtöö: everything the gateway and the security servers
 * both use, and the only module of `core/` they import. Each folder's own
 * `index.ts` lists what it makes public; helpers that are not listed there
 * stay internal to their folder.
 */
export {
  ERROR_KINDS,
  OrtooError,
  errorCodeOfType,
  isOrtooError,
  restProtocolStatus,
  toOrtooError,
  type ErrorBody,
  type RestErrorBody,
  type ErrorCode,
  type ErrorKind,
  type OrtooErrorOptions,
} from './errors';
export * from './identifiers';
export * from './envelope';
export * from './pki';
export * from './schemas';
export * from './config';
export * from './store';
export * from './observability';
export * from './global-conf';
export * from './audit-chain';
export * from './tlog';
export * from './exchange';
export * from './openapi';
export * from './tls';
export * from './http';
