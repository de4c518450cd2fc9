/**
 * Security servers' identities for tests, issued by a test gateway's CA as a
 * registration would issue them: an `auth` certificate for mutual TLS and a
 * `sign` certificate for signing messages, each with its own EC key, and
 * (when registered) recorded in the gateway's registry so that its global
 * configuration lists them.
 */
import {
  createJwsSigner,
  generateKeyPair,
  parseSecurityServerId,
  privateKeyToPem,
  type Certificate,
  type CertificateAuthority,
  type JwsSigner,
  type SqlExecutor,
} from '../../core/src';
import { insertCertificate } from '../../gateway/src/registry/certificate-repository';
import { bumpRegistryVersion } from '../../gateway/src/registry/registry-version';
import type { GatewayTrust } from '../../gateway/src/trust/gateway-trust';
import { PKI_CLOCK_FREE_DATES } from './pki-fixtures';
import { insertMembers, insertSecurityServers, memberOf } from './registry-fixtures';

/** A security server's keys and certificates. */
export interface ServerIdentity {
  /** `INSTANCE/CLASS/CODE/SERVER`. */
  readonly serverId: string;
  /** Its owner, `INSTANCE/CLASS/CODE`. */
  readonly memberId: string;
  /** TLS identity, as `createMtlsServer` and `https` options take it. */
  readonly auth: {
    readonly certificate: Certificate;
    readonly certificatePem: string;
    readonly keyPem: string;
    /** `x5t#S256`, the value the global configuration lists in `authCertificates`. */
    readonly thumbprint: string;
  };
  /** Signing identity: signs envelopes as the member. */
  readonly sign: {
    readonly certificate: Certificate;
    readonly signer: JwsSigner;
  };
}

/** Parameters of {@link createServerIdentity}. */
export interface ServerIdentityParams {
  /** `INSTANCE/CLASS/CODE/SERVER`. */
  readonly serverId: string;
  /** O of both subjects. @defaultValue `'Örtöö test member'` */
  readonly memberName?: string;
  /**
   * Names of the `auth` certificate (its subjectAltName).
   * @defaultValue `localhost`, `127.0.0.1` and `::1`, where test servers listen
   */
  readonly names?: { readonly dnsNames: readonly string[]; readonly ipAddresses: readonly string[] };
  /**
   * Validity of both certificates. The default passes checks made against
   * the real clock (a TLS handshake cannot be given another time).
   * @defaultValue {@link PKI_CLOCK_FREE_DATES}, cut to the CA's own validity
   */
  readonly validity?: { readonly notBefore: Date; readonly notAfter: Date };
}

/**
 * Issues a security server's `auth` and `sign` certificates, each for a fresh
 * EC P-256 key, with the subjects a registration gives them; nothing is stored.
 */
export function createServerIdentity(ca: CertificateAuthority, params: ServerIdentityParams): ServerIdentity {
  const server = parseSecurityServerId(params.serverId);
  const memberId = memberOf(params.serverId);
  const organization = params.memberName ?? 'Örtöö test member';
  const validity = params.validity ?? {
    notBefore: new Date(
      Math.max(PKI_CLOCK_FREE_DATES.notBefore.getTime(), ca.certificate.notBefore.getTime()),
    ),
    notAfter: new Date(Math.min(PKI_CLOCK_FREE_DATES.notAfter.getTime(), ca.certificate.notAfter.getTime())),
  };

  const authKeys = generateKeyPair();
  const auth = ca.issueForPublicKey({
    subject: { commonName: server.serverCode, organizationalUnit: memberId, organization },
    publicKey: authKeys.publicKey,
    profile: 'auth',
    ...(params.names ?? { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] }),
    ...validity,
  });
  const signKeys = generateKeyPair();
  const sign = ca.issueForPublicKey({
    subject: {
      commonName: server.memberCode,
      organizationalUnit: `${server.instance}/${server.memberClass}`,
      organization,
    },
    publicKey: signKeys.publicKey,
    profile: 'sign',
    ...validity,
  });
  return {
    serverId: params.serverId,
    memberId,
    auth: {
      certificate: auth,
      certificatePem: auth.pem,
      keyPem: privateKeyToPem(authKeys.privateKey),
      thumbprint: auth.thumbprint,
    },
    sign: {
      certificate: sign,
      signer: createJwsSigner({ privateKey: signKeys.privateKey, thumbprint: sign.thumbprint }),
    },
  };
}

/**
 * Records a server and its two certificates in the gateway's registry as an
 * approved registration does (the member and the server row are made when
 * missing, the address updated when it changed), and marks the registry
 * changed so the next global configuration lists them. Earlier certificates
 * of the server stay active. Give it a transaction to make it all or nothing.
 */
export async function registerServerIdentity(
  db: SqlExecutor,
  identity: ServerIdentity,
  address: string,
): Promise<void> {
  const { serverId, memberId } = identity;
  const [member] = await db.query('SELECT 1 FROM members WHERE id = $1', [memberId]);
  if (member === undefined) {
    await insertMembers(db, [{ id: memberId, name: identity.sign.certificate.subject.organization }]);
  }
  const [server] = await db.query<{ address: string }>('SELECT address FROM security_servers WHERE id = $1', [
    serverId,
  ]);
  if (server === undefined) await insertSecurityServers(db, [{ id: serverId, address }]);
  else if (server.address !== address) {
    await db.query('UPDATE security_servers SET address = $2, updated_at = now() WHERE id = $1', [
      serverId,
      address,
    ]);
  }
  const owner = { memberId, securityServerId: serverId };
  await insertCertificate(db, identity.sign.certificate, { ...owner, kind: 'sign' });
  await insertCertificate(db, identity.auth.certificate, { ...owner, kind: 'auth' });
  await bumpRegistryVersion(db);
}

/**
 * {@link createServerIdentity} with the gateway's CA, then
 * {@link registerServerIdentity} at `address`.
 */
export async function issueServerIdentity(
  trust: GatewayTrust,
  db: SqlExecutor,
  params: ServerIdentityParams & { readonly address: string },
): Promise<ServerIdentity> {
  const identity = createServerIdentity(trust.ca, params);
  await registerServerIdentity(db, identity, params.address);
  return identity;
}
