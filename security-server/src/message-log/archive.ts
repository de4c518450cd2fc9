import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  OrtooError,
  buildEvidenceBundle,
  checkpointPayload,
  parseCertificate,
  readCheckpoint,
  verifyChainRows,
  type Checkpoint,
  type ChainStart,
  type JsonValue,
  type SqlStore,
  retentionCutoff,
} from '../../../core/src';
import type { SecurityServerConfig } from '../config';
import { openSecurityServerStore } from '../database';
import type { ServerIdentity } from '../deps';
import { MESSAGE_LOG_BUNDLE_KIND, bundleCertificates, type MessageLogBundleSigning } from './evidence-export';
import {
  MESSAGE_LOG_ARCHIVES,
  MESSAGE_LOG_CHECKPOINTS,
  MESSAGE_LOG_TABLE,
  MESSAGE_LOG_TABLE_NAME,
} from './message-log-table';
import { verifyMessageLogBundle } from './verification';

/**
 * Default of {@link ArchiveMessageLogOptions.maxRecords}: one archive file is
 * built in memory, and the message log holds whole bodies.
 */
export const MAX_ARCHIVE_RECORDS = 50_000;

/** Options of {@link archiveMessageLog}. */
export interface ArchiveMessageLogOptions extends MessageLogBundleSigning {
  /** Records logged before this time are archived (whole chain prefixes, each up to a checkpoint). */
  readonly before: Date;
  /** The archive file to write; it must not exist. */
  readonly file: string;
  /** The archive's `createdAt` and the markers' time. @defaultValue now */
  readonly now?: Date;
  /**
   * About the most records one run archives (a chain's prefix always ends at a
   * checkpoint, so the first one may go beyond it); the rest wait for the next run.
   * @defaultValue {@link MAX_ARCHIVE_RECORDS}
   */
  readonly maxRecords?: number;
}

/** One chain prefix that was archived and removed. */
export interface ArchivedChain {
  readonly writer: string;
  /** First and last chain_seq archived. */
  readonly fromChainSeq: number;
  readonly upToChainSeq: number;
  readonly records: number;
  /**
   * True when the archiver signed the checkpoint that ends it: the chain's
   * writer had stopped without signing its last records (a crash), and all of
   * them were past the cut-off.
   */
  readonly sealed: boolean;
}

/** What one archive run did. */
export interface MessageLogArchive {
  /** The file written, or `undefined` when nothing was ready to archive. */
  readonly file: string | undefined;
  /** Records archived and removed. */
  readonly records: number;
  readonly chains: readonly ArchivedChain[];
  /** True when older records are still due (over `maxRecords`): run again with another file. */
  readonly more: boolean;
}

/** One chain's prefix chosen for the archive. */
interface Planned {
  writer: string;
  /** chain_seq archived before (0 for none). */
  start: number;
  anchor: Checkpoint;
  checkpoints: Checkpoint[];
  rows: Record<string, unknown>[];
  sealed: boolean;
}

/**
 * Retention of the message log: exports, for each chain, the prefix older
 * than `before` up to its last checkpoint there, into one evidence bundle
 * file; reads the file back and verifies it; and only then, in one
 * transaction, records archive markers (which verification of the rest starts
 * from) and deletes those rows. A prefix not yet covered by a checkpoint waits
 * for a later run, unless its writer stopped without signing its tail and the
 * whole tail is past the cut-off: then, once its links verify, the archiver
 * seals it with a checkpoint of its own.
 *
 * @throws OrtooError `Conflict` when `file` exists; `AuditUnavailable` when
 *   the written archive does not verify or the rows changed meanwhile
 *   (nothing is deleted), or a chain's unsigned tail does not verify (it is
 *   not sealed); `DatabaseError`.
 */
