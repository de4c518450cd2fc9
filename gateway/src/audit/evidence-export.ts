import {
  ED25519_COSIGNATURE,
  ed25519FromRaw,
  verifierKey,
  type EvidenceTree,
  type StoredTree,
  OrtooError,
  buildEvidenceBundle,
  chainEvidence,
  type ChainTables,
  type JsonValue,
  type SqlExecutor,
} from '../../../core/src';
import type { GatewayTrust } from '../trust/gateway-trust';
import { searchAuditRecords, type AuditSearch } from './audit-repository';
import { AUDIT_TABLE_NAME } from './audit-table';

/** Where the audit log keeps its rows and checkpoints. */
const AUDIT_CHAIN_TABLES: ChainTables = { table: AUDIT_TABLE_NAME, checkpoints: 'audit_log_checkpoints' };

/** Most records one bundle carries: an export is evidence for a case, not a backup. */
export const MAX_EXPORT_RECORDS = 10_000;

/** Options of {@link exportEvidence}. */
export interface ExportOptions {
  /** The query as the auditor gave it, kept in the bundle for its reader. */
  query: JsonValue;
  trust: Pick<GatewayTrust, 'ca' | 'auditCertificate' | 'auditSigner'>;
  createdAt: Date;
  /** Signs this process's chain head, so that its records just written are covered. */
  checkpoint(): Promise<unknown>;
  /** The log's tree: each record's inclusion proof in a signed (preferably cosigned) head. */
  tree: StoredTree;
  /** The log's verifier key (vkey), carried in the bundle. */
  logKey: string;
}

/**
 * The evidence bundle of a search: the matching records, the rows that link
 * each of them to the next signed checkpoint of its chain, those
 * checkpoints, and the audit-signing and CA certificates, signed as one file
 * (see core's `buildEvidenceBundle`).
 *
 * @throws OrtooError `BadRequest` when more than {@link MAX_EXPORT_RECORDS}
 *   match; `Conflict` when some record is not yet covered by a checkpoint
 *   (its writer has not signed since; a stopped writer signs on close).
 */
export async function exportEvidence(
  db: SqlExecutor,
  search: AuditSearch,
  options: ExportOptions,
): Promise<{ text: string; records: number }> {
  const rows = await searchAuditRecords(db, search, { limit: MAX_EXPORT_RECORDS + 1 });
  if (rows.length > MAX_EXPORT_RECORDS) {
    throw new OrtooError(
      'BadRequest',
      `More than ${MAX_EXPORT_RECORDS} records match: narrow the query (a time range, a message id)`,
    );
  }
  // Signed after the search: every record this gateway wrote that the search found is then covered.
  await options.checkpoint();
  const { links, checkpoints } = await chainEvidence(db, AUDIT_CHAIN_TABLES, rows);
  const tree = await treeEvidence(db, rows, options);
  const text = buildEvidenceBundle({
    query: options.query,
    rows,
    links,
    checkpoints,
    certificates: { signer: options.trust.auditCertificate.pem, ca: options.trust.ca.certificate.pem },
    signer: options.trust.auditSigner,
    createdAt: options.createdAt,
    ...(tree === undefined ? {} : { tree }),
  });
  return { text, records: rows.length };
}

/**
 * The records' inclusion proofs in one signed head: the latest with a
 * cosignature that covers them all, else the latest (just signed by the
 * checkpoint above, so it covers them).
 */
async function treeEvidence(
  db: SqlExecutor,
  rows: readonly Record<string, unknown>[],
  options: Pick<ExportOptions, 'tree' | 'logKey'>,
): Promise<EvidenceTree | undefined> {
  if (rows.length === 0) return undefined;
  const needed = Math.max(...rows.map((row) => Number(row.leaf_index))) + 1;
  const [cosigned] = await db.query<{ size: number }>(
    `SELECT h.size FROM audit_log_tree_heads h WHERE h.size >= $1
       AND EXISTS (SELECT 1 FROM audit_log_cosignatures c WHERE c.size = h.size)
     ORDER BY h.size DESC LIMIT 1`,
    [needed],
  );
  const head =
    cosigned === undefined
      ? await options.tree.latest(db)
      : await options.tree.head(Number(cosigned.size), db);
  if (head === undefined || head.size < needed) {
    throw new OrtooError('Conflict', 'The records are not yet in a signed tree head: try again shortly');
  }
  const witnesses = await db.query<{ name: string; server_id: string; public_key: Uint8Array }>(
    'SELECT name, server_id, public_key FROM audit_log_witnesses ORDER BY name',
  );
  const proofs = [];
  for (const row of rows) {
    const leafIndex = Number(row.leaf_index);
    const proof = await options.tree.inclusionProof(leafIndex, head.size, db);
    proofs.push({ seq: Number(row.seq), leafIndex, proof: proof.map((hash) => hash.toString('base64')) });
  }
  return {
    logKey: options.logKey,
    checkpoint: head.cosignedNote,
    witnesses: witnesses.map((w) => ({
      serverId: w.server_id,
      vkey: verifierKey(w.name, ED25519_COSIGNATURE, ed25519FromRaw(w.public_key)),
    })),
    proofs,
  };
}
