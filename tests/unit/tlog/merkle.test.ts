/**
 * RFC 9162 Merkle trees: the published Certificate Transparency vectors, and
 * proofs of every shape checked against a reference written straight from
 * the RFC's recursive definitions (MTH, PATH, PROOF), on random trees.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  MerkleFrontier,
  consistencyRanges,
  frontierNodes,
  inclusionRanges,
  leafHash,
  nodesOf,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
  type NodeId,
} from '../../../core/src/tlog/merkle';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

// The reference: RFC 9162 §2.1.1–2.1.4, recursion over the leaf data.
const mth = (d: readonly Uint8Array[]): Buffer => {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0] as Uint8Array);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
};
const path = (m: number, d: readonly Uint8Array[]): Buffer[] => {
  if (d.length <= 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
};
const subproof = (m: number, d: readonly Uint8Array[], b: boolean): Buffer[] => {
  if (m === d.length) return b ? [] : [mth(d)];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
};
const proof = (m: number, d: readonly Uint8Array[]) =>
  m === 0 || m === d.length ? [] : subproof(m, d, true);

/** A node store filled the way the gateway fills it: by the frontier, leaf by leaf. */
function storeOf(data: readonly Uint8Array[]) {
  const nodes = new Map<string, Buffer>();
  const frontier = new MerkleFrontier();
  for (const leaf of data)
    for (const node of frontier.append(leafHash(leaf))) nodes.set(`${node.level}:${node.index}`, node.hash);
  const lookup = (node: NodeId) => {
    const hash = nodes.get(`${node.level}:${node.index}`);
    if (hash === undefined) throw new Error(`no node ${node.level}:${node.index}`);
    return hash;
  };
  return { frontier, lookup };
}

const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 9162 Merkle tree', () => {
  test('the roots of the Certificate Transparency test vectors, sizes 0 to 8', () => {
    expect(hex(new MerkleFrontier().root())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const frontier = new MerkleFrontier();
    CT_LEAVES.forEach((leaf, i) => {
      frontier.append(leafHash(leaf));
      expect(hex(frontier.root())).toBe(CT_ROOTS[i]);
    });
  });

  test('the inclusion proofs of the test vectors (leaves 0 and 5 of 8)', () => {
    const { lookup } = storeOf(CT_LEAVES);
    const proofOf = (m: number) => inclusionRanges(m, 8).map((r) => hex(rangeHash(r, lookup)));
    expect(proofOf(0)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(proofOf(5)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  const trees = fc
    .array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 70 })
    // Leaves made distinct, so a proof for one index can never also hold for another.
    .map((data) => data.map((bytes, i) => Buffer.concat([Buffer.from([i]), bytes])))
    .chain((data) =>
      fc.tuple(fc.constant(data), fc.nat(data.length - 1), fc.nat(data.length - 1), fc.nat(data.length)),
    );

  test('inclusion proofs equal the reference PATH and verify; a wrong leaf, index or root does not', () => {
    fc.assert(
      fc.property(trees, ([data, a, b, c]) => {
        const n = Math.max(a, b, c, 1) === 0 ? 1 : Math.min(data.length, Math.max(a, b, c) + 1);
        const m = Math.min(a, n - 1);
        const { lookup } = storeOf(data);
        const got = inclusionRanges(m, n).map((r) => rangeHash(r, lookup));
        const want = path(m, data.slice(0, n));
        expect(got.map(hex)).toEqual(want.map(hex));
        const root = mth(data.slice(0, n));
        const leaf = leafHash(data[m] as Uint8Array);
        expect(verifyInclusion(m, n, leaf, got, root)).toBe(true);
        expect(verifyInclusion(m, n, leafHash(Buffer.from('x')), got, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, leaf, got, root)).toBe(false);
        expect(verifyInclusion(m, n, leaf, got, sha(root))).toBe(false);
      }),
      { seed: 9162, numRuns: 300 },
    );
  });

  test('consistency proofs equal the reference PROOF and verify; a rewritten old tree does not', () => {
    fc.assert(
      fc.property(trees, ([data, a, , c]) => {
        const n = Math.max(c, 1);
        const m = Math.min(a, n);
        const { lookup } = storeOf(data);
        const got = consistencyRanges(m, n).map((r) => rangeHash(r, lookup));
        expect(got.map(hex)).toEqual(proof(m, data.slice(0, n)).map(hex));
        const old = mth(data.slice(0, m));
        const root = mth(data.slice(0, n));
        expect(verifyConsistency(m, n, old, root, got)).toBe(true);
        if (m > 0 && m < n) {
          const forked = [...data.slice(0, m - 1), Buffer.from('forged')];
          expect(verifyConsistency(m, n, mth(forked), root, got)).toBe(false);
        }
      }),
      { seed: 6962, numRuns: 300 },
    );
  });

  test('a frontier rebuilt from stored nodes goes on as the first did', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 40 }), fc.nat(40), (data, cut) => {
        const at = Math.min(cut, data.length);
        const { frontier, lookup } = storeOf(data.slice(0, at));
        const resumed = new MerkleFrontier(
          at,
          frontierNodes(at).map((node) => ({ ...node, hash: Buffer.from(lookup(node)) })),
        );
        expect(hex(resumed.root())).toBe(hex(frontier.root()));
        for (const leaf of data.slice(at)) resumed.append(leafHash(leaf));
        expect(hex(resumed.root())).toBe(hex(mth(data)));
        const light = new MerkleFrontier();
        for (const leaf of data) light.add(leafHash(leaf));
        expect(hex(light.root())).toBe(hex(mth(data)));
        expect(nodesOf(inclusionRanges(0, Math.max(1, data.length))).length).toBeLessThanOrEqual(64);
      }),
      { seed: 2026, numRuns: 200 },
    );
  });
});
