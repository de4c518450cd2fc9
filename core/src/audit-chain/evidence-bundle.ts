/**
 * Evidence bundles: the records of a query, the chain links that connect them
 * to signed checkpoints, those checkpoints and the certificates to check them,
 * in one file that verifies offline (no gateway, database or network).
 *
 * The file is a flattened JWS with its payload, in compact JSON
 * (`{"payload":…,"protected":…,"signature":…}`): the payload is the
 * base64url of the bundle's canonical JSON, signed by the audit-signing key.
 * Only that exact text is accepted, so changing any byte of the file fails.
 */
import { canonicalJson, type JsonValue } from '../envelope/canonical-json';
import { type JwsSigner, verifyDetachedJws } from '../envelope/jws';
import { OrtooError } from '../errors';
import { type Certificate, parseCertificate } from '../pki/certificate';
import { verifyCertificate } from '../pki/certificate-verifier';
import { readChainColumns } from './chain-table';
import { type Checkpoint, checkpointJson, readCheckpoint } from './checkpoint';
import { type ChainProblemKind, ChainVerifier } from './verify-chain';
import { leafHash, verifyInclusion } from '../tlog/merkle';
import {
  cosignatureBy,
  hasNoteSignature,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
} from '../tlog/signed-note';

/** The `format` of the bundles made here. */
export const EVIDENCE_BUNDLE_FORMAT = 'ortoo-audit-evidence/1';

/** How far in the future a bundle's `createdAt` may lie, for clocks that differ a little. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The certificates a bundle carries, PEM. */
export interface EvidenceCertificates {
  /** The certificate of the key that signs the bundle (and, unless `others` say otherwise, the checkpoints). */
  readonly signer: string;
  /** The instance CA that issued the signing certificates. */
  readonly ca: string;
  /** Further certificates that signed checkpoints (another gateway's, a previous key). */
  readonly others?: readonly string[];
}

/**
 * The records' place in the log's Merkle tree: each one's inclusion proof in
 * the tree of one signed checkpoint, that checkpoint with its cosignatures,
 * and the keys to check them.
 */
export interface EvidenceTree {
  /** The log's verifier key (C2SP vkey). */
  readonly logKey: string;
  /** The signed checkpoint note, with every cosignature gathered. */
  readonly checkpoint: string;
  /** The witnesses' cosigner keys (vkeys), by security server. */
  readonly witnesses: readonly { readonly serverId: string; readonly vkey: string }[];
  /** Each exported record's leaf index and inclusion proof (base64 hashes), by seq. */
  readonly proofs: readonly {
    readonly seq: number;
    readonly leafIndex: number;
    readonly proof: readonly string[];
  }[];
}

/** Params of {@link buildEvidenceBundle}. */
export interface EvidenceBundleParams {
  /** The query the records answer, kept for the reader. */
  readonly query: JsonValue;
  /** The records exported: full rows with their chain columns. */
  readonly rows: readonly Record<string, unknown>[];
  /** Further rows of the same chains that connect every exported row to a later checkpoint. */
  readonly links: readonly Record<string, unknown>[];
  /** The checkpoints the chains reach (more are harmless). */
  readonly checkpoints: readonly Checkpoint[];
  readonly certificates: EvidenceCertificates;
  /** Signs the bundle: the key of `certificates.signer`. */
  readonly signer: JwsSigner;
  readonly createdAt: Date;
  /** The records' inclusion proofs, for a log kept as a Merkle tree. @defaultValue none */
  readonly tree?: EvidenceTree;
}

/** What a bundle holds, as its payload carries it (rows as JSON: timestamps are ISO strings). */
export interface EvidenceBundle {
  readonly format: typeof EVIDENCE_BUNDLE_FORMAT;
  readonly createdAt: string;
  readonly query: JsonValue;
  readonly records: Record<string, JsonValue>[];
  readonly links: Record<string, JsonValue>[];
  readonly checkpoints: Record<string, JsonValue>[];
  readonly certificates: EvidenceCertificates;
  readonly tree?: EvidenceTree;
}

/**
 * Makes the bundle file's text.
 *
 * @throws OrtooError `Conflict` when a chain segment does not end at one of
 *   the checkpoints (the rows would not verify: sign a checkpoint, or add the
 *   links up to one, first); `BadRequest` for rows without chain columns.
 */
