import {
  verifyChainedLog,
  type SqlStore,
  type VerificationReport,
  type VerifyChainedLogOptions,
} from '../../../core/src';
import { AUDIT_TABLE } from './audit-table';

/** Options of {@link verifyAuditLog}. */
export type AuditVerifyOptions = VerifyChainedLogOptions;

/**
 * Verifies the audit log's chains and checkpoints, the whole log (from the
 * archive markers on) or a time range, and names the first problem.
 */
export function verifyAuditLog(store: SqlStore, options: AuditVerifyOptions): Promise<VerificationReport> {
  return verifyChainedLog(store, AUDIT_TABLE, options);
}
