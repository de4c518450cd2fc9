/**
 * Verification of the audit log's Merkle tree from the database alone, plus
 * any checkpoints witnesses kept: the leaves are read in order, page by page
 * (bounded memory), the tree is rebuilt from them, and every signed head (the
 * database's and the witnesses') must match it. Names the first problem and
 * its place: the leaf, the size, the writer.
 */
import {
  MerkleFrontier,
  type NoteVerifier,
  type SqlStore,
  hasNoteSignature,
  leafHash,
  parseCheckpointText,
  parseNote,
} from '../../../core/src';
import { AUDIT_TABLE_NAME } from './audit-table';
import { WRITER_CLOSED, WRITER_OPENED, writerStatementHolds } from './writer-statement';

/** What can be wrong with the tree. */
export type TreeProblemKind =
  | 'tree-gap'
  | 'forged-writer'
  | 'append-after-close'
  | 'bad-tree-head'
  | 'bad-witness-checkpoint'
  | 'rewritten'
  | 'truncated'
  | 'deleted-checkpoint'
  | 'fork';

/** The first problem found in the tree, and where. */
export interface TreeProblem {
  readonly kind: TreeProblemKind;
  readonly message: string;
  /** The leaf at fault (for a gap: the first one missing). */
  readonly leafIndex?: number;
  /** The tree size of the head at fault. */
  readonly size?: number;
  /** The leaves that hold the change: from the last size still proven good to the first that is not. */
  readonly between?: readonly [number, number];
  readonly writer?: string;
  readonly seq?: number;
}

/** The outcome: counts when the tree holds, else its first problem. */
export type TreeReport =
  | { readonly ok: true; readonly leaves: number; readonly heads: number; readonly witnessed: number }
  | { readonly ok: false; readonly problem: TreeProblem };

/** A checkpoint as a witness kept it: who gave it, and the signed note. */
export interface WitnessCheckpoint {
  readonly witness: string;
  readonly note: string;
}

/** Options of {@link verifyAuditTree}. */
export interface VerifyTreeOptions {
  /** The log's public key and name (its origin): the `audit-log.ed25519.key.vkey`. */
  readonly logKey: NoteVerifier;
  /** Checkpoints honest witnesses kept: the database must still prove them. @defaultValue none */
  readonly witnessCheckpoints?: readonly WitnessCheckpoint[];
  /** Leaves read per query. @defaultValue 10 000 */
  readonly pageSize?: number;
  /** Told how far it got: leaves read of the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

interface SignedRoot {
  readonly size: number;
  readonly root: Buffer;
  readonly source: string;
}

/**
 * Verifies the audit log's tree: no leaf missing, every writer opened by a
 * signed record and nothing after its signed close, every signed head in the
 * database and every witness's checkpoint equal to the root rebuilt from the
 * leaves, no head beyond the last leaf, no cosigned head deleted.
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export async function verifyAuditTree(store: SqlStore, options: VerifyTreeOptions): Promise<TreeReport> {
  const table = AUDIT_TABLE_NAME;
  const pageSize = options.pageSize ?? 10_000;
  const witnessed: SignedRoot[] = [];
  for (const checkpoint of options.witnessCheckpoints ?? []) {
    const read = readSigned(checkpoint.note, options.logKey);
    if (typeof read === 'string') {
      return fail({
        kind: 'bad-witness-checkpoint',
        message: `Checkpoint of witness ${checkpoint.witness}: ${read}`,
      });
    }
    const twin = witnessed.find((w) => w.size === read.size && !w.root.equals(read.root));
    if (twin !== undefined) {
      return fail({
        kind: 'fork',
        size: read.size,
        message: `The log signed two trees of size ${read.size}: ${twin.source} and witness ${checkpoint.witness} hold different roots`,
      });
    }
    witnessed.push({ ...read, source: `witness ${checkpoint.witness}` });
  }
  witnessed.sort((a, b) => a.size - b.size);

  const [state] = await store.query<{ legacy: number }>('SELECT legacy FROM audit_log_sequencer');
  const legacy = Number(state?.legacy ?? 0);
  const [count] = await store.query<{ n: number | null }>(`SELECT max(leaf_index) + 1 AS n FROM ${table}`);
  const total = Number(count?.n ?? 0);

  // Retention removed records up to this leaf (their bundles were verified first): their stored leaf hashes stand in.
  const [archived] = await store.query<{ horizon: number | null }>(
    'SELECT max(up_to_leaf_index) AS horizon FROM audit_log_archives',
  );
  const horizon =
    archived?.horizon === null || archived?.horizon === undefined ? -1 : Number(archived.horizon);
  const archivedWriters = await store.query<{ writer: string }>(
    'SELECT DISTINCT writer FROM audit_log_archives',
  );

  const heads = headCursor(store);
  let head = await heads.next();
  let witness = 0;
  let headsChecked = 0;
  /** The first witness checkpoint the leaves do not prove; a fork if a later signed head is proven. */
  let mismatch: SignedRoot | undefined;
  const writers = new Map<string, { closed: boolean }>(
    archivedWriters.map((row) => [row.writer, { closed: false }] as const),
  );
  const frontier = new MerkleFrontier();

