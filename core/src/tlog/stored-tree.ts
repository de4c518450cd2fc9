/**
 * A Merkle tree kept in SQL beside an append-only table whose rows carry a
 * gap-free `leaf_index` and a `hash` (base64url SHA-256 of the record): the
 * hashes of every complete subtree in `<table>_tree`, signed tree heads in
 * `<table>_tree_heads`, cosignatures in `<table>_cosignatures`. Any process
 * may extend it: one at a time, under an advisory lock.
 */
import { OrtooError } from '../errors';
import type { SqlExecutor, SqlStore } from '../store/sql-store';
import { checkIdentifier } from '../audit-chain/chain-table';
import {
  MerkleFrontier,
  consistencyRanges,
  frontierNodes,
  inclusionRanges,
  leafHash,
  nodesOf,
  rangeHash,
  type LeafRange,
  type NodeId,
  type StoredNode,
} from './merkle';
import { checkpointText, formatNote, parseNote, signNote, type NoteSigner } from './signed-note';

/** Default of {@link StoredTreeOptions.maxLeavesPerBuild}. */
export const DEFAULT_MAX_LEAVES_PER_BUILD = 100_000;

/** Options of {@link StoredTree}. */
export interface StoredTreeOptions {
  store: SqlStore;
  /** The leaves' table, e.g. `audit_log`. */
  table: string;
  /** The checkpoints' origin line, e.g. `ortoo/MN/audit`. */
  origin: string;
  /** Signs tree heads: its name should be the origin. */
  signer: NoteSigner;
  /** @defaultValue `() => new Date()` */
  clock?: () => Date;
  /**
   * Most leaves one {@link StoredTree.extend} adds (the rest wait for the next).
   * @defaultValue {@link DEFAULT_MAX_LEAVES_PER_BUILD}
   */
  maxLeavesPerBuild?: number;
}

/** A signed tree head as stored. */
export interface TreeHead {
  readonly size: number;
  readonly rootHash: Buffer;
  /** The signed note: the checkpoint text and the log's signature line. */
  readonly note: string;
  readonly at: Date;
}

/** A tree head with the cosignatures gathered for it. */
export interface CosignedHead extends TreeHead {
  /** The note with the log's signature and every cosignature line. */
  readonly cosignedNote: string;
  readonly cosignatures: readonly { witness: string; timestamp: number; line: string }[];
}

/** Leaves read per query while extending. */
const PAGE = 5_000;

/** The Merkle tree of one table, in that table's database. */
export class StoredTree {
  private readonly store: SqlStore;
  private readonly table: string;
  readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly clock: () => Date;
  private readonly maxLeaves: number;
  private readonly names: { tree: string; heads: string; cosignatures: string };

  constructor(options: StoredTreeOptions) {
    this.store = options.store;
    this.table = checkIdentifier(options.table);
    this.origin = options.origin;
    this.signer = options.signer;
    this.clock = options.clock ?? (() => new Date());
    this.maxLeaves = options.maxLeavesPerBuild ?? DEFAULT_MAX_LEAVES_PER_BUILD;
    this.names = {
      tree: checkIdentifier(`${this.table}_tree`),
      heads: checkIdentifier(`${this.table}_tree_heads`),
      cosignatures: checkIdentifier(`${this.table}_cosignatures`),
    };
  }

