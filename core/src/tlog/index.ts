/**
 * Transparency-log building blocks: RFC 9162 Merkle trees and proofs, and
 * C2SP signed notes, checkpoints and cosignatures.
 */
export * from './merkle';
export * from './signed-note';
export * from './stored-tree';
export * from './note-key';
export * from './witness-judge';
export * from './witness-name';