  const settleMismatch = (laterProven: SignedRoot | undefined): TreeProblem | undefined => {
    if (mismatch === undefined) return undefined;
    if (laterProven !== undefined) {
      return {
        kind: 'fork',
        size: mismatch.size,
        between: [lastGoodBefore(mismatch), mismatch.size],
        message:
          `The log signed two histories: ${mismatch.source}'s checkpoint at size ${mismatch.size} is not in the tree ` +
          `the database holds, which ${laterProven.source} signed at size ${laterProven.size}`,
      };
    }
    return {
      kind: 'rewritten',
      size: mismatch.size,
      between: [lastGoodBefore(mismatch), mismatch.size],
      message:
        `${mismatch.source}'s checkpoint at size ${mismatch.size} does not match the records: ` +
        `leaves ${lastGoodBefore(mismatch)}..${mismatch.size - 1} were changed, removed or reordered`,
    };
  };
  const goodSizes: number[] = [];
  const lastGoodBefore = (root: SignedRoot) => [...goodSizes].reverse().find((size) => size < root.size) ?? 0;

  /** Adds one leaf, and checks every signed head and witness checkpoint of the size it makes. */
  const step = async (leaf: Buffer): Promise<TreeProblem | undefined> => {
    frontier.add(leaf);
    const size = frontier.size;
    if (head?.size !== size && witnessed[witness]?.size !== size) return undefined;
    const root = frontier.root();
    while (head !== undefined && head.size === size) {
      const read = readSigned(head.note, options.logKey);
      if (typeof read === 'string' || read.size !== head.size || !read.root.equals(head.root)) {
        return {
          kind: 'bad-tree-head',
          size,
          message: `Tree head at size ${size}: ${typeof read === 'string' ? read : 'its row differs from its signed note'}`,
        };
      }
      if (!read.root.equals(root)) {
        mismatch ??= { ...read, source: 'the tree head stored' };
        return settleMismatch(undefined);
      }
      headsChecked += 1;
      const problem = settleMismatch({ ...read, source: 'the log' });
      if (problem !== undefined) return problem;
      goodSizes.push(size);
      head = await heads.next();
    }
    while (witnessed[witness]?.size === size) {
      const signed = witnessed[witness] as SignedRoot;
      if (signed.root.equals(root)) {
        const problem = settleMismatch(signed);
        if (problem !== undefined) return problem;
        goodSizes.push(size);
      } else if (goodSizes.at(-1) === size) {
        mismatch = signed;
        return settleMismatch({ root, size, source: 'the log' });
      } else {
        mismatch ??= signed;
      }
      witness += 1;
    }
    return undefined;
  };

  /** Takes the stored hashes of archived leaves from the frontier's size up to (not including) `end`. */
  const archivedUpTo = async (end: number): Promise<TreeProblem | undefined> => {
    const until = Math.min(end, horizon + 1);
    while (frontier.size < until) {
      const nodes = await store.query<{ idx: number; hash: Uint8Array }>(
        `SELECT idx, hash FROM ${table}_tree WHERE level = 0 AND idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3`,
        [frontier.size, until, pageSize],
      );
      if (nodes.length === 0 || Number(nodes[0]?.idx) !== frontier.size) return undefined;
      for (const node of nodes) {
        if (Number(node.idx) !== frontier.size) return undefined;
        const problem = await step(Buffer.from(node.hash));
        if (problem !== undefined) return problem;
      }
    }
    return undefined;
  };

