/**
 * What a writer (one gateway process) says of itself in the audit log: its
 * first record opens its chain, its last one closes it, each signed with the
 * log's key, so a chain no gateway opened (a forged writer) and a record after
 * a close are both found by verification.
 */
import { sign, verify } from 'node:crypto';
import type { NoteSigner, NoteVerifier } from '../../../core/src';

/** The events of the two statements. */
export const WRITER_OPENED = 'log-writer-opened';
export const WRITER_CLOSED = 'log-writer-closed';

/** What is signed: a fixed first line for domain separation, the statement and the writer. */
function statement(kind: 'opened' | 'closed', writer: string): Buffer {
  return Buffer.from(`ortoo-audit-writer/v1\n${kind}\n${writer}\n`, 'utf8');
}

/** The base64 signature of a writer's statement. */
export function signWriterStatement(kind: 'opened' | 'closed', writer: string, signer: NoteSigner): string {
  return sign(null, statement(kind, writer), signer.privateKey).toString('base64');
}

/** True when `signature` is the log key's over that statement. */
export function writerStatementHolds(
  kind: 'opened' | 'closed',
  writer: string,
  signature: unknown,
  key: Pick<NoteVerifier, 'publicKey'>,
): boolean {
  if (typeof signature !== 'string') return false;
  const bytes = Buffer.from(signature, 'base64');
  return bytes.length === 64 && verify(null, statement(kind, writer), key.publicKey, bytes);
}
