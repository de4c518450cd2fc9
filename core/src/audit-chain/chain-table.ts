/**
 * How a chain maps onto an SQL table: the chain columns every chained table
 * has, and the codec ({@link ChainTable}) of the table's own columns.
 */
import type { JsonValue } from '../envelope/canonical-json';
import { OrtooError } from '../errors';
import type { ChainLink } from './chain-hash';

/**
 * An append-only table that carries a chain. Besides its own columns it has
 * `seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, writer text NOT NULL,
 * chain_seq bigint NOT NULL, at timestamptz NOT NULL, prev_hash text,
 * hash text NOT NULL, UNIQUE (writer, chain_seq)`, and a checkpoint table
 * `<table>_checkpoints` (`id, writer, chain_seq, head_hash, record_count, at,
 * signer, protected, signature`).
 */
export interface ChainTable<E> {
  /** The table's name: an unquoted lower-case SQL identifier. */
  readonly table: string;
  /**
   * The table's own (non-chain) columns of one entry, by column name. Give
   * every column {@link ChainTable.content} reads, `null` rather than absent,
   * so the hash made at append time is the one a row read back gives.
   */
  columns(entry: E): Record<string, unknown>;
  /**
   * The JSON the record's hash covers, from a row as the store returns it
   * (snake_case columns) or as an evidence bundle carries it (timestamps as
   * ISO 8601 strings): {@link rowContent} handles both.
   */
  content(row: Record<string, unknown>): JsonValue;
}

/** A record as appended: its place in the chain and its hash. */
export interface ChainedRow extends ChainLink {
  /** The table's global sequence number (`seq`). */
  readonly seq: number;
  readonly hash: string;
}

/** The chain columns, as the writer inserts them and the verifiers read them. */
export const CHAIN_COLUMNS = ['writer', 'chain_seq', 'at', 'prev_hash', 'hash'] as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns `name` when it is an unquoted lower-case SQL identifier: table and
 * column names are spliced into SQL, so nothing else is accepted.
 *
 * @throws OrtooError `InvalidConfiguration` otherwise.
 */
export function checkIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new OrtooError('InvalidConfiguration', `"${name}" is not a plain SQL identifier`);
  }
  return name;
}

/**
 * The JSON of the named columns of a row: a `Date` as its ISO 8601 string (so
 * a stored row and the same row parsed from JSON give the same content),
 * `undefined` as `null`, everything else as it is.
 */
export function rowContent(row: Record<string, unknown>, columns: readonly string[]): JsonValue {
  const content: Record<string, JsonValue> = {};
  for (const column of columns) content[column] = jsonOf(row[column]);
  return content;
}

function jsonOf(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return value as JsonValue;
}

/**
 * An entry's columns as the database will give them back: what a `jsonb`
 * column returns (a JSON round trip), `null` for absent values, Dates as they
 * are (timestamptz keeps milliseconds). The content hashed at append time is
 * computed over this, so it equals the content of the stored row.
 */
export function asStored(columns: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(columns)) {
    row[name] =
      value === undefined || value === null
        ? null
        : typeof value === 'object' && !(value instanceof Date)
          ? (JSON.parse(JSON.stringify(value)) as unknown)
          : value;
  }
  return row;
}

/**
 * Reads the chain columns of a row from the store or from an evidence bundle.
 *
 * @throws OrtooError `InvalidAnswer` when a chain column is missing or malformed.
 */
export function readChainColumns(row: Record<string, unknown>): ChainedRow {
  const { seq, writer, chain_seq: chainSeq, at, prev_hash: prevHash, hash } = row;
  const time = at instanceof Date ? at : typeof at === 'string' ? new Date(at) : undefined;
  if (
    !Number.isSafeInteger(seq) ||
    typeof writer !== 'string' ||
    !Number.isSafeInteger(chainSeq) ||
    time === undefined ||
    Number.isNaN(time.getTime()) ||
    (prevHash !== null && typeof prevHash !== 'string') ||
    typeof hash !== 'string'
  ) {
    throw new OrtooError('InvalidAnswer', 'Chained row has missing or malformed chain columns', {
      detail: { seq: Number.isSafeInteger(seq) ? seq : null },
    });
  }
  return {
    seq: seq as number,
    writer,
    chainSeq: chainSeq as number,
    at: time,
    prevHash: prevHash as string | null,
    hash,
  };
}
