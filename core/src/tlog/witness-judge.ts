/**
 * What a witness decides about a checkpoint a log offers (c2sp.org/tlog-witness
 * in substance): cosign it only when the log signed it and it extends, by a
 * verified consistency proof, the last checkpoint the witness cosigned.
 */
import { verifyConsistency } from './merkle';
import { type NoteVerifier, hasNoteSignature, parseCheckpointText, parseNote } from './signed-note';

/** The checkpoint a witness holds: the largest it cosigned. */
export interface HeldCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
}

/** Why a checkpoint is refused. */
export type WitnessRefusal = 'bad-signature' | 'wrong-origin' | 'shrink' | 'fork' | 'inconsistent';

/** The decision: cosign the checkpoint's text, or refuse it and keep the evidence. */
export type WitnessDecision =
  | {
      readonly accept: true;
      readonly text: string;
      readonly size: number;
      readonly rootHash: Buffer;
      readonly fresh: boolean;
    }
  | {
      readonly accept: false;
      readonly reason: WitnessRefusal;
      readonly message: string;
      readonly conflict: boolean;
    };

/**
 * Judges an offered checkpoint note against the one held.
 *
 * @param proof - the consistency proof from `held.size` to the offered size (empty when there is nothing held)
 * @returns `fresh` false when it is the held checkpoint again (nothing new to cosign)
 */
export function judgeCheckpoint(
  held: HeldCheckpoint | undefined,
  offered: string,
  proof: readonly Uint8Array[],
  logKey: NoteVerifier,
): WitnessDecision {
  let text: string;
  let size: number;
  let rootHash: Buffer;
  try {
    const note = parseNote(offered);
    if (!hasNoteSignature(note, logKey)) {
      return {
        accept: false,
        reason: 'bad-signature',
        message: 'The checkpoint is not signed by the log key',
        conflict: false,
      };
    }
    const body = parseCheckpointText(note.text);
    if (body.origin !== logKey.name) {
      return {
        accept: false,
        reason: 'wrong-origin',
        message: `Origin ${body.origin} is not ${logKey.name}`,
        conflict: false,
      };
    }
    ({ text } = note);
    ({ size } = body);
    rootHash = Buffer.from(body.rootHash);
  } catch (error) {
    return { accept: false, reason: 'bad-signature', message: (error as Error).message, conflict: false };
  }
  if (held === undefined) return { accept: true, text, size, rootHash, fresh: true };
  const heldRoot = Buffer.from(held.rootHash);
  if (size < held.size) {
    return {
      accept: false,
      reason: 'shrink',
      message: `The log offers size ${size}, smaller than the ${held.size} already witnessed`,
      conflict: true,
    };
  }
  if (size === held.size) {
    if (rootHash.equals(heldRoot)) return { accept: true, text, size, rootHash, fresh: false };
    return {
      accept: false,
      reason: 'fork',
      message: `The log signed two roots for size ${size}`,
      conflict: true,
    };
  }
  if (!verifyConsistency(held.size, size, heldRoot, rootHash, proof)) {
    return {
      accept: false,
      reason: 'inconsistent',
      message: `Size ${size} is not consistent with the witnessed size ${held.size}: the log was rewritten`,
      conflict: true,
    };
  }
  return { accept: true, text, size, rootHash, fresh: true };
}
