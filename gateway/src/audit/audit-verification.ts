import {
  verifyChainedLog,
  type ChainProblem,
  type NoteVerifier,
  type SqlStore,
  type VerificationReport,
  type VerifyChainedLogOptions,
} from '../../../core/src';
import { AUDIT_TABLE } from './audit-table';
import { verifyAuditTree, type TreeProblem, type VerifyTreeOptions } from './tree-verification';

/** Options of {@link verifyAuditLog}. */
export type AuditVerifyOptions = VerifyChainedLogOptions;

/**
 * Verifies the audit log's chains and checkpoints, the whole log (from the
 * archive markers on) or a time range, and names the first problem.
 */
export function verifyAuditLog(store: SqlStore, options: AuditVerifyOptions): Promise<VerificationReport> {
  return verifyChainedLog(store, AUDIT_TABLE, options);
}

/** Options of {@link verifyWholeAuditLog}. */
export interface WholeLogVerifyOptions
  extends Pick<VerifyChainedLogOptions, 'signers'>, Omit<VerifyTreeOptions, 'logKey'> {
  /** The log's public key and name. */
  readonly logKey: NoteVerifier;
}

/** The verdict on the whole log: its counts, or the first problem of its chains or of its tree. */
export type WholeLogReport =
  | {
      readonly ok: true;
      readonly records: number;
      readonly chains: number;
      readonly checkpoints: number;
      readonly leaves: number;
      readonly treeHeads: number;
      readonly witnessed: number;
    }
  | { readonly ok: false; readonly problem: ChainProblem | TreeProblem };

/**
 * Verifies the whole audit log: every record against its hash and its
 * writer's chain (the precise place of an edited record), then the Merkle
 * tree over all of them against every signed head, the database's and those
 * the witnesses kept (what no rehashing inside the database can repair).
 */
export async function verifyWholeAuditLog(
  store: SqlStore,
  options: WholeLogVerifyOptions,
): Promise<WholeLogReport> {
  const chains = await verifyAuditLog(store, { signers: options.signers });
  if (!chains.ok) return chains;
  const tree = await verifyAuditTree(store, options);
  if (!tree.ok) return tree;
  return {
    ok: true,
    records: chains.records,
    chains: chains.chains,
    checkpoints: chains.checkpoints,
    leaves: tree.leaves,
    treeHeads: tree.heads,
    witnessed: tree.witnessed,
  };
}
