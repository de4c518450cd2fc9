/**
 * Signed checkpoints: a writer's signature over the head of its chain, stored
 * in `<table>_checkpoints`, so that rewriting a chain (even recomputing every
 * hash after the change) no longer matches what was signed.
 */
import type { DetachedJws } from '../envelope/envelope';
import { type JwsSigner, type SignerKey, verifyDetachedJws } from '../envelope/jws';
import { OrtooError } from '../errors';
import { type CheckpointClaim, checkpointPayload } from './chain-hash';

/** A stored checkpoint. */
export interface Checkpoint extends CheckpointClaim {
  /** The checkpoint table's `id`. */
  readonly id: number;
  /** `x5t#S256` thumbprint of the signing certificate. */
  readonly signer: string;
  /** The detached JWS's protected header. */
  readonly protected: string;
  /** The detached JWS's signature. */
  readonly signature: string;
}

/** Finds a checkpoint signer's public key by certificate thumbprint; `undefined` when unknown. */
export type CheckpointSignerResolver = (thumbprint: string) => SignerKey | undefined;

/** Signs a claim: the fields of a checkpoint row, but its id. */
export function signCheckpoint(claim: CheckpointClaim, signer: JwsSigner): Omit<Checkpoint, 'id'> {
  const jws = signer.sign(checkpointPayload(claim));
  return { ...claim, signer: signer.thumbprint, protected: jws.protected, signature: jws.signature };
}

/**
 * Reads a checkpoint from a `<table>_checkpoints` row or from its JSON form in
 * an evidence bundle (either snake_case columns or the {@link Checkpoint} fields).
 *
 * @throws OrtooError `InvalidAnswer` when a field is missing or malformed.
 */
export function readCheckpoint(row: Record<string, unknown>): Checkpoint {
  const pick = (camel: string, snake: string): unknown => (camel in row ? row[camel] : row[snake]);
  const id = row.id;
  const writer = row.writer;
  const chainSeq = pick('chainSeq', 'chain_seq');
  const headHash = pick('headHash', 'head_hash');
  const count = pick('count', 'record_count');
  const at = row.at instanceof Date ? row.at : typeof row.at === 'string' ? new Date(row.at) : undefined;
  const { signer, protected: header, signature } = row;
  if (
    !Number.isSafeInteger(id) ||
    typeof writer !== 'string' ||
    !Number.isSafeInteger(chainSeq) ||
    typeof headHash !== 'string' ||
    !Number.isSafeInteger(count) ||
    at === undefined ||
    Number.isNaN(at.getTime()) ||
    typeof signer !== 'string' ||
    typeof header !== 'string' ||
    typeof signature !== 'string'
  ) {
    throw new OrtooError('InvalidAnswer', 'Checkpoint has missing or malformed fields', {
      detail: { id: Number.isSafeInteger(id) ? id : null },
    });
  }
  return {
    id: id as number,
    writer,
    chainSeq: chainSeq as number,
    headHash,
    count: count as number,
    at,
    signer,
    protected: header,
    signature,
  };
}

/** The JSON form of a checkpoint (as the API and evidence bundles carry it). */
export function checkpointJson(checkpoint: Checkpoint): Record<string, string | number> {
  return { ...checkpoint, at: checkpoint.at.toISOString() };
}

/**
 * Why a checkpoint's signature does not hold, or `undefined` when it does:
 * `unknown-signer` when the resolver does not know the signer, `bad-checkpoint`
 * when the signature does not verify over the stored claim.
 */
export function checkpointSignatureProblem(
  checkpoint: Checkpoint,
  resolveSigner: CheckpointSignerResolver,
): { kind: 'unknown-signer' | 'bad-checkpoint'; message: string } | undefined {
  const jws: DetachedJws = { protected: checkpoint.protected, signature: checkpoint.signature };
  try {
    const { header } = verifyDetachedJws(checkpointPayload(checkpoint), jws, resolveSigner);
    if (header['x5t#S256'] !== checkpoint.signer) {
      return { kind: 'bad-checkpoint', message: 'Checkpoint signer column differs from its signature' };
    }
  } catch (error) {
    if (error instanceof OrtooError && error.code === 'UnknownSigner') {
      return { kind: 'unknown-signer', message: `Checkpoint signer ${checkpoint.signer} is not known` };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'bad-checkpoint', message: `Checkpoint signature does not verify: ${reason}` };
  }
  return undefined;
}