export async function archiveMessageLog(
  store: SqlStore,
  options: ArchiveMessageLogOptions,
): Promise<MessageLogArchive> {
  const now = options.now ?? new Date();
  const max = options.maxRecords ?? MAX_ARCHIVE_RECORDS;
  if (existsSync(options.file)) {
    throw new OrtooError('Conflict', `${options.file} exists: archive to a new file`, {
      detail: { file: options.file },
    });
  }
  const writers = await store.query<{ writer: string; archived: number | null }>(
    `SELECT l.writer, (SELECT max(up_to_chain_seq) FROM ${MESSAGE_LOG_ARCHIVES} a WHERE a.writer = l.writer) AS archived
     FROM ${MESSAGE_LOG_TABLE_NAME} l GROUP BY l.writer ORDER BY l.writer`,
  );
  const planned: Planned[] = [];
  let budget = max;
  let more = false;
  for (const { writer, archived } of writers) {
    const start = archived ?? 0;
    const [bound] = await store.query<{ newer: number | null; last: number | null }>(
      `SELECT min(chain_seq) FILTER (WHERE at >= $3) AS newer, max(chain_seq) AS last
       FROM ${MESSAGE_LOG_TABLE_NAME} WHERE writer = $1 AND chain_seq > $2`,
      [writer, start, options.before],
    );
    const newer = bound?.newer ?? null;
    const last = bound?.last ?? null;
    if (last === null) continue;
    const oldEnd = newer === null ? last : newer - 1;
    if (oldEnd <= start) continue;
    const checkpoints = (
      await store.query(
        `SELECT * FROM ${MESSAGE_LOG_CHECKPOINTS} WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3
         ORDER BY chain_seq, id`,
        [writer, start, oldEnd],
      )
    ).map(readCheckpoint);
    let sealed: Checkpoint | undefined;
    // A live writer signs its head within seconds; one whose unsigned tail is all past the cut-off has stopped.
    if (newer === null && (checkpoints.at(-1)?.chainSeq ?? start) < last) {
      sealed = await sealTail(store, writer, start, checkpoints.at(-1), last, options, now);
      checkpoints.push(sealed);
    }
    if (checkpoints.length === 0) continue;

    const within = checkpoints.filter((checkpoint) => checkpoint.chainSeq - start <= budget);
    // The first chain may go over the budget rather than never be archived.
    const anchor = within.at(-1) ?? (budget === max ? checkpoints[0] : undefined);
    if (anchor === undefined) {
      more = true;
      continue;
    }
    if (anchor.chainSeq < (checkpoints.at(-1)?.chainSeq ?? 0)) more = true;
    budget = Math.max(0, budget - (anchor.chainSeq - start));
    const rows = await store.query(
      `SELECT * FROM ${MESSAGE_LOG_TABLE_NAME} WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3
       ORDER BY chain_seq`,
      [writer, start, anchor.chainSeq],
    );
    planned.push({
      writer,
      start,
      anchor,
      checkpoints: checkpoints.filter((checkpoint) => checkpoint.chainSeq <= anchor.chainSeq),
      rows,
      sealed: sealed !== undefined && anchor.id === sealed.id,
    });
  }
  if (planned.length === 0) return { file: undefined, records: 0, chains: [], more };

  const records = planned.reduce((sum, plan) => sum + plan.rows.length, 0);
  const query: Record<string, JsonValue> = {
    log: MESSAGE_LOG_BUNDLE_KIND,
    archive: true,
    before: options.before.toISOString(),
    chains: planned.map((plan) => ({
      writer: plan.writer,
      fromChainSeq: plan.start + 1,
      upToChainSeq: plan.anchor.chainSeq,
    })),
  };
  const text = buildEvidenceBundle({
    query,
    rows: planned.flatMap((plan) => plan.rows),
    links: [],
    checkpoints: planned.flatMap((plan) => plan.checkpoints),
    certificates: bundleCertificates(options),
    signer: options.signer,
    createdAt: now,
  });
  mkdirSync(path.dirname(options.file), { recursive: true });
  try {
    writeFileSync(options.file, text, { flag: 'wx' }); // never over an earlier archive
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OrtooError(
      code === 'EEXIST' ? 'Conflict' : 'AuditUnavailable',
      `Cannot write the archive ${options.file}: ${code ?? String(error)}`,
      { detail: { file: options.file }, cause: error },
    );
  }

  // What is on disk, not what was meant to be, is what must verify.
  const check = verifyMessageLogBundle(readFileSync(options.file, 'utf8'), {
    trustedCa: parseCertificate(options.caPem),
    now,
  });
  if (!check.ok || check.records !== records) {
    throw new OrtooError('AuditUnavailable', `Archive ${options.file} does not verify; nothing was deleted`, {
      detail: check.ok ? { records: check.records, expected: records } : { problem: { ...check.problem } },
    });
  }
  await store.transaction(async (tx) => {
    for (const plan of planned) {
      await tx.query(
        `INSERT INTO ${MESSAGE_LOG_ARCHIVES} (writer, up_to_chain_seq, head_hash, record_count, file, at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [plan.writer, plan.anchor.chainSeq, plan.anchor.headHash, plan.rows.length, options.file, now],
      );
      const deleted = await tx.query(
        `DELETE FROM ${MESSAGE_LOG_TABLE_NAME} WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3 RETURNING seq`,
        [plan.writer, plan.start, plan.anchor.chainSeq],
      );
      if (deleted.length !== plan.rows.length) {
        throw new OrtooError('AuditUnavailable', `Records of ${plan.writer} changed while being archived`);
      }
    }
  });
  return {
    file: options.file,
    records,
    chains: planned.map((plan) => ({
      writer: plan.writer,
      fromChainSeq: plan.start + 1,
      upToChainSeq: plan.anchor.chainSeq,
      records: plan.rows.length,
      sealed: plan.sealed,
    })),
    more,
  };
}

/**
 * Signs the head of a stopped writer's chain with the archiver's key, once
 * the records after its last checkpoint (or after the archived prefix) link
 * and hash correctly, and stores that checkpoint.
 */
async function sealTail(
  store: SqlStore,
  writer: string,
  start: number,
  lastSigned: Checkpoint | undefined,
  last: number,
  signing: MessageLogBundleSigning,
  now: Date,
): Promise<Checkpoint> {
  let from: ChainStart;
  if (lastSigned !== undefined) from = { chainSeq: lastSigned.chainSeq, hash: lastSigned.headHash };
  else if (start > 0) {
    const [marker] = await store.query<{ head_hash: string }>(
      `SELECT head_hash FROM ${MESSAGE_LOG_ARCHIVES} WHERE writer = $1 AND up_to_chain_seq = $2`,
      [writer, start],
    );
    from = { chainSeq: start, hash: marker?.head_hash ?? null };
  } else from = { chainSeq: 0, hash: null };
  const tail = await store.query(
    `SELECT * FROM ${MESSAGE_LOG_TABLE_NAME} WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3
     ORDER BY chain_seq`,
    [writer, from.chainSeq, last],
  );
  const report = verifyChainRows(tail, [], {
    content: (row) => MESSAGE_LOG_TABLE.content(row),
    resolveSigner: () => undefined,
    startAfter: new Map([[writer, from]]),
  });
  const head = tail.at(-1);
  if (!report.ok || head === undefined || Number(head.chain_seq) !== last) {
    throw new OrtooError(
      'AuditUnavailable',
      `The unsigned end of chain ${writer} does not verify: it is not sealed`,
      {
        detail: report.ok ? { writer } : { problem: { ...report.problem } },
      },
    );
  }
  const claim = { writer, chainSeq: last, headHash: String(head.hash), count: last, at: now };
  const jws = signing.signer.sign(checkpointPayload(claim));
  const [row] = await store.query(
    `INSERT INTO ${MESSAGE_LOG_CHECKPOINTS} (writer, chain_seq, head_hash, record_count, at, signer, protected, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [writer, last, claim.headHash, last, now, signing.signer.thumbprint, jws.protected, jws.signature],
  );
  return readCheckpoint(row ?? {});
}

/** Params of {@link runArchive}: what `ortoo ss archive <dir>` has read from the server's folder. */
export interface RunArchiveParams {
  /** The server's configuration: its store, and `messageLog.retentionDays`. */
  readonly config: Pick<SecurityServerConfig, 'databaseUrl' | 'databaseSchema' | 'dataDir' | 'messageLog'>;
  /** The server's sign key and certificate (they sign the archive) and the instance CA. */
  readonly identity: Pick<ServerIdentity, 'signer' | 'signCertificate' | 'caPem'>;
  /** The archive file to write; it must not exist. */
  readonly out: string;
  /** Archive records logged before this time. @defaultValue now − `messageLog.retentionDays` */
  readonly before?: Date;
  /** @defaultValue the current time */
  readonly now?: Date;
  /** PEM of earlier sign certificates of the server (before a renewal), whose checkpoints the archive may hold. */
  readonly otherCertificatesPem?: readonly string[];
  /** @defaultValue {@link MAX_ARCHIVE_RECORDS} */
  readonly maxRecords?: number;
}

/**
 * `ortoo ss archive`: opens the server's store (run it while the server is
 * stopped when the store is PGlite, which allows one process), archives the
 * message log's records older than `before` (or than the retention period)
 * into `out`, and closes the store.
 *
 * @throws OrtooError as {@link archiveMessageLog}; `InvalidConfiguration`
 *   without an instance CA.
 */
export async function runArchive(params: RunArchiveParams): Promise<MessageLogArchive> {
  const { config, identity } = params;
  const now = params.now ?? new Date();
  const [caPem] = identity.caPem;
  if (caPem === undefined) {
    throw new OrtooError(
      'InvalidConfiguration',
      'The server has no instance CA certificate: register it first',
    );
  }
  const store = await openSecurityServerStore({
    ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
    dataDir: config.dataDir,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  });
  try {
    return await archiveMessageLog(store, {
      before: params.before ?? retentionCutoff(now, config.messageLog.retentionDays),
      file: params.out,
      now,
      signer: identity.signer,
      signCertificatePem: identity.signCertificate.pem,
      caPem,
      ...(params.otherCertificatesPem === undefined
        ? {}
        : { otherCertificatesPem: params.otherCertificatesPem }),
      ...(params.maxRecords === undefined ? {} : { maxRecords: params.maxRecords }),
    });
  } finally {
    await store.close();
  }
}