export function buildEvidenceBundle(params: EvidenceBundleParams): string {
  const exported = new Set(params.rows.map((row) => chainKey(row)));
  const links = params.links.filter((row) => !exported.has(chainKey(row)));
  const signed = new Set(params.checkpoints.map((c) => `${c.writer}\u0000${c.chainSeq}`));
  let segments: ReturnType<typeof segmentsOf>;
  try {
    segments = segmentsOf([...params.rows, ...links]);
  } catch (error) {
    if (error instanceof BundleFailure) throw new OrtooError('BadRequest', error.message);
    throw error;
  }
  for (const segment of segments) {
    const last = segment.rows[segment.rows.length - 1];
    const end = last === undefined ? 0 : readChainColumns(last).chainSeq;
    if (!signed.has(`${segment.writer}\u0000${end}`)) {
      throw new OrtooError(
        'Conflict',
        'Records are not yet covered by a checkpoint: the bundle would not verify',
        {
          detail: { writer: segment.writer, chainSeq: end },
        },
      );
    }
  }
  const bundle = {
    format: EVIDENCE_BUNDLE_FORMAT,
    createdAt: params.createdAt.toISOString(),
    query: params.query,
    records: params.rows,
    links,
    checkpoints: params.checkpoints.map(checkpointJson),
    certificates: params.certificates,
    ...(params.tree === undefined ? {} : { tree: params.tree }),
  };
  const text = canonicalJson(bundle as unknown as JsonValue);
  const jws = params.signer.sign(text);
  return `${serialise(Buffer.from(text).toString('base64url'), jws.protected, jws.signature)}\n`;
}

/** What can be wrong with a bundle: a chain problem, or one of the bundle itself. */
export type BundleProblemKind =
  | ChainProblemKind
  | 'malformed'
  | 'bad-signature'
  | 'untrusted'
  | 'unanchored'
  | 'bad-tree-head'
  | 'not-included';

/** The first problem found in a bundle. */
export interface BundleProblem {
  readonly kind: BundleProblemKind;
  readonly message: string;
  readonly writer?: string;
  readonly seq?: number;
  readonly chainSeq?: number;
  readonly checkpointId?: number;
}

/** The outcome of {@link verifyEvidenceBundle}. */
export type BundleVerification =
  | {
      readonly ok: true;
      /** Records exported (links not counted). */
      readonly records: number;
      /** Checkpoints whose signature and head were checked. */
      readonly checkpoints: number;
      /** `x5t#S256` of the CA the signers chain to. */
      readonly caThumbprint: string;
      /** With a tree: the checkpoint every record is proven in, and the witnesses whose cosignatures verify. */
      readonly tree?: { readonly size: number; readonly witnessedBy: readonly string[] };
      /** The verified content. */
      readonly bundle: EvidenceBundle;
    }
  | { readonly ok: false; readonly problem: BundleProblem };

/** Options of {@link verifyEvidenceBundle}. */
export interface VerifyEvidenceBundleOptions {
  /** The table codec's `content`, over rows as the bundle carries them. */
  content(row: Record<string, unknown>): JsonValue;
  /**
   * The CA the auditor trusts; the bundled CA must be this one.
   * @defaultValue none: the bundled CA is reported (`caThumbprint`) for the auditor to judge
   */
  trustedCa?: Certificate;
  /**
   * The instant to judge at: a bundle made after it is refused.
   * @defaultValue now
   */
  now?: Date;
  /**
   * The log's verifier key the auditor trusts; the bundled one must be it.
   * @defaultValue none: the bundled key (signed with the bundle) is used
   */
  trustedLogKey?: string;
}

/**
 * Verifies a bundle file's text, offline: the exact compact form, the
 * signature by the bundled signer certificate, that certificate issued by the
 * bundled CA (and that CA the trusted one, when given), every row's hash and
 * link, and every chain segment ending at a checkpoint whose signature verifies.
 */
export function verifyEvidenceBundle(text: string, options: VerifyEvidenceBundleOptions): BundleVerification {
  try {
    return verify(text, options);
  } catch (error) {
    if (error instanceof BundleFailure) return { ok: false, problem: error.problem };
    throw error;
  }
}

class BundleFailure extends Error {
  constructor(readonly problem: BundleProblem) {
    super(problem.message);
  }
}

