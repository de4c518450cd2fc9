import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ChainWriter,
  OrtooError,
  envelopeHash,
  type Checkpoint,
  type JwsSigner,
  type Logger,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  type SqlStore,
} from '../../../core/src';
import {
  MESSAGE_LOG_TABLE,
  MESSAGE_LOG_TABLE_NAME,
  type LogDirection,
  type StoredMessage,
} from './message-log-table';

export type { LogDirection } from './message-log-table';

/** One message to log. */
export interface MessageLogEntry {
  /** `sent` when this server signed it or passed it on; `received` when it came from elsewhere. */
  readonly direction: LogDirection;
  /** The whole signed message (envelope, body, signature) as it travelled. */
  readonly message: SignedMessage;
  /** The local system it was sent for or answered to, when there is one. */
  readonly localSystem?: string;
}

/** Options of {@link MessageLog.open}. */
export interface MessageLogOptions {
  readonly store: SqlStore;
  /** Signs the checkpoints: the server's sign key. */
  readonly signer: JwsSigner;
  /** @defaultValue a fresh {@link messageLogWriterId} */
  readonly writer?: string;
  /** How often {@link MessageLog.start}'s timer signs the chain's head. @defaultValue 10 000 ms */
  readonly checkpointIntervalMs?: number;
  /** Where failed timer checkpoints are reported. */
  readonly logger: Logger;
  /** The time records and checkpoints carry. @defaultValue the real clock */
  readonly clock?: () => Date;
}

/** Options of {@link MessageLog.request}. */
export interface RequestLookup {
  /** Only a request this server sent, or only one it received. @defaultValue either, a sent one first */
  readonly direction?: LogDirection;
  /**
   * Only the request of this `envelopeHash`: message ids are chosen by
   * clients, so a resend under a used id may be another request.
   * @defaultValue the latest of that id
   */
  readonly requestHash?: string;
}

/** Options of {@link MessageLog.answer}. */
export interface AnswerLookup {
  /** Only an answer this server sent, or only one it received. @defaultValue either */
  readonly direction?: LogDirection;
  /**
   * Only an answer to the request with this `envelopeHash`: message ids are
   * chosen by clients, so two exchanges may share one.
   * @defaultValue any request
   */
  readonly requestHash?: string;
}

