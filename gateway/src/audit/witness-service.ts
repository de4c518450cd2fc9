/**
 * The gateway's side of witnessing: what it publishes (the latest signed tree
 * head with the cosignatures gathered, proofs), and the cosignatures security
 * servers send back, each bound to its server by a JWS of the server's
 * signing certificate. A server's message-log head travels with it and is
 * recorded in the audit log, so the agency's own log is anchored at the centre.
 */
import {
  OrtooError,
  cosignatureBy,
  ed25519FromRaw,
  formatNote,
  formatMemberId,
  parseSecurityServerId,
  parseCertificate,
  parseNote,
  verifyDetachedJws,
  witnessKeyName,
  type CosignedHead,
  type SqlExecutor,
} from '../../../core/src';
import type { GatewayDeps } from '../deps';

/** What a witness signs and sends (the JWS payload). */
export interface CosignatureClaim {
  readonly serverId: string;
  /** The witness key: its name (`witness/<server id>`) and base64 raw Ed25519 public key. */
  readonly witness: { readonly name: string; readonly publicKey: string };
  /** The tree size of the head cosigned. */
  readonly size: number;
  /** The tlog-cosignature/v1 signature line. */
  readonly cosignature: string;
  /** The server's message-log head, when it has one. */
  readonly messageLogHead?: { readonly writer: string; readonly chainSeq: number; readonly hash: string };
}

/** The published view of a tree head. */
export interface CheckpointView {
  readonly origin: string;
  readonly size: number;
  /** Base64 root hash. */
  readonly rootHash: string;
  /** The signed note with every cosignature line: a C2SP checkpoint as tools read it. */
  readonly note: string;
  readonly signedAt: string;
  readonly cosignatures: readonly { witness: string; serverId: string; timestamp: number }[];
  /** True when at least `quorum` witnesses cosigned it. */
  readonly witnessed: boolean;
  readonly quorum: number;
}

/** The latest head as published, or `NotFound` before the first. */
export async function latestCheckpoint(
  deps: Pick<GatewayDeps, 'audit' | 'config' | 'store'>,
): Promise<CheckpointView> {
  const head = await deps.audit.tree.latest();
  if (head === undefined) throw new OrtooError('NotFound', 'No tree head has been signed yet');
  return checkpointView(deps, head);
}

/** A cosigned head as published. */
export async function checkpointView(
  deps: Pick<GatewayDeps, 'config' | 'store' | 'audit'>,
  head: CosignedHead,
): Promise<CheckpointView> {
  const servers = new Map(
    (
      await deps.store.query<{ name: string; server_id: string }>(
        'SELECT name, server_id FROM audit_log_witnesses',
      )
    ).map((row) => [row.name, row.server_id]),
  );
  const quorum = deps.config.audit.witnessQuorum;
  return {
    origin: deps.audit.tree.origin,
    size: head.size,
    rootHash: head.rootHash.toString('base64'),
    note: head.cosignedNote,
    signedAt: head.at.toISOString(),
    cosignatures: head.cosignatures.map((c) => ({
      witness: c.witness,
      serverId: servers.get(c.witness) ?? '',
      timestamp: c.timestamp,
    })),
    witnessed: head.cosignatures.length >= quorum,
    quorum,
  };
}

/** Reads a numeric query parameter. */
export function sizeParam(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(value)) {
    throw new OrtooError('BadRequest', `${name} must be a non-negative integer`);
  }
  return Number(value);
}

/**
 * Takes a witness's cosignature: checks the server's signature (an active
 * signing certificate of its member), binds the witness key to the server on
 * first use (and refuses another key later), checks the cosignature over the
 * stored head, stores it, and records the server's message-log head when it moved.
 *
 * @returns the head's cosignature count and whether it is now witnessed.
 * @throws OrtooError `InvalidSignature`, `UnknownSigner`, `Forbidden`,
 *   `NotFound` (no head of that size) or `BadRequest`.
 */
