import { randomBytes, randomUUID } from 'node:crypto';
import { OrtooError, sha256, type SqlExecutor } from '../../../core/src';

/** What an API token lets its holder do: administer the registry, or read (audit) it. */
export type Role = 'admin' | 'auditor';

/** The holder of a valid API token. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
}

/** A token as listed: never the token itself. */
export interface ApiTokenInfo extends Principal {
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** Prefix that makes a leaked token recognisable to secret scanners. */
const TOKEN_PREFIX = 'ortoo_';

/**
 * Creates an API token. The token is returned once and stored only as its
 * SHA-256: it is 256 random bits, so a fast hash is enough to make the stored
 * value useless to a thief.
 */
export async function createApiToken(
  db: SqlExecutor,
  params: { name: string; role: Role; createdBy?: string },
): Promise<{ token: string; info: Principal }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  await db.query(
    'INSERT INTO api_tokens (id, name, role, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)',
    [id, params.name, params.role, sha256(token), params.createdBy ?? null],
  );
  return { token, info: { tokenId: id, name: params.name, role: params.role } };
}

/** The principal holding `token`, or undefined when it is unknown or revoked. */
export async function findPrincipal(db: SqlExecutor, token: string): Promise<Principal | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const [row] = await db.query<{ id: string; name: string; role: Role }>(
    'SELECT id, name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256(token)],
  );
  return row === undefined ? undefined : { tokenId: row.id, name: row.name, role: row.role };
}

/** The principal of token `id` while the token is not revoked: a console session lives no longer than its token. */
export async function findPrincipalById(db: SqlExecutor, id: string): Promise<Principal | undefined> {
  const [row] = await db.query<{ id: string; name: string; role: Role }>(
    'SELECT id, name, role FROM api_tokens WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return row === undefined ? undefined : { tokenId: row.id, name: row.name, role: row.role };
}

/** Every API token, newest first. */
export async function listApiTokens(db: SqlExecutor): Promise<ApiTokenInfo[]> {
  const rows = await db.query<{
    id: string;
    name: string;
    role: Role;
    created_by: string | null;
    created_at: Date;
    revoked_at: Date | null;
  }>(
    'SELECT id, name, role, created_by, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC, id',
  );
  return rows.map((row) => ({
    tokenId: row.id,
    name: row.name,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes a token at once. @throws OrtooError `NotFound` */
export async function revokeApiToken(db: SqlExecutor, id: string): Promise<void> {
  const rows = await db.query(
    'UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id',
    [id],
  );
  if (rows.length === 0) throw new OrtooError('NotFound', `No API token ${id}`);
}

/** How many admin tokens can still be used: bootstrap refuses to make a second first one. */
export async function countActiveAdmins(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL",
  );
  return row?.count ?? 0;
}
