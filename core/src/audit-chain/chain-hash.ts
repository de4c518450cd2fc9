/**
 * The two things a chain signs or hashes, in one place so the writer and every
 * verifier compute them the same way.
 */
import { canonicalJson, type JsonValue } from '../envelope/canonical-json';
import { sha256 } from '../envelope/digest';

/** Where a record sits in its writer's chain. */
export interface ChainLink {
  /** The writer (one process) whose chain this is. */
  readonly writer: string;
  /** 1, 2, 3, ... within the writer's chain. */
  readonly chainSeq: number;
  /** When the record was appended (millisecond precision). */
  readonly at: Date;
  /** Hash of the record before it in the chain; `null` for chain_seq 1. */
  readonly prevHash: string | null;
}

/**
 * Hash of a record: SHA-256 (base64url) of
 * `canonicalJson({ writer, chainSeq, at, prevHash, content })`, `at` in ISO 8601.
 */
export function chainHash(link: ChainLink, content: JsonValue): string {
  return chainHashOfCanonical(link, canonicalJson(content));
}

/**
 * {@link chainHash} given the content's canonical JSON text already made (the
 * writer makes it once per record, when the record is appended). The members
 * are written here in canonical (sorted) order.
 */
export function chainHashOfCanonical(link: ChainLink, contentText: string): string {
  return sha256(
    `{"at":"${link.at.toISOString()}","chainSeq":${canonicalJson(link.chainSeq)},"content":${contentText},` +
      `"prevHash":${canonicalJson(link.prevHash)},"writer":${canonicalJson(link.writer)}}`,
  );
}

/** What a checkpoint signs: the head of one chain at one time. */
export interface CheckpointClaim {
  readonly writer: string;
  /** chain_seq of the head record. */
  readonly chainSeq: number;
  /** Hash of the head record. */
  readonly headHash: string;
  /** Records in the chain up to and including the head. */
  readonly count: number;
  /** When the checkpoint was made. */
  readonly at: Date;
}

/** The canonical JSON text a checkpoint's detached JWS is made over. */
export function checkpointPayload(claim: CheckpointClaim): string {
  return canonicalJson({
    writer: claim.writer,
    chainSeq: claim.chainSeq,
    headHash: claim.headHash,
    count: claim.count,
    at: claim.at.toISOString(),
  });
}