function fail(kind: BundleProblemKind, message: string): never {
  throw new BundleFailure({ kind, message });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function verify(text: string, options: VerifyEvidenceBundleOptions): BundleVerification {
  const { payload, protected: header, signature } = parseFile(text);
  const bytes = Buffer.from(payload, 'base64url');
  if (bytes.toString('base64url') !== payload) fail('malformed', 'Bundle payload is not canonical base64url');
  let payloadText: string;
  let bundle: EvidenceBundle;
  try {
    payloadText = UTF8.decode(bytes);
    bundle = JSON.parse(payloadText) as EvidenceBundle;
  } catch {
    return fail('malformed', 'Bundle payload is not UTF-8 JSON');
  }
  checkShape(bundle);

  const ca = certificate(bundle.certificates.ca, 'CA');
  const signer = certificate(bundle.certificates.signer, 'signer');
  try {
    verifyDetachedJws(payloadText, { protected: header, signature }, (thumbprint) =>
      thumbprint === signer.thumbprint ? signer : undefined,
    );
  } catch (error) {
    fail('bad-signature', `Bundle signature does not verify: ${(error as Error).message}`);
  }
  if (!ca.isCa) fail('untrusted', 'The bundled CA certificate is not a CA');
  if (options.trustedCa !== undefined && options.trustedCa.thumbprint !== ca.thumbprint) {
    fail('untrusted', 'The bundle is not signed under the trusted CA');
  }
  const createdAt = new Date(bundle.createdAt);
  if (Number.isNaN(createdAt.getTime())) fail('malformed', 'Bundle createdAt is not a time');
  if (createdAt.getTime() > (options.now ?? new Date()).getTime() + CLOCK_SKEW_MS) {
    fail('malformed', 'Bundle was made in the future');
  }
  try {
    verifyCertificate(signer, { trustAnchors: [ca], at: createdAt, usage: 'sign' });
  } catch (error) {
    fail('untrusted', `Bundle signer certificate: ${(error as Error).message}`);
  }

  const signers = new Map<string, Certificate>([[signer.thumbprint, signer]]);
  for (const pem of bundle.certificates.others ?? []) {
    const other = certificate(pem, 'checkpoint signer');
    if (other.isCa || !other.isIssuedBy(ca))
      fail('untrusted', 'A checkpoint signer certificate is not issued by the CA');
    signers.set(other.thumbprint, other);
  }
  let checkpoints: Checkpoint[];
  try {
    checkpoints = bundle.checkpoints.map((row) => readCheckpoint(row));
  } catch (error) {
    return fail('malformed', (error as Error).message);
  }

  const verifier = new ChainVerifier({ content: options.content, resolveSigner: (tp) => signers.get(tp) });
  for (const segment of segmentsOf([...bundle.records, ...bundle.links])) {
    const [first] = segment.rows;
    if (first === undefined) continue;
    const start = readChainColumns(first);
    const last = start.chainSeq + segment.rows.length - 1;
    verifier.begin(
      segment.writer,
      checkpoints.filter(
        (c) => c.writer === segment.writer && c.chainSeq >= start.chainSeq && c.chainSeq <= last,
      ),
      { chainSeq: start.chainSeq - 1, hash: start.prevHash },
    );
    for (const row of segment.rows) {
      const problem = verifier.row(row);
      if (problem !== undefined) throw new BundleFailure(problem);
    }
    if (verifier.coveredUpTo !== last) {
      throw new BundleFailure({
        kind: 'unanchored',
        writer: segment.writer,
        chainSeq: last,
        message: `Records up to chain_seq ${last} of ${segment.writer} do not reach a checkpoint`,
      });
    }
  }
  const tree = bundle.tree === undefined ? undefined : verifyTree(bundle, options);
  return {
    ok: true,
    records: bundle.records.length,
    checkpoints: verifier.checkpoints,
    caThumbprint: ca.thumbprint,
    ...(tree === undefined ? {} : { tree }),
    bundle,
  };
}

/** Every record's inclusion in the bundled checkpoint, signed by the log; the cosignatures that verify. */
function verifyTree(
  bundle: EvidenceBundle,
  options: VerifyEvidenceBundleOptions,
): { size: number; witnessedBy: string[] } {
  const tree = bundle.tree as EvidenceTree;
  if (options.trustedLogKey !== undefined && options.trustedLogKey.trim() !== tree.logKey.trim()) {
    fail('untrusted', 'The bundle names another log key than the trusted one');
  }
  let size: number;
  let root: Buffer;
  let note: ReturnType<typeof parseNote>;
  try {
    const logKey = parseVerifierKey(tree.logKey);
    note = parseNote(tree.checkpoint);
    if (!hasNoteSignature(note, logKey)) fail('bad-tree-head', 'The checkpoint is not signed by the log key');
    const body = parseCheckpointText(note.text);
    if (body.origin !== logKey.name) fail('bad-tree-head', `The checkpoint's origin is not ${logKey.name}`);
    size = body.size;
    root = Buffer.from(body.rootHash);
  } catch (error) {
    if (error instanceof BundleFailure) throw error;
    return fail('bad-tree-head', `The checkpoint cannot be read: ${(error as Error).message}`);
  }
  const proofs = new Map(tree.proofs.map((p) => [p.seq, p]));
  for (const row of bundle.records) {
    const seq = Number(row.seq);
    const proof = proofs.get(seq);
    const holds =
      proof !== undefined &&
      typeof row.hash === 'string' &&
      proof.leafIndex === Number(row.leaf_index) &&
      verifyInclusion(
        proof.leafIndex,
        size,
        leafHash(Buffer.from(row.hash, 'base64url')),
        proof.proof.map((hash) => Buffer.from(hash, 'base64')),
        root,
      );
    if (!holds) {
      throw new BundleFailure({
        kind: 'not-included',
        seq,
        message: `Record seq ${seq} is not proven in the checkpoint of size ${size}`,
      });
    }
  }
  const witnessedBy: string[] = [];
  for (const witness of tree.witnesses) {
    try {
      if (cosignatureBy(note, parseVerifierKey(witness.vkey)) !== undefined)
        witnessedBy.push(witness.serverId);
    } catch {
      // A witness key that cannot be read vouches for nothing.
    }
  }
  return { size, witnessedBy };
}

function serialise(payload: string, header: string, signature: string): string {
  return JSON.stringify({ payload, protected: header, signature });
}

/** The three JWS members, from exactly the text {@link buildEvidenceBundle} writes. */
function parseFile(text: string): { payload: string; protected: string; signature: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('malformed', 'Bundle is not JSON');
  }
  const { payload, protected: header, signature } = (value ?? {}) as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof header !== 'string' || typeof signature !== 'string') {
    fail('malformed', 'Bundle is not a JWS with payload, protected and signature');
  }
  const exact = serialise(payload, header, signature);
  // Nothing but this exact text (and one final newline) is accepted: no byte may change unnoticed.
  if (text !== `${exact}\n` && text !== exact) fail('malformed', 'Bundle is not in its exact compact form');
  return { payload, protected: header, signature };
}

