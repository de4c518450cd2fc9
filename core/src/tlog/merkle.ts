/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle trees, §2.1: leaf and node
 * hashing, root, inclusion and consistency proofs and their verification.
 * Nothing here does I/O: a proof is computed from the hashes of complete
 * subtrees ({@link NodeId}), which a caller fetches from wherever it keeps them.
 */
import { createHash, hash } from 'node:crypto';

/** SHA-256 of 0x00 || data: the hash of a leaf. */
export function leafHash(data: Uint8Array): Buffer {
  // One-shot hash(): no Hash object per call, which counts when a verifier rebuilds millions of leaves.
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256 of 0x01 || left || right: the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** A complete subtree: the 2^level leaves from index * 2^level on. Level 0 is a leaf. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Leaves [start, end) of the tree. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** Finds a complete subtree's hash; throws when it is not known. */
export type NodeLookup = (node: NodeId) => Uint8Array;

/** The largest power of two smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * The complete subtrees whose hashes make MTH(D[start:end]), left to right,
 * for a range as RFC 9162 splits one (its start aligned).
 */
export function rangeNodes(range: LeafRange): NodeId[] {
  const size = range.end - range.start;
  if (size <= 0) return [];
  if (isPowerOfTwo(size) && range.start % size === 0) {
    return [{ level: Math.log2(size), index: range.start / size }];
  }
  const k = splitPoint(size);
  return [
    ...rangeNodes({ start: range.start, end: range.start + k }),
    ...rangeNodes({ start: range.start + k, end: range.end }),
  ];
}

/** MTH(D[start:end]) from the hashes of its complete subtrees. */
export function rangeHash(range: LeafRange, lookup: NodeLookup): Buffer {
  const size = range.end - range.start;
  if (size <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && range.start % size === 0) {
    return Buffer.from(lookup({ level: Math.log2(size), index: range.start / size }));
  }
  const k = splitPoint(size);
  return nodeHash(
    rangeHash({ start: range.start, end: range.start + k }, lookup),
    rangeHash({ start: range.start + k, end: range.end }, lookup),
  );
}

/**
 * The ranges whose hashes are PATH(m, D[0:n]), the inclusion proof of leaf
 * m in the tree of size n, from the leaf up (RFC 9162 §2.1.3.1).
 */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  checkIndex(m, n);
  const path: LeafRange[] = [];
  let start = 0;
  let end = n;
  // Walk down to the leaf, collecting the sibling of each step; the proof lists them bottom-up.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < start + k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
    }
  }
  return path.reverse();
}

/**
 * The ranges whose hashes are PROOF(m, D[0:n]), the consistency proof
 * between the trees of sizes m and n (RFC 9162 §2.1.4.1); empty when m is 0 or m = n.
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    throw new RangeError(`No consistency proof from size ${m} to size ${n}`);
  }
  if (m === 0 || m === n) return [];
  return subproof(m, { start: 0, end: n }, true);
}

function subproof(m: number, range: LeafRange, whole: boolean): LeafRange[] {
  const n = range.end - range.start;
  if (m === n) return whole ? [] : [range];
  const k = splitPoint(n);
  if (m <= k) {
    return [
      ...subproof(m, { start: range.start, end: range.start + k }, whole),
      { start: range.start + k, end: range.end },
    ];
  }
  return [
    ...subproof(m - k, { start: range.start + k, end: range.end }, false),
    { start: range.start, end: range.start + k },
  ];
}

/** Every complete subtree a list of ranges needs, without repeats. */
export function nodesOf(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const range of ranges)
    for (const node of rangeNodes(range)) seen.set(`${node.level}:${node.index}`, node);
  return [...seen.values()];
}

/** The complete subtrees at the right edge of a tree of size n, largest first: its frontier. */
export function frontierNodes(n: number): NodeId[] {
  const nodes: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level -= 1) {
    const width = 2 ** level;
    if (Math.floor(n / width) % 2 === 1) {
      nodes.push({ level, index: start / width });
      start += width;
    }
  }
  return nodes;
}

/**
 * The verification of an inclusion proof (RFC 9162 §2.1.3.2): true when
 * `proof` links the hash of leaf m to `root` in the tree of size n.
 */
export function verifyInclusion(
  m: number,
  n: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n) return false;
  let fn = m;
  let sn = n - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

/**
 * The verification of a consistency proof (RFC 9162 §2.1.4.2): true when
 * `proof` shows the tree of size n with `root2` extends the tree of size m with `root1`.
 */
export function verifyConsistency(
  m: number,
  n: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && Buffer.from(root1).equals(Buffer.from(root2));
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [Buffer.from(root1), ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(Buffer.from(root1)) && sr.equals(Buffer.from(root2));
}

function checkIndex(m: number, n: number): void {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n) {
    throw new RangeError(`Leaf ${m} is not in a tree of size ${n}`);
  }
}

/** A complete subtree with its hash. */
export interface StoredNode extends NodeId {
  readonly hash: Buffer;
}

/**
 * The right edge of a growing tree: appends leaf hashes one by one, giving
 * back every complete subtree each append completes (to store, so proofs
 * are cheap later), and the root at the current size.
 */
export class MerkleFrontier {
  /** Hash of the complete subtree at each level of the right edge, when that bit of size is set. */
  private readonly edge: (Buffer | undefined)[] = [];

  /**
   * @param size - leaves already in the tree
   * @param nodes - its {@link frontierNodes}, with their hashes
   */
  constructor(
    public size = 0,
    nodes: readonly StoredNode[] = [],
  ) {
    for (const node of nodes) this.edge[node.level] = node.hash;
  }

  /** Adds a leaf (its {@link leafHash}) and returns the complete subtrees it completes, the leaf first. */
  append(leaf: Buffer): StoredNode[] {
    const made: StoredNode[] = [{ level: 0, index: this.size, hash: leaf }];
    let hash = leaf;
    let index = this.size;
    let level = 0;
    while (index % 2 === 1) {
      const left = this.edge[level] as Buffer;
      this.edge[level] = undefined;
      hash = nodeHash(left, hash);
      index = Math.floor(index / 2);
      level += 1;
      made.push({ level, index, hash });
    }
    this.edge[level] = hash;
    this.size += 1;
    return made;
  }

  /** Adds a leaf, keeping only the right edge (for verifiers, which need no stored nodes). */
  add(leaf: Buffer): void {
    let hash = leaf;
    let index = this.size;
    let level = 0;
    while (index % 2 === 1) {
      hash = nodeHash(this.edge[level] as Buffer, hash);
      this.edge[level] = undefined;
      index = Math.floor(index / 2);
      level += 1;
    }
    this.edge[level] = hash;
    this.size += 1;
  }

  /** MTH of the tree at its current size. */
  root(): Buffer {
    let root: Buffer | undefined;
    for (const hash of this.edge) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : nodeHash(hash, root);
    }
    return root ?? EMPTY_ROOT;
  }
}
