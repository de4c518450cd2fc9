/**
 * Tamper-evident logs: hash chains per writer over append-only SQL tables,
 * group commit, signed checkpoints, verification and offline evidence bundles.
 */
export { chainHash, checkpointPayload, type ChainLink, type CheckpointClaim } from './chain-hash';
export { CHAIN_COLUMNS, rowContent, type ChainTable, type ChainedRow } from './chain-table';
export { checkpointJson, readCheckpoint, type Checkpoint, type CheckpointSignerResolver } from './checkpoint';
export {
  ChainWriter,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_MAX_BATCH,
  type ChainWriterOptions,
  type AppendObserver,
} from './chain-writer';
export {
  verifyChainRows,
  type ChainProblem,
  type ChainProblemKind,
  type ChainStart,
  type VerificationReport,
  type VerifyChainOptions,
} from './verify-chain';
export {
  verifyStoredChain,
  DEFAULT_VERIFY_PAGE_SIZE,
  type VerifyStoredChainOptions,
} from './verify-stored-chain';
export {
  buildEvidenceBundle,
  verifyEvidenceBundle,
  EVIDENCE_BUNDLE_FORMAT,
  type BundleProblem,
  type BundleProblemKind,
  type BundleVerification,
  type EvidenceBundle,
  type EvidenceBundleParams,
  type EvidenceCertificates,
  type EvidenceTree,
  type VerifyEvidenceBundleOptions,
} from './evidence-bundle';
export { subjectHash } from './subject-hash';
export { chainEvidence, retentionCutoff, type ChainTables } from './chain-evidence';
export { verifyChainedLog, type VerifyChainedLogOptions } from './verify-chained-log';
