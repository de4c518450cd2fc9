import {
  OrtooError,
  buildEvidenceBundle,
  chainEvidence,
  type JsonValue,
  type JwsSigner,
  type SqlExecutor,
} from '../../../core/src';
import { MESSAGE_LOG_CHECKPOINTS, MESSAGE_LOG_TABLE_NAME } from './message-log-table';

/** Default of {@link ExportMessageLogOptions.maxRecords}: an export is evidence for a case, not a backup. */
export const MAX_EXPORT_RECORDS = 10_000;

/** What a message-log bundle's `query` says it is of, besides the search. */
export const MESSAGE_LOG_BUNDLE_KIND = 'message-log';

/** The certificates and key a message-log bundle is signed with. */
export interface MessageLogBundleSigning {
  /** Signs the bundle: the server's sign key. */
  readonly signer: JwsSigner;
  /** PEM of the certificate of `signer` (it signed the checkpoints too). */
  readonly signCertificatePem: string;
  /** PEM of the instance CA that issued it. */
  readonly caPem: string;
  /** PEM of earlier sign certificates whose checkpoints the bundle may hold (after a renewal). @defaultValue none */
  readonly otherCertificatesPem?: readonly string[];
}

/** Options of {@link exportMessageLog}. */
export interface ExportMessageLogOptions extends MessageLogBundleSigning {
  /** Records logged at or after this time... */
  readonly from: Date;
  /** ...and before this one. */
  readonly to: Date;
  /** Only the records of this message id (its request and answer). @defaultValue all */
  readonly messageId?: string;
  /**
   * Signs this process's chain head first, so that records it has just
   * written are covered: pass the running `MessageLog`.
   * @defaultValue none: only records already covered by a checkpoint can be exported
   */
  readonly log?: { checkpoint(): Promise<unknown> };
  /** The bundle's `createdAt`. @defaultValue now */
  readonly now?: Date;
  /** Most records one bundle carries. @defaultValue {@link MAX_EXPORT_RECORDS} */
  readonly maxRecords?: number;
}

/**
 * The evidence bundle of the messages logged in a time range: the records
 * (whole signed messages), the rows that link each of them to the next
 * signed checkpoint of its chain, those checkpoints and the certificates,
 * signed as one file that verifies offline (`ortoo audit verify-bundle`, or
 * `verifyMessageLogBundle`).
 *
 * @throws OrtooError `BadRequest` for an empty or reversed range, or when
 *   more than `maxRecords` match; `Conflict` when some record is not yet
 *   covered by a checkpoint (its writer has not signed since, or stopped
 *   without its last checkpoint); `DatabaseError`.
 */
export async function exportMessageLog(db: SqlExecutor, options: ExportMessageLogOptions): Promise<string> {
  const { from, to } = options;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from.getTime() >= to.getTime()) {
    throw new OrtooError('BadRequest', 'The export range must have a start before its end');
  }
  const max = options.maxRecords ?? MAX_EXPORT_RECORDS;
  const rows = await db.query(
    `SELECT * FROM ${MESSAGE_LOG_TABLE_NAME}
     WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR message_id = $3)
     ORDER BY seq LIMIT $4`,
    [from, to, options.messageId ?? null, max + 1],
  );
  if (rows.length > max) {
    throw new OrtooError(
      'BadRequest',
      `More than ${max} messages were logged in that range: narrow it, or give a message id`,
    );
  }
  // Signed after the search: every record this process wrote that the search found is then covered.
  await options.log?.checkpoint();
  const { links, checkpoints } = await chainEvidence(
    db,
    { table: MESSAGE_LOG_TABLE_NAME, checkpoints: MESSAGE_LOG_CHECKPOINTS },
    rows,
  );
  const query: Record<string, JsonValue> = {
    log: MESSAGE_LOG_BUNDLE_KIND,
    from: from.toISOString(),
    to: to.toISOString(),
    ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
  };
  return buildEvidenceBundle({
    query,
    rows,
    links,
    checkpoints,
    certificates: bundleCertificates(options),
    signer: options.signer,
    createdAt: options.now ?? new Date(),
  });
}

/** The `certificates` of a message-log bundle. */
export function bundleCertificates(signing: MessageLogBundleSigning): {
  signer: string;
  ca: string;
  others?: string[];
} {
  const others = signing.otherCertificatesPem ?? [];
  return {
    signer: signing.signCertificatePem,
    ca: signing.caPem,
    ...(others.length === 0 ? {} : { others: [...others] }),
  };
}