/** A writer id unique to this process: `security-server:<host>:<pid>:<random>`. */
export function messageLogWriterId(): string {
  return `security-server:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The security server's message log, the agency's own evidence: every signed
 * request and answer it sent or received, whole, in its SQL store, append-only
 * and hash-chained (one chain per process), with checkpoints signed by the
 * server's sign key. A record resolves once it is committed, so a caller that
 * goes on knows its message is stored; concurrent records share one
 * transaction. Nothing here updates or deletes a record (retention does, see
 * `archive.ts`).
 */
export class MessageLog {
  /** This process's chain. */
  readonly writer: string;
  readonly #store: SqlStore;
  readonly #chain: ChainWriter<StoredMessage>;

  private constructor(options: MessageLogOptions) {
    this.writer = options.writer ?? messageLogWriterId();
    this.#store = options.store;
    this.#chain = new ChainWriter({
      store: options.store,
      table: MESSAGE_LOG_TABLE,
      writer: this.writer,
      signer: options.signer,
      logger: options.logger,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.checkpointIntervalMs === undefined
        ? {}
        : { checkpointIntervalMs: options.checkpointIntervalMs }),
    });
  }

  /** A message log over `store`, whose tables the `message-log` migrations made (see `database.ts`). */
  static open(options: MessageLogOptions): MessageLog {
    return new MessageLog(options);
  }

  /** Starts signing a checkpoint on the interval (when the chain's head moved). */
  start(): void {
    this.#chain.start();
  }

  /**
   * Logs one message, durably, before resolving.
   *
   * @throws OrtooError `AuditUnavailable` when it could not be stored;
   *   `BadRequest` (a request) or `InvalidAnswer` (an answer) when its JSON
   *   holds text SQL cannot store (U+0000, a lone surrogate).
   */
  async record(entry: MessageLogEntry): Promise<void> {
    await this.#chain.append(storedOf(entry));
  }

  /**
   * The request with message id `id`, or `undefined`. A server that both
   * sent and received it (a member calling its own service) logged it twice;
   * the one it sent comes first.
   *
   * @throws OrtooError `DatabaseError` when the store cannot be read.
   */
  async request(id: string, lookup: RequestLookup = {}): Promise<SignedMessage<RequestEnvelope> | undefined> {
    const [row] = await this.#store.query<{ signed_message: SignedMessage<RequestEnvelope> }>(
      `SELECT signed_message FROM ${MESSAGE_LOG_TABLE_NAME}
       WHERE message_id = $1 AND kind = 'request' AND ($2::text IS NULL OR direction = $2)
         AND ($3::text IS NULL OR envelope_hash = $3)
       ORDER BY (direction = 'sent') DESC, seq DESC LIMIT 1`,
      [id, lookup.direction ?? null, lookup.requestHash ?? null],
    );
    return row?.signed_message;
  }

  /**
   * The latest answer with message id `id`, or `undefined`.
   *
   * @throws OrtooError `DatabaseError` when the store cannot be read.
   */
  async answer(id: string, lookup: AnswerLookup = {}): Promise<SignedMessage<ResponseEnvelope> | undefined> {
    const [row] = await this.#store.query<{ signed_message: SignedMessage<ResponseEnvelope> }>(
      `SELECT signed_message FROM ${MESSAGE_LOG_TABLE_NAME}
       WHERE message_id = $1 AND kind = 'response' AND ($2::text IS NULL OR direction = $2)
         AND ($3::text IS NULL OR signed_message -> 'envelope' ->> 'requestHash' = $3)
       ORDER BY seq DESC LIMIT 1`,
      [id, lookup.direction ?? null, lookup.requestHash ?? null],
    );
    return row?.signed_message;
  }

  /**
   * Where the delivery of the request of `requestHash` stands in this log:
   * the answer this server sent to it, if any, and whether the request was
   * logged as received (its backend call begun). One query, on the
   * provider's path.
   *
   * @throws OrtooError `DatabaseError` when the store cannot be read.
   */
  async delivery(
    id: string,
    requestHash: string,
  ): Promise<{ answer?: SignedMessage<ResponseEnvelope>; received: boolean }> {
    const rows = await this.#store.query<{ answer: SignedMessage<ResponseEnvelope> | null }>(
      `SELECT CASE WHEN kind = 'response' THEN signed_message END AS answer FROM ${MESSAGE_LOG_TABLE_NAME}
       WHERE message_id = $1
         AND ((kind = 'response' AND direction = 'sent' AND signed_message -> 'envelope' ->> 'requestHash' = $2)
           OR (kind = 'request' AND direction = 'received' AND envelope_hash = $2))
       ORDER BY (kind = 'response') DESC, seq DESC LIMIT 2`,
      [id, requestHash],
    );
    const answer = rows[0]?.answer ?? undefined;
    return { ...(answer === undefined ? {} : { answer }), received: rows.some((row) => row.answer === null) };
  }

  /**
   * Signs the chain's head now, when it moved since the last checkpoint (an
   * export does, so the records just written are covered).
   *
   * @throws OrtooError `AuditUnavailable` when it cannot be stored.
   */
  checkpoint(): Promise<Checkpoint | undefined> {
    return this.#chain.checkpoint();
  }

  /** Stops the timer, stores the records still waiting and signs a last checkpoint; call before closing the store. */
  close(): Promise<void> {
    return this.#chain.close();
  }
}

/** The stored facts of an entry. */
function storedOf(entry: MessageLogEntry): StoredMessage {
  const { envelope } = entry.message;
  const kind = envelope.kind;
  const problem = unstorableText(entry.message);
  if (problem !== undefined) {
    throw new OrtooError(
      kind === 'request' ? 'BadRequest' : 'InvalidAnswer',
      `The message cannot be logged: its JSON holds ${problem}, which the message log cannot store`,
      { detail: { id: envelope.id } },
    );
  }
  return {
    direction: entry.direction,
    kind,
    messageId: envelope.id,
    client: envelope.client,
    service: envelope.service,
    status: kind === 'response' ? envelope.status : null,
    envelopeHash: envelopeHash(envelope),
    signedMessage: entry.message,
    localSystem: entry.localSystem ?? null,
  };
}

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What text of `value` (a key or a string) SQL's JSON types refuse, or
 * `undefined` when there is none: JSON allows `\u0000` and lone surrogates,
 * PostgreSQL's `jsonb` (and PGlite's) does not. Checked up front, so such a
 * message gets a clear refusal rather than a store failure that looks transient.
 */
function unstorableText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'U+0000';
    return LONE_SURROGATE.test(value) ? 'a lone UTF-16 surrogate' : undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorableText(item);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableText(key) ?? unstorableText(item);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