function checkShape(bundle: EvidenceBundle): void {
  const isRows = (value: unknown) =>
    Array.isArray(value) &&
    value.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row));
  if (
    typeof bundle !== 'object' ||
    bundle === null ||
    bundle.format !== EVIDENCE_BUNDLE_FORMAT ||
    typeof bundle.createdAt !== 'string' ||
    !isRows(bundle.records) ||
    !isRows(bundle.links) ||
    !isRows(bundle.checkpoints) ||
    typeof bundle.certificates !== 'object' ||
    bundle.certificates === null ||
    (bundle.certificates.others !== undefined && !Array.isArray(bundle.certificates.others)) ||
    (bundle.tree !== undefined &&
      (typeof bundle.tree !== 'object' ||
        bundle.tree === null ||
        typeof bundle.tree.logKey !== 'string' ||
        typeof bundle.tree.checkpoint !== 'string' ||
        !Array.isArray(bundle.tree.witnesses) ||
        !Array.isArray(bundle.tree.proofs) ||
        !bundle.tree.proofs.every((p) => Array.isArray(p?.proof))))
  ) {
    fail('malformed', `Bundle is not an ${EVIDENCE_BUNDLE_FORMAT} document`);
  }
}

function certificate(pem: unknown, what: string): Certificate {
  try {
    return parseCertificate(String(pem));
  } catch {
    return fail('untrusted', `The bundled ${what} certificate cannot be read`);
  }
}

function chainKey(row: Record<string, unknown>): string {
  return `${String(row.writer)}\u0000${String(row.chain_seq)}`;
}

/** Rows grouped into runs of consecutive chain_seq per writer, by writer then chain_seq. */
function segmentsOf(
  rows: readonly Record<string, unknown>[],
): { writer: string; rows: Record<string, unknown>[] }[] {
  const byWriter = new Map<string, { chainSeq: number; row: Record<string, unknown> }[]>();
  for (const row of rows) {
    let link;
    try {
      link = readChainColumns(row);
    } catch (error) {
      throw new BundleFailure({ kind: 'malformed', message: (error as Error).message });
    }
    const list = byWriter.get(link.writer) ?? [];
    list.push({ chainSeq: link.chainSeq, row });
    byWriter.set(link.writer, list);
  }
  const segments: { writer: string; rows: Record<string, unknown>[] }[] = [];
  for (const writer of [...byWriter.keys()].sort()) {
    const list = (byWriter.get(writer) ?? []).sort((a, b) => a.chainSeq - b.chainSeq);
    let previous: number | undefined;
    for (const { chainSeq, row } of list) {
      if (chainSeq === previous) {
        throw new BundleFailure({
          kind: 'malformed',
          writer,
          chainSeq,
          message: `chain_seq ${chainSeq} appears twice`,
        });
      }
      const current = segments[segments.length - 1];
      if (current !== undefined && current.writer === writer && chainSeq === (previous ?? 0) + 1)
        current.rows.push(row);
      else segments.push({ writer, rows: [row] });
      previous = chainSeq;
    }
  }
  return segments;
}
