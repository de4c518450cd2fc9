/**
 * What the message-log tests share: a throwaway CA and two servers' signing
 * identities, a clock the test moves, a migrated store on either engine, and
 * signed exchanges (a request and its answer) to log.
 */
import { PassThrough } from 'node:stream';
import {
  buildRequest,
  buildResponse,
  createLogger,
  signMessage,
  type CertificateAuthority,
  type Logger,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  type SqlEngine,
  type SqlStore,
} from '../../../core/src';
import { migrateSecurityServerStore } from '../../../security-server/src/database';
import { MessageLog, type MessageLogOptions } from '../../../security-server/src/message-log';
import { createTestCa } from '../../helpers/pki-fixtures';
import { createServerIdentity, type ServerIdentity } from '../../helpers/server-identity';
import { storeEngine, type StoreEngine } from '../../helpers/store-engines';

/** Where the test clock starts: a fixed day, so nothing depends on today's date. */
export const LOG_EPOCH = new Date('2025-09-01T12:00:00.000Z');

export const CONSUMER = 'MN/GOV/7000001/e-services';
export const SERVICE = 'MN/GOV/9011311/civil-registry/person';

/** A clock a test moves by hand. */
export class TestClock {
  #now: Date;
  constructor(start: Date = LOG_EPOCH) {
    this.#now = new Date(start);
  }
  /** The current instant, as `clock` options take it. */
  readonly now = (): Date => new Date(this.#now);
  /** Moves the clock forward. */
  advance(ms: number): Date {
    this.#now = new Date(this.#now.getTime() + ms);
    return this.now();
  }
}

/** The instance CA, the consumer's server (whose log is under test) and the provider's. */
export interface LogPki {
  readonly ca: CertificateAuthority;
  readonly consumer: ServerIdentity;
  readonly provider: ServerIdentity;
}

/** A throwaway instance CA and two servers' identities (a few hundred milliseconds). */
export function createLogPki(): LogPki {
  const ca = createTestCa();
  return {
    ca,
    consumer: createServerIdentity(ca, { serverId: 'MN/GOV/7000001/ss1' }),
    provider: createServerIdentity(ca, { serverId: 'MN/GOV/9011311/ss1' }),
  };
}

/** A quiet logger. */
export function quietLogger(): Logger {
  return createLogger({ service: 'message-log-test', level: 'error', stream: new PassThrough() });
}

/** A migrated store of its own on `engine`; `engine.cleanup()` closes and drops it. */
export async function openLogStore(engineName: SqlEngine): Promise<{ engine: StoreEngine; store: SqlStore }> {
  const engine = storeEngine(engineName);
  const store = await engine.openIsolated();
  try {
    await migrateSecurityServerStore(store);
  } catch (error) {
    await engine.cleanup();
    throw error;
  }
  return { engine, store };
}

/** A message log over `store`, signed by the consumer's server, on the test clock. */
export function openLog(
  store: SqlStore,
  pki: LogPki,
  clock: TestClock,
  options: Partial<MessageLogOptions> = {},
): MessageLog {
  return MessageLog.open({
    store,
    signer: pki.consumer.sign.signer,
    logger: quietLogger(),
    clock: clock.now,
    ...options,
  });
}

/** A request of the consumer and the provider's answer, both signed, dated by the clock. */
export interface Exchange {
  readonly request: SignedMessage<RequestEnvelope>;
  readonly answer: SignedMessage<ResponseEnvelope>;
}

/** A signed exchange with id `id`: a JSON lookup in Mongolian, answered 200 (or `status`). */
export function exchange(
  pki: LogPki,
  clock: TestClock,
  id: string,
  options: { status?: number; registerNumber?: string } = {},
): Exchange {
  const registerNumber = options.registerNumber ?? 'УБ99010112';
  const request = signMessage(
    buildRequest(
      {
        id,
        client: CONSUMER,
        service: SERVICE,
        method: 'POST',
        path: '/lookup',
        headers: { accept: 'application/json' },
        userId: 'MN-officer-17',
        body: { contentType: 'application/json', json: { registerNumber } },
      },
      { now: clock.now() },
    ),
    pki.consumer.sign.signer,
  );
  const answer = signMessage(
    buildResponse(
      request.envelope,
      {
        status: options.status ?? 200,
        body: { contentType: 'application/json', json: { name: 'Бат-Эрдэнэ', registerNumber } },
      },
      { now: clock.now() },
    ),
    pki.provider.sign.signer,
  );
  return { request, answer };
}

/** Logs an exchange as the consumer's server does: the request it sent, the answer it received. */
export async function logExchange(
  log: MessageLog,
  pair: Exchange,
  localSystem = 'case-system',
): Promise<void> {
  await log.record({ direction: 'sent', message: pair.request, localSystem });
  await log.record({ direction: 'received', message: pair.answer, localSystem });
}
