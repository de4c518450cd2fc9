import {
  OrtooError,
  formatMemberId,
  parseCsr,
  parseSecurityServerId,
  type CertificateAuthority,
  type DistinguishedName,
  type SqlExecutor,
} from '../../../core/src';
import { summarizeCsr, type CsrSummary } from './csr-summary';
import { insertCertificate, revokeCertificates, type IssuedCertificate } from './certificate-repository';
import { findMember, type Member } from './member-repository';
import {
  consumeRegistrationToken,
  createRegistrationToken,
  decideRegistration,
  findRegistration,
  insertRegistration,
  type Registration,
} from './registration-repository';

/*
 * Registration as in X-Road: an administrator issues a one-time token for a
 * security server; the server makes its own key pairs and sends only CSRs with
 * the token; the administrator approves, and the instance CA certifies the
 * public keys from the CSRs. The subject of each certificate comes from the
 * registry, never from the CSR, so a server cannot obtain a certificate in
 * another member's name; the CSR contributes its public key (proven by its own
 * signature) and, for the TLS certificate, the host names it asks for, which
 * the administrator sees before approving.
 */

const DN_ATTRIBUTE_MAX = 64;

/** X.509 name attributes are at most 64 characters; the registry keeps the full text. */
function fit(text: string): string {
  return text.length <= DN_ATTRIBUTE_MAX ? text : `${text.slice(0, DN_ATTRIBUTE_MAX - 1)}…`;
}

/**
 * The member, locked against revocation until the transaction ends.
 * @throws OrtooError `NotFound`, or `Conflict` when it is revoked
 */
async function activeMember(tx: SqlExecutor, memberId: string): Promise<Member> {
  const member = await findMember(tx, memberId, { lock: 'share' });
  if (member === undefined) throw new OrtooError('NotFound', `No member ${memberId}`);
  if (member.status !== 'active') throw new OrtooError('Conflict', `Member ${memberId} is revoked`);
  return member;
}

/** Refuses a server id of another instance, which this CA has no business certifying. */
function ownedServer(securityServerId: string, instance: string) {
  const server = parseSecurityServerId(securityServerId);
  if (server.instance !== instance) {
    throw new OrtooError('BadRequest', `Security server ${securityServerId} is not of instance ${instance}`);
  }
  return { server, ownerId: formatMemberId(server) };
}

/** Issues a one-time registration token for a security server of an active member. */
export async function issueRegistrationToken(
  tx: SqlExecutor,
  params: {
    securityServerId: string;
    instance: string;
    createdBy: string;
    now: Date;
    validitySeconds: number;
  },
): Promise<{ id: string; token: string; securityServerId: string; expiresAt: Date }> {
  const { ownerId } = ownedServer(params.securityServerId, params.instance);
  await activeMember(tx, ownerId);
  const expiresAt = new Date(params.now.getTime() + params.validitySeconds * 1000);
  const { id, token } = await createRegistrationToken(tx, {
    securityServerId: params.securityServerId,
    ownerId,
    createdBy: params.createdBy,
    expiresAt,
  });
  return { id, token, securityServerId: params.securityServerId, expiresAt };
}

/** What a security server submits to register. */
export interface RegistrationSubmission {
  token: string;
  securityServerId: string;
  address: string;
  signCsr: string;
  authCsr: string;
}

/**
 * Accepts a security server's registration: uses up its token and checks both
 * CSRs (well-formed, signed by the key they carry) before anything is stored.
 *
 * @throws OrtooError `Unauthenticated` for a bad, used or expired token,
 *   `BadRequest` for a bad CSR, `Conflict` when the owner is revoked.
 */
export async function submitRegistration(
  tx: SqlExecutor,
  submission: RegistrationSubmission,
  context: { instance: string; now: Date },
): Promise<Registration> {
  const { ownerId } = ownedServer(submission.securityServerId, context.instance);
  const tokenId = await consumeRegistrationToken(
    tx,
    submission.token,
    submission.securityServerId,
    context.now,
  );
  if (tokenId === undefined) {
    throw new OrtooError(
      'Unauthenticated',
      'Registration token is unknown, used, expired or for another server',
    );
  }
  parseCsr(submission.signCsr);
  parseCsr(submission.authCsr);
  await activeMember(tx, ownerId);
  return insertRegistration(tx, { ...submission, tokenId, ownerId, submittedAt: context.now });
}

/** A registration with what the administrator should see before approving. */
export async function describeRegistration(
  db: SqlExecutor,
  id: string,
): Promise<
  Registration & {
    requestedNames: { dnsNames: string[]; ipAddresses: string[] };
    csrs: { sign: CsrSummary; auth: CsrSummary };
    registrationToken?: { id: string; createdBy: string; createdAt: Date };
  }
