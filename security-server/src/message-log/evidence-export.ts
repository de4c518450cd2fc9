import {
  OrtooError,
  buildEvidenceBundle,
  readCheckpoint,
  type Checkpoint,
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

/** A run of one writer's chain, by chain_seq, both ends included. */
interface ChainRange {
  writer: string;
  from: number;
  to: number;
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
  const { links, checkpoints } = await chainEvidence(db, rows);
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

/**
 * The rows and checkpoints that anchor `rows`: for each row, every row of its
 * chain up to the first checkpoint at or after it, and that checkpoint.
 */
async function chainEvidence(
  db: SqlExecutor,
  rows: readonly Record<string, unknown>[],
): Promise<{ links: Record<string, unknown>[]; checkpoints: Checkpoint[] }> {
  const seqsByWriter = new Map<string, number[]>();
  for (const row of rows) {
    const writer = row.writer as string;
    seqsByWriter.set(writer, [...(seqsByWriter.get(writer) ?? []), row.chain_seq as number]);
  }
  const links: Record<string, unknown>[] = [];
  const checkpoints: Checkpoint[] = [];
  for (const [writer, seqs] of seqsByWriter) {
    const signed = (
      await db.query(
        `SELECT * FROM ${MESSAGE_LOG_CHECKPOINTS} WHERE writer = $1 AND chain_seq >= $2 ORDER BY chain_seq, id`,
        [writer, Math.min(...seqs)],
      )
    ).map(readCheckpoint);
    for (const range of anchoredRanges(writer, seqs, signed)) {
      links.push(
        ...(await db.query(
          `SELECT * FROM ${MESSAGE_LOG_TABLE_NAME} WHERE writer = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq`,
          [writer, range.from, range.to],
        )),
      );
      const anchor = signed.find((checkpoint) => checkpoint.chainSeq === range.to);
      if (anchor !== undefined) checkpoints.push(anchor);
    }
  }
  return { links, checkpoints };
}

/**
 * Each row's run up to the first checkpoint at or after it, merged where runs
 * meet; a row beyond the last checkpoint gets a run ending at itself (the
 * bundle then names it as not covered).
 */
function anchoredRanges(
  writer: string,
  seqs: readonly number[],
  signed: readonly Checkpoint[],
): ChainRange[] {
  const ends = [...new Set(signed.map((checkpoint) => checkpoint.chainSeq))].sort((a, b) => a - b);
  const ranges: ChainRange[] = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last !== undefined && seq <= last.to) continue;
    const end = ends.find((chainSeq) => chainSeq >= seq) ?? seq;
    ranges.push({ writer, from: seq, to: end });
  }
  return ranges;
}
