/**
 * Registry rows written straight to the gateway's tables, for the tests of
 * routes that only need them to exist: the routes that would create them are
 * tested elsewhere. Every helper takes a store or a transaction.
 */
import type { SqlExecutor } from '../../core/src';

/**
 * The members most registry tests start from: two active government agencies
 * and a company revoked as dissolved (see {@link seedStandardMembers}).
 */
export const STANDARD_MEMBERS = {
  /** Active: the civil registration agency, provider of the civil registry. */
  registry: { id: 'MN/GOV/9011311', name: 'Улсын бүртгэлийн ерөнхий газар' },
  /** Active: the e-Mongolia agency. */
  nation: { id: 'MN/GOV/7000001', name: 'Цахим Үндэстэн' },
  /** Revoked (`'dissolved'`) unless {@link seedStandardMembers} is told otherwise. */
  revoked: { id: 'MN/COM/5550001', name: 'Хасах ХХК' },
} as const;

/** One row of {@link insertMembers}. */
export interface MemberRow {
  /** `INSTANCE/CLASS/CODE`; instance, class and code are taken from it. */
  readonly id: string;
  /** @defaultValue `` `Member ${id}` `` */
  readonly name?: string;
  /** @defaultValue `'active'` */
  readonly status?: 'active' | 'revoked';
  /**
   * Why it was revoked. When given, `revoked_at` is set to now; when not,
   * both stay NULL (a revoked status alone is enough for most checks).
   */
  readonly revocationReason?: string;
}

/** The member id a subsystem, security server or other `MEMBER/CODE` id belongs to. */
export function memberOf(id: string): string {
  return id.split('/').slice(0, 3).join('/');
}

/** Inserts members, in order. */
export async function insertMembers(db: SqlExecutor, members: readonly MemberRow[]): Promise<void> {
  for (const member of members) {
    const [instance, memberClass, memberCode] = member.id.split('/');
    await db.query(
      `INSERT INTO members (id, instance, member_class, member_code, name, status, revoked_at, revocation_reason)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::text IS NULL THEN NULL ELSE now() END, $7)`,
      [
        member.id,
        instance,
        memberClass,
        memberCode,
        member.name ?? `Member ${member.id}`,
        member.status ?? 'active',
        member.revocationReason ?? null,
      ],
    );
  }
}

/** Options of {@link seedStandardMembers}. */
export interface StandardMembersOptions {
  /**
   * Whether {@link STANDARD_MEMBERS}.revoked is inserted revoked; `false`
   * leaves it active, for tests that revoke it themselves.
   * @defaultValue `true`
   */
  readonly revoked?: boolean;
}

/**
 * Inserts the three {@link STANDARD_MEMBERS}: 'MN/GOV/9011311' and
 * 'MN/GOV/7000001' active, 'MN/COM/5550001' revoked as `'dissolved'` (or
 * active with `{ revoked: false }`).
 */
export async function seedStandardMembers(
  db: SqlExecutor,
  options: StandardMembersOptions = {},
): Promise<void> {
  const { registry, nation, revoked } = STANDARD_MEMBERS;
  await insertMembers(db, [
    registry,
    nation,
    options.revoked === false ? revoked : { ...revoked, status: 'revoked', revocationReason: 'dissolved' },
  ]);
}

/**
 * Inserts subsystems by id (`MEMBER/CODE`), with an empty name; their members
 * must exist.
 */
export async function insertSubsystems(db: SqlExecutor, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await db.query('INSERT INTO subsystems (id, member_id, subsystem_code) VALUES ($1, $2, $3)', [
      id,
      memberOf(id),
      id.split('/')[3],
    ]);
  }
}

/**
 * Inserts active security servers by id (`MEMBER/CODE`) and address, as a
 * registration would leave them; their owners must exist.
 */
export async function insertSecurityServers(
  db: SqlExecutor,
  servers: readonly { readonly id: string; readonly address: string }[],
): Promise<void> {
  for (const { id, address } of servers) {
    await db.query(
      'INSERT INTO security_servers (id, owner_id, server_code, address) VALUES ($1, $2, $3, $4)',
      [id, memberOf(id), id.split('/')[3], address],
    );
  }
}

/**
 * Inserts a global group (`INSTANCE/CODE`) with an empty description, and
 * makes the given subsystems its members.
 */
export async function insertGroup(
  db: SqlExecutor,
  id: string,
  memberSubsystems: readonly string[] = [],
): Promise<void> {
  const [instance, groupCode] = id.split('/');
  await db.query('INSERT INTO global_groups (id, instance, group_code) VALUES ($1, $2, $3)', [
    id,
    instance,
    groupCode,
  ]);
  for (const subsystemId of memberSubsystems) {
    await db.query('INSERT INTO global_group_members (group_id, subsystem_id) VALUES ($1, $2)', [
      id,
      subsystemId,
    ]);
  }
}

/** One row of {@link insertCertificate}. */
export interface CertificateRow {
  readonly serial: string;
  readonly kind: 'sign' | 'auth';
  /** @defaultValue the member of `securityServerId` */
  readonly memberId?: string;
  /** @defaultValue none: a certificate of the member alone */
  readonly securityServerId?: string;
  /** @defaultValue `` `thumb-${serial}` `` */
  readonly thumbprint?: string;
  /** @defaultValue `` `CN=${securityServerId ?? memberId}` `` */
  readonly subject?: string;
  /** @defaultValue `'pem'`: nothing reads it as a certificate */
  readonly pem?: string;
  /** @defaultValue `'active'` */
  readonly status?: 'active' | 'revoked';
  readonly notBefore: Date | string;
  readonly notAfter: Date | string;
}

/**
 * Records a certificate as the CA would on approving a registration. Give
 * `memberId` or `securityServerId` (or both); they must exist.
 */
export async function insertCertificate(db: SqlExecutor, row: CertificateRow): Promise<void> {
  const memberId = row.memberId ?? memberOf(row.securityServerId ?? '');
  await db.query(
    `INSERT INTO certificates (serial, kind, member_id, security_server_id, thumbprint, subject, pem, status,
                               not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      row.serial,
      row.kind,
      memberId,
      row.securityServerId ?? null,
      row.thumbprint ?? `thumb-${row.serial}`,
      row.subject ?? `CN=${row.securityServerId ?? memberId}`,
      row.pem ?? 'pem',
      row.status ?? 'active',
      row.notBefore,
      row.notAfter,
    ],
  );
}