> {
  const registration = await findRegistration(db, id);
  if (registration === undefined) throw new OrtooError('NotFound', `No registration ${id}`);
  const { signCsr, authCsr, ...rest } = registration;
  const sign = summarizeCsr(signCsr);
  const auth = summarizeCsr(authCsr);
  const [token] = await db.query<{ id: string; created_by: string; created_at: Date }>(
    `SELECT t.id, t.created_by, t.created_at FROM registration_requests r
     JOIN registration_tokens t ON t.id = r.token_id WHERE r.id = $1`,
    [id],
  );
  return {
    ...rest,
    requestedNames: { dnsNames: auth.dnsNames, ipAddresses: auth.ipAddresses },
    csrs: { sign, auth },
    ...(token === undefined
      ? {}
      : { registrationToken: { id: token.id, createdBy: token.created_by, createdAt: token.created_at } }),
  };
}

/** Options of {@link approveRegistration}. */
export interface ApprovalContext {
  ca: CertificateAuthority;
  now: Date;
  approvedBy: string;
  certificateValidityDays: number;
}

/**
 * Approves a pending registration: records (or updates) the security server,
 * has the CA certify the two public keys, supersedes the server's earlier
 * certificates, and returns the decision with the new certificates.
 *
 * @throws OrtooError `NotFound`, or `Conflict` when the registration is no
 *   longer pending, its owner or the server has been revoked.
 */
export async function approveRegistration(
  tx: SqlExecutor,
  id: string,
  context: ApprovalContext,
): Promise<{ registration: Registration; sign: IssuedCertificate; auth: IssuedCertificate }> {
  const registration = await findRegistration(tx, id);
  if (registration === undefined) throw new OrtooError('NotFound', `No registration ${id}`);
  if (registration.status !== 'pending') {
    throw new OrtooError('Conflict', `Registration ${id} is already ${registration.status}`);
  }
  const member = await activeMember(tx, registration.ownerId);
  const server = parseSecurityServerId(registration.securityServerId);

  const [stored] = await tx.query<{ status: string }>(
    `INSERT INTO security_servers (id, owner_id, server_code, address) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET address = excluded.address, updated_at = now()
       WHERE security_servers.status = 'active'
     RETURNING status`,
    [registration.securityServerId, registration.ownerId, server.serverCode, registration.address],
  );
  if (stored === undefined) {
    throw new OrtooError('Conflict', `Security server ${registration.securityServerId} has been revoked`);
  }

  const { ca, now } = context;
  const notBefore = new Date(now.getTime() - 60_000); // tolerate small clock differences
  const notAfter = new Date(
    Math.min(now.getTime() + context.certificateValidityDays * 86_400_000, ca.certificate.notAfter.getTime()),
  );
  const organisation = fit(member.name);
  const memberUnit = fit(`${server.instance}/${server.memberClass}`);
  const signSubject: DistinguishedName = {
    commonName: server.memberCode,
    organizationalUnit: memberUnit,
    organization: organisation,
  };
  const authSubject: DistinguishedName = {
    commonName: server.serverCode,
    organizationalUnit: fit(registration.ownerId),
    organization: organisation,
  };
  const signCsr = parseCsr(registration.signCsr);
  const authCsr = parseCsr(registration.authCsr);

  await revokeCertificates(
    tx,
    { securityServerId: registration.securityServerId },
    { at: now, reason: 'superseded' },
  );
  const owner = { memberId: registration.ownerId, securityServerId: registration.securityServerId };
  const sign = await insertCertificate(
    tx,
    ca.issueForPublicKey({
      subject: signSubject,
      publicKey: signCsr.publicKey,
      profile: 'sign',
      notBefore,
      notAfter,
    }),
    { ...owner, kind: 'sign' },
  );
  const auth = await insertCertificate(
    tx,
    ca.issueForPublicKey({
      subject: authSubject,
      publicKey: authCsr.publicKey,
      profile: 'auth',
      dnsNames: authCsr.dnsNames,
      ipAddresses: authCsr.ipAddresses,
      notBefore,
      notAfter,
    }),
    { ...owner, kind: 'auth' },
  );
  const decided = await decideRegistration(tx, id, {
    status: 'approved',
    at: now,
    by: context.approvedBy,
    signCertificateSerial: sign.serial,
    authCertificateSerial: auth.serial,
  });
  if (decided === undefined) throw new OrtooError('Conflict', `Registration ${id} was decided meanwhile`);
  return { registration: decided, sign, auth };
}

/** Rejects a pending registration. @throws OrtooError `NotFound` or `Conflict` */
export async function rejectRegistration(
  tx: SqlExecutor,
  id: string,
  decision: { now: Date; rejectedBy: string; reason: string },
): Promise<Registration> {
  const decided = await decideRegistration(tx, id, {
    status: 'rejected',
    at: decision.now,
    by: decision.rejectedBy,
    reason: decision.reason,
  });
  if (decided !== undefined) return decided;
  const existing = await findRegistration(tx, id);
  if (existing === undefined) throw new OrtooError('NotFound', `No registration ${id}`);
  throw new OrtooError('Conflict', `Registration ${id} is already ${existing.status}`);
}