export async function acceptCosignature(
  deps: Pick<GatewayDeps, 'store' | 'audit' | 'config' | 'clock'>,
  jws: { payload: string; protected: string; signature: string },
): Promise<{ size: number; cosignatures: number; witnessed: boolean }> {
  const text = Buffer.from(jws.payload, 'base64url').toString('utf8');
  const claim = readClaim(text);
  const certificate = await signerOf(deps.store, jws.protected, claim.serverId, deps.clock());
  verifyDetachedJws(text, jws, (thumbprint) =>
    thumbprint === certificate.thumbprint ? certificate : undefined,
  );

  if (claim.witness.name !== witnessKeyName(claim.serverId)) {
    throw new OrtooError(
      'BadRequest',
      `The witness key of ${claim.serverId} is named ${witnessKeyName(claim.serverId)}`,
    );
  }
  const raw = Buffer.from(claim.witness.publicKey, 'base64');
  const publicKey = (() => {
    try {
      return ed25519FromRaw(raw);
    } catch (cause) {
      throw new OrtooError('BadRequest', 'The witness key is not an Ed25519 public key', { cause });
    }
  })();
  await bindWitnessKey(deps.store, claim.witness.name, claim.serverId, raw, deps.clock());

  const head = await deps.audit.tree.head(claim.size);
  if (head === undefined) throw new OrtooError('NotFound', `No tree head of size ${claim.size}`);
  const parsed = (() => {
    try {
      return parseNote(formatNote(parseNote(head.note).text, [claim.cosignature]));
    } catch (cause) {
      throw new OrtooError('BadRequest', 'The cosignature is not a signature line', { cause });
    }
  })();
  const timestamp = cosignatureBy(parsed, { name: claim.witness.name, publicKey });
  if (timestamp === undefined) {
    throw new OrtooError(
      'InvalidSignature',
      `The cosignature does not verify over the head of size ${claim.size}`,
    );
  }
  await deps.audit.tree.addCosignature(claim.size, {
    witness: claim.witness.name,
    timestamp,
    line: claim.cosignature,
  });
  if (claim.messageLogHead !== undefined)
    await recordMessageLogHead(deps, claim.serverId, claim.messageLogHead);

  const count = head.cosignatures.filter((c) => c.witness !== claim.witness.name).length + 1;
  return { size: claim.size, cosignatures: count, witnessed: count >= deps.config.audit.witnessQuorum };
}

function readClaim(text: string): CosignatureClaim {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OrtooError('BadRequest', 'The cosignature payload is not JSON');
  }
  const claim = value as Partial<CosignatureClaim> | null;
  const head = claim?.messageLogHead;
  if (
    typeof claim !== 'object' ||
    claim === null ||
    typeof claim.serverId !== 'string' ||
    typeof claim.witness?.name !== 'string' ||
    typeof claim.witness.publicKey !== 'string' ||
    !Number.isSafeInteger(claim.size) ||
    typeof claim.cosignature !== 'string' ||
    claim.cosignature.length > 1000 ||
    (head !== undefined &&
      (typeof head.writer !== 'string' ||
        !Number.isSafeInteger(head.chainSeq) ||
        typeof head.hash !== 'string'))
  ) {
    throw new OrtooError(
      'BadRequest',
      'The cosignature payload lacks serverId, witness, size or cosignature',
    );
  }
  return claim as CosignatureClaim;
}

/** The active signing certificate of the server's member named by the JWS header. */
async function signerOf(db: SqlExecutor, protectedHeader: string, serverId: string, now: Date) {
  let thumbprint: unknown;
  try {
    thumbprint = (
      JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8')) as Record<string, unknown>
    )['x5t#S256'];
  } catch {
    throw new OrtooError('InvalidSignature', 'The JWS header is not JSON');
  }
  const member = formatMemberId(parseSecurityServerId(serverId));
  const [row] = await db.query<{ pem: string }>(
    `SELECT pem FROM certificates WHERE thumbprint = $1 AND kind = 'sign' AND status = 'active' AND member_id = $2`,
    [thumbprint, member],
  );
  if (row === undefined) {
    throw new OrtooError('UnknownSigner', `No active signing certificate of ${member} has that thumbprint`);
  }
  const certificate = parseCertificate(row.pem);
  if (!certificate.isValidAt(now))
    throw new OrtooError('CertificateExpired', 'The signing certificate is not valid now');
  return certificate;
}

async function bindWitnessKey(
  db: SqlExecutor,
  name: string,
  serverId: string,
  raw: Buffer,
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log_witnesses (name, server_id, public_key, registered_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING`,
    [name, serverId, raw, now],
  );
  const [row] = await db.query<{ public_key: Uint8Array }>(
    'SELECT public_key FROM audit_log_witnesses WHERE name = $1',
    [name],
  );
  if (row === undefined || !Buffer.from(row.public_key).equals(raw)) {
    throw new OrtooError('Forbidden', `${name} is bound to another key`);
  }
}

async function recordMessageLogHead(
  deps: Pick<GatewayDeps, 'store' | 'audit'>,
  serverId: string,
  head: NonNullable<CosignatureClaim['messageLogHead']>,
): Promise<void> {
  const [last] = await deps.store.query<{ detail: { hash?: string } }>(
    `SELECT detail FROM audit_log WHERE security_server = $1 AND event = 'message-log-head' ORDER BY seq DESC LIMIT 1`,
    [serverId],
  );
  if (last?.detail.hash === head.hash) return;
  await deps.audit.record({
    event: 'message-log-head',
    outcome: 'ok',
    securityServer: serverId,
    detail: { writer: head.writer, chainSeq: head.chainSeq, hash: head.hash },
  });
}