  /**
   * Adds the leaves committed since the last call to the stored tree, and
   * signs a tree head when the tree grew past the last signed one.
   *
   * @returns the new head, or `undefined` when there was nothing new to sign.
   * @throws OrtooError `DatabaseError` when the store fails.
   */
  extend(): Promise<TreeHead | undefined> {
    return this.store.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`ortoo.tree.${this.table}`]);
      const size = await builtSize(tx, this.names.tree);
      const frontier = new MerkleFrontier(size, await fetchNodes(tx, this.names.tree, frontierNodes(size)));
      let more = true;
      while (more && frontier.size - size < this.maxLeaves) {
        const limit = Math.min(PAGE, this.maxLeaves - (frontier.size - size));
        const rows = await tx.query<{ leaf_index: number; hash: string }>(
          `SELECT leaf_index, hash FROM ${this.table} WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2`,
          [frontier.size, limit],
        );
        const made: StoredNode[] = [];
        for (const row of rows) {
          // A gap is a leaf whose insert has not committed yet (or a deleted one): stop before it.
          if (Number(row.leaf_index) !== frontier.size) {
            more = false;
            break;
          }
          made.push(...frontier.append(leafHash(Buffer.from(row.hash, 'base64url'))));
        }
        if (made.length > 0) await insertNodes(tx, this.names.tree, made);
        if (rows.length < limit) more = false;
      }
      const [last] = await tx.query<{ size: number }>(`SELECT max(size) AS size FROM ${this.names.heads}`);
      if (frontier.size === 0 || frontier.size <= Number(last?.size ?? 0)) return undefined;
      const rootHash = frontier.root();
      const text = checkpointText({ origin: this.origin, size: frontier.size, rootHash });
      const head: TreeHead = {
        size: frontier.size,
        rootHash,
        note: formatNote(text, [signNote(text, this.signer)]),
        at: this.clock(),
      };
      await tx.query(`INSERT INTO ${this.names.heads} (size, root_hash, note, at) VALUES ($1, $2, $3, $4)`, [
        head.size,
        head.rootHash,
        head.note,
        head.at,
      ]);
      return head;
    });
  }

  /** The latest signed head with its cosignatures; `undefined` before the first. */
  async latest(db: SqlExecutor = this.store): Promise<CosignedHead | undefined> {
    const [row] = await db.query(`SELECT * FROM ${this.names.heads} ORDER BY size DESC LIMIT 1`);
    return row === undefined ? undefined : this.withCosignatures(db, readHead(row));
  }

  /** The signed head of that size, with its cosignatures; `undefined` when none was signed. */
  async head(size: number, db: SqlExecutor = this.store): Promise<CosignedHead | undefined> {
    const [row] = await db.query(`SELECT * FROM ${this.names.heads} WHERE size = $1`, [size]);
    return row === undefined ? undefined : this.withCosignatures(db, readHead(row));
  }

  /**
   * The inclusion proof of leaf `index` in the tree of size `size`.
   *
   * @throws OrtooError `BadRequest` when the leaf is not in a tree of that
   *   size; `Conflict` when the tree is not yet built that far.
   */
  async inclusionProof(index: number, size: number, db: SqlExecutor = this.store): Promise<Buffer[]> {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
      throw new OrtooError('BadRequest', `Leaf ${index} is not in a tree of size ${size}`);
    }
    return this.hashes(db, inclusionRanges(index, size), size);
  }

  /**
   * The consistency proof between the trees of sizes `from` and `to`.
   *
   * @throws OrtooError `BadRequest` unless 0 ≤ from ≤ to; `Conflict` when the
   *   tree is not yet built that far.
   */
  async consistencyProof(from: number, to: number, db: SqlExecutor = this.store): Promise<Buffer[]> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
      throw new OrtooError('BadRequest', `No consistency proof from size ${from} to size ${to}`);
    }
    return this.hashes(db, consistencyRanges(from, to), to);
  }

  /** The root hash of the stored tree at `size` (≤ the built size). */
  async rootAt(size: number, db: SqlExecutor = this.store): Promise<Buffer> {
    const [root] = await this.hashes(db, size === 0 ? [] : [{ start: 0, end: size }], size);
    return root ?? Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex');
  }

  /** Leaves in the stored tree. */
  size(db: SqlExecutor = this.store): Promise<number> {
    return builtSize(db, this.names.tree);
  }

  /**
   * Stores a cosignature line of the head of `size` (already verified by the caller).
   *
   * @returns false when the witness had already cosigned that size.
   */
  async addCosignature(
    size: number,
    cosignature: { witness: string; timestamp: number; line: string },
    db: SqlExecutor = this.store,
  ): Promise<boolean> {
    const rows = await db.query(
      `INSERT INTO ${this.names.cosignatures} (size, witness, timestamp, line, received_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (size, witness) DO NOTHING RETURNING size`,
      [size, cosignature.witness, cosignature.timestamp, cosignature.line, this.clock()],
    );
    return rows.length > 0;
  }

  /** The ranges' hashes from the stored nodes: one query, whatever the proof. */
  private async hashes(db: SqlExecutor, ranges: readonly LeafRange[], size: number): Promise<Buffer[]> {
    const known = new Map<string, Buffer>();
    for (const node of await fetchNodes(db, this.names.tree, nodesOf(ranges))) {
      known.set(`${node.level}:${node.index}`, node.hash);
    }
    return ranges.map((range) =>
      rangeHash(range, (node) => {
        const hash = known.get(`${node.level}:${node.index}`);
        // Nodes are stored for every complete subtree of the built tree: a missing one lies beyond it.
        if (hash === undefined) {
          throw new OrtooError('Conflict', `The tree is not yet built to size ${size}: try again shortly`);
        }
        return hash;
      }),
    );
  }

  private async withCosignatures(db: SqlExecutor, head: TreeHead): Promise<CosignedHead> {
    const cosignatures = (
      await db.query<{ witness: string; timestamp: number; line: string }>(
        `SELECT witness, timestamp, line FROM ${this.names.cosignatures} WHERE size = $1 ORDER BY witness`,
        [head.size],
      )
    ).map((row) => ({ witness: row.witness, timestamp: Number(row.timestamp), line: row.line }));
    const parsed = parseNote(head.note);
    const cosignedNote = formatNote(parsed.text, [
      ...parsed.signatures.map((s) => s.line),
      ...cosignatures.map((c) => c.line),
    ]);
    return { ...head, cosignedNote, cosignatures };
  }
}

/** A tree head from its row. */
export function readHead(row: Record<string, unknown>): TreeHead {
  return {
    size: Number(row.size),
    rootHash: Buffer.from(row.root_hash as Uint8Array),
    note: String(row.note),
    at: row.at instanceof Date ? row.at : new Date(String(row.at)),
  };
}

async function builtSize(db: SqlExecutor, tree: string): Promise<number> {
  const [row] = await db.query<{ idx: number | null }>(`SELECT max(idx) AS idx FROM ${tree} WHERE level = 0`);
  return row?.idx === null || row?.idx === undefined ? 0 : Number(row.idx) + 1;
}

async function fetchNodes(db: SqlExecutor, tree: string, nodes: readonly NodeId[]): Promise<StoredNode[]> {
  if (nodes.length === 0) return [];
  const rows = await db.query<{ level: number; idx: number; hash: Uint8Array }>(
    `SELECT t.level, t.idx, t.hash FROM ${tree} t
     JOIN unnest($1::int[], $2::bigint[]) AS wanted(level, idx) ON t.level = wanted.level AND t.idx = wanted.idx`,
    [nodes.map((n) => n.level), nodes.map((n) => n.index)],
  );
  return rows.map((row) => ({
    level: Number(row.level),
    index: Number(row.idx),
    hash: Buffer.from(row.hash),
  }));
}

async function insertNodes(db: SqlExecutor, tree: string, nodes: readonly StoredNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 10_000) {
    const part = nodes.slice(i, i + 10_000);
    await db.query(
      `INSERT INTO ${tree} (level, idx, hash)
       SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS n(level, idx, hash)`,
      [part.map((n) => n.level), part.map((n) => n.index), part.map((n) => n.hash.toString('hex'))],
    );
  }
}
