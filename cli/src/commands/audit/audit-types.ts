/**
 * The auditor API's answers as the CLI reads them (the gateway's
 * `/v1/audit/*` and `/v2/*` routes). Only the fields the tables show are
 * required; `--json` prints whatever the gateway sent.
 */

/** One record of the audit log. */
export interface AuditRecord {
  seq: number;
  at: string;
  writer: string;
  chainSeq: number;
  prevHash: string | null;
  hash: string;
  event: string;
  outcome: string;
  errorType?: string | null;
  actor?: string | null;
  messageId?: string | null;
  client?: string | null;
  service?: string | null;
  userId?: string | null;
  securityServer?: string | null;
  requestHash?: string | null;
  responseHash?: string | null;
  requestSignature?: string | null;
  responseSignature?: string | null;
  subjectHash?: string | null;
  detail?: Record<string, unknown>;
}

/** `GET /v1/audit/messages/:messageId`: every record of one exchange, in order. */
export interface MessageStory {
  messageId: string;
  items: AuditRecord[];
}

/** A signed checkpoint over the head of one writer's chain. */
export interface AuditCheckpoint {
  id: number;
  writer: string;
  chainSeq: number;
  headHash: string;
  /** Records in the chain up to and including the head. */
  count: number;
  at: string;
  /** x5t#S256 thumbprint of the signing certificate. */
  signer: string;
}

/** Where verification found the first problem. */
export interface VerificationProblem {
  kind: string;
  seq?: number;
  checkpointId?: number;
  writer?: string;
  chainSeq?: number;
  /** The leaf of the Merkle tree at fault. */
  leafIndex?: number;
  /** The tree size of the signed head at fault. */
  size?: number;
  /** The leaves that hold a rewrite: from the last size proven good to the first that is not. */
  between?: readonly [number, number];
  message: string;
}

/** `GET /v1/audit/verify`: the counts (the tree's too, for the whole log), or the first problem. */
export type VerificationReport =
  | { ok: true; records: number; chains: number; checkpoints: number; leaves?: number; treeHeads?: number }
  | { ok: false; problem: VerificationProblem };

/** `GET /v1/audit/log/checkpoint`: the latest signed tree head and its cosignatures. */
export interface LogCheckpoint {
  origin: string;
  size: number;
  /** Base64 root hash. */
  rootHash: string;
  /** The C2SP checkpoint note, with the log's signature and every cosignature. */
  note: string;
  signedAt: string;
  cosignatures: { witness: string; serverId: string; timestamp: number }[];
  witnessed: boolean;
  quorum: number;
}

/** One read of a data subject's data, in the data tracker's shape. */
export interface Usage {
  logtime: string;
  action: string;
  receiverCode: string;
  receiverName?: string;
  receiverSystem?: string;
  [field: string]: unknown;
}

/** `GET /v2/findUsage`. */
export interface UsageAnswer {
  totalUsages: number;
  usages: Usage[];
}