  // Bounded ranges of leaf_index (dense, so a page is at most pageSize rows): an index range scan whatever the planner knows.
  for (let after = 0; after < total; after += pageSize) {
    const rows = await store.query<{
      leaf_index: number;
      seq: number;
      writer: string;
      hash: string;
      event: string | null;
      signature: string | null;
    }>(
      `SELECT leaf_index, seq, writer, hash,
              CASE WHEN event IN ($3, $4) THEN event END AS event,
              CASE WHEN event IN ($3, $4) THEN detail->>'signature' END AS signature
       FROM ${table} WHERE leaf_index >= $1 AND leaf_index < $1 + $2 ORDER BY leaf_index`,
      [after, pageSize, WRITER_OPENED, WRITER_CLOSED],
    );
    for (const row of rows) {
      const index = Number(row.leaf_index);
      if (index > frontier.size && frontier.size <= horizon) {
        const problem = await archivedUpTo(index);
        if (problem !== undefined) return fail(problem);
      }
      const at = { leafIndex: frontier.size, seq: Number(row.seq), writer: row.writer };
      if (index !== frontier.size) {
        return fail({
          kind: 'tree-gap',
          ...at,
          message: `Leaves ${frontier.size}..${index - 1} are missing before seq ${row.seq}: records were deleted`,
        });
      }
      const writer = writers.get(row.writer);
      if (writer === undefined) {
        const opens =
          row.event === WRITER_OPENED &&
          writerStatementHolds('opened', row.writer, row.signature, options.logKey);
        if (index >= legacy && !opens) {
          return fail({
            kind: 'forged-writer',
            ...at,
            message: `Writer ${row.writer} begins at leaf ${index} without the log's signed opening record: no gateway wrote it`,
          });
        }
        writers.set(row.writer, { closed: false });
      } else if (writer.closed) {
        return fail({
          kind: 'append-after-close',
          ...at,
          message: `Leaf ${index} (seq ${row.seq}) follows the signed closing record of writer ${row.writer}`,
        });
      }
      if (row.event === WRITER_CLOSED) {
        if (!writerStatementHolds('closed', row.writer, row.signature, options.logKey)) {
          return fail({
            kind: 'forged-writer',
            ...at,
            message: `The closing record of writer ${row.writer} is not signed by the log`,
          });
        }
        (writers.get(row.writer) as { closed: boolean }).closed = true;
      }
      const problem = await step(leafHash(Buffer.from(row.hash, 'base64url')));
      if (problem !== undefined) return fail(problem);
    }
    options.onProgress?.(frontier.size, total);
  }

  if (frontier.size <= horizon) {
    const problem = await archivedUpTo(horizon + 1);
    if (problem !== undefined) return fail(problem);
  }
  const size = frontier.size;
  const problem = settleMismatch(undefined);
  if (problem !== undefined) return fail(problem);
  if (head !== undefined) {
    return fail({
      kind: 'truncated',
      size: head.size,
      leafIndex: size,
      message: `A tree head was signed at size ${head.size}, but the log has ${size} leaves: records from leaf ${size} on were removed`,
    });
  }
  const beyond = witnessed.find((w) => w.size > size);
  if (beyond !== undefined) {
    return fail({
      kind: 'truncated',
      size: beyond.size,
      leafIndex: size,
      message: `${beyond.source} holds a checkpoint of size ${beyond.size}, but the log has ${size} leaves: records from leaf ${size} on were removed`,
    });
  }
  for (const signed of witnessed) {
    const [row] = await store.query('SELECT size FROM audit_log_tree_heads WHERE size = $1', [signed.size]);
    if (row === undefined) {
      return fail({
        kind: 'deleted-checkpoint',
        size: signed.size,
        message: `The tree head of size ${signed.size} that ${signed.source} holds was deleted from the database`,
      });
    }
  }
  const [orphan] = await store.query<{ size: number; witness: string }>(
    `SELECT c.size, c.witness FROM audit_log_cosignatures c
     LEFT JOIN audit_log_tree_heads h ON h.size = c.size WHERE h.size IS NULL ORDER BY c.size LIMIT 1`,
  );
  if (orphan !== undefined) {
    return fail({
      kind: 'deleted-checkpoint',
      size: Number(orphan.size),
      message: `The tree head of size ${orphan.size}, cosigned by ${orphan.witness}, was deleted from the database`,
    });
  }
  return { ok: true, leaves: size, heads: headsChecked, witnessed: witnessed.length };
}

function fail(problem: TreeProblem): TreeReport {
  return { ok: false, problem };
}

/** A checkpoint note's size and root, when the log signed it; else why not. */
function readSigned(note: string, key: NoteVerifier): { size: number; root: Buffer } | string {
  try {
    const parsed = parseNote(note);
    if (!hasNoteSignature(parsed, key)) return 'not signed by the log key';
    const body = parseCheckpointText(parsed.text);
    if (body.origin !== key.name) return `origin ${body.origin} is not the log's (${key.name})`;
    return { size: body.size, root: Buffer.from(body.rootHash) };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The stored tree heads in size order, read a page at a time. */
function headCursor(store: SqlStore): {
  next(): Promise<{ size: number; root: Buffer; note: string } | undefined>;
} {
  let page: { size: number; root: Buffer; note: string }[] = [];
  let after = -1;
  let done = false;
  return {
    async next() {
      if (page.length === 0 && !done) {
        const rows = await store.query<{ size: number; root_hash: Uint8Array; note: string }>(
          'SELECT size, root_hash, note FROM audit_log_tree_heads WHERE size > $1 ORDER BY size LIMIT 1000',
          [after],
        );
        page = rows.map((row) => ({
          size: Number(row.size),
          root: Buffer.from(row.root_hash),
          note: row.note,
        }));
        done = rows.length < 1000;
        after = page.at(-1)?.size ?? after;
      }
      return page.shift();
    },
  };
}
