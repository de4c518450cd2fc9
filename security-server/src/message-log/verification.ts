import {
  verifyChainedLog,
  verifyEvidenceBundle,
  type BundleVerification,
  type Certificate,
  type SqlStore,
  type VerificationReport,
  type VerifyChainedLogOptions,
} from '../../../core/src';
import { MESSAGE_LOG_TABLE } from './message-log-table';

/** Options of {@link verifyMessageLog}: the server's sign certificates (and earlier ones), a time range or none. */
export type VerifyMessageLogOptions = VerifyChainedLogOptions;

/**
 * Verifies the message log's chains and checkpoints, the whole log (from what
 * retention left) or a time range, and names the first problem: the row
 * (`seq`) whose content no longer matches its hash, a broken link, a gap, or
 * a checkpoint that does not hold.
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export function verifyMessageLog(
  store: SqlStore,
  options: VerifyMessageLogOptions,
): Promise<VerificationReport> {
  return verifyChainedLog(store, MESSAGE_LOG_TABLE, options);
}

/** Options of {@link verifyMessageLogBundle}. */
export interface VerifyMessageLogBundleOptions {
  /** The instance CA the auditor trusts. @defaultValue none: the bundled CA is reported for the auditor to judge */
  readonly trustedCa?: Certificate;
  /** The instant to judge at. @defaultValue now */
  readonly now?: Date;
}

/**
 * Verifies a message-log evidence bundle (an export or an archive file)
 * offline: what `ortoo audit verify-bundle` checks, with the message log's
 * row content.
 */
export function verifyMessageLogBundle(
  text: string,
  options: VerifyMessageLogBundleOptions = {},
): BundleVerification {
  return verifyEvidenceBundle(text, {
    content: (row) => MESSAGE_LOG_TABLE.content(row),
    ...(options.trustedCa === undefined ? {} : { trustedCa: options.trustedCa }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
