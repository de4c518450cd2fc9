import { randomBytes, timingSafeEqual } from 'node:crypto';
import { OrtooError, sha256 } from '../../../core/src';
import type { Principal } from '../registry/api-tokens';
import type { RedisConnection } from '../redis';

/** A signed-in console user, as kept in Redis: who, and the CSRF token their page sends with changes. */
export interface ConsoleSession {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Principal['role'];
  /** Sent back by the page in `X-Ortoo-CSRF` on every change. */
  readonly csrfToken: string;
  readonly createdAt: string;
  /** The session ends then, however active it is. */
  readonly expiresAt: string;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  readonly redis: RedisConnection;
  /** Prefix of the Redis keys. @defaultValue `ortoo` */
  readonly prefix?: string;
  /** Longest life of a session. @defaultValue 28800 (a working day) */
  readonly lifetimeSeconds?: number;
  /** A session unused this long ends. @defaultValue 1800 */
  readonly idleSeconds?: number;
  readonly clock?: () => Date;
}

/** @defaultValue {@link SessionStoreOptions.lifetimeSeconds} */
export const DEFAULT_SESSION_LIFETIME_SECONDS = 8 * 3600;
/** @defaultValue {@link SessionStoreOptions.idleSeconds} */
export const DEFAULT_SESSION_IDLE_SECONDS = 1800;

/** Session ids and CSRF tokens: 256 random bits, URL-safe. */
function secret(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The console's sessions, server side in Redis (short-lived state that may be
 * lost: a lost session only means signing in again). The cookie carries a
 * random id; Redis keeps only its SHA-256, so a copy of Redis holds no
 * cookie that works. Sessions end at sign-out, after `idleSeconds` unused, or
 * at `lifetimeSeconds`, whichever comes first.
 */
export class SessionStore {
  readonly lifetimeSeconds: number;
  readonly idleSeconds: number;
  private readonly redis: RedisConnection;
  private readonly prefix: string;
  private readonly clock: () => Date;

  constructor(options: SessionStoreOptions) {
    this.redis = options.redis;
    this.prefix = `${options.prefix ?? 'ortoo'}:console-session:`;
    this.lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_SESSION_LIFETIME_SECONDS;
    this.idleSeconds = Math.min(options.idleSeconds ?? DEFAULT_SESSION_IDLE_SECONDS, this.lifetimeSeconds);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Opens a session for `principal`; the id goes into the cookie and nowhere else. */
  async create(principal: Principal): Promise<{ id: string; session: ConsoleSession }> {
    const id = secret();
    const now = this.clock();
    const session: ConsoleSession = {
      tokenId: principal.tokenId,
      name: principal.name,
      role: principal.role,
      csrfToken: secret(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.lifetimeSeconds * 1000).toISOString(),
    };
    await this.run(() => this.redis.set(this.key(id), JSON.stringify(session), 'EX', this.idleSeconds));
    return { id, session };
  }

  /** The live session of cookie value `id`, its idle timer restarted; undefined when it ended. */
  async find(id: string): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = this.key(id);
    const text = await this.run(() => this.redis.get(key));
    if (text === null) return undefined;
    const session = JSON.parse(text) as ConsoleSession;
    const left = Math.floor((Date.parse(session.expiresAt) - this.clock().getTime()) / 1000);
    if (left <= 0) {
      await this.run(() => this.redis.del(key));
      return undefined;
    }
    await this.run(() => this.redis.expire(key, Math.min(this.idleSeconds, left)));
    return session;
  }

  /** Ends a session at once (sign-out). */
  async end(id: string): Promise<void> {
    await this.run(() => this.redis.del(this.key(id)));
  }

  /** A Redis command; Redis away is a typed 503, never a crash. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new OrtooError('QueueUnavailable', 'Redis, which keeps the console sessions, does not answer', {
        cause,
      });
    }
  }

  private key(id: string): string {
    return this.prefix + sha256(id);
  }
}
