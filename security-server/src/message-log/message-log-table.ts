import { rowContent, type ChainTable, type SignedMessage } from '../../../core/src';

/** Whether this server sent the message or received it. */
export type LogDirection = 'sent' | 'received';

/** The facts of one record as stored: everything but the chain columns. */
export interface StoredMessage {
  direction: LogDirection;
  kind: 'request' | 'response';
  messageId: string;
  client: string;
  service: string;
  /** The answer's HTTP status; `null` for a request. */
  status: number | null;
  /** `envelopeHash` of the message's envelope. */
  envelopeHash: string;
  /** The whole signed message, body included. */
  signedMessage: SignedMessage;
  localSystem: string | null;
}

/** The table's name, for queries written elsewhere in `message-log/`. */
export const MESSAGE_LOG_TABLE_NAME = 'message_log';
/** Its signed checkpoints. */
export const MESSAGE_LOG_CHECKPOINTS = 'message_log_checkpoints';
/** Its retention markers. */
export const MESSAGE_LOG_ARCHIVES = 'message_log_archives';

/** The `message_log` columns that hold a record's facts, all of them covered by its hash. */
const CONTENT_COLUMNS: readonly string[] = [
  'direction',
  'kind',
  'message_id',
  'client',
  'service',
  'status',
  'envelope_hash',
  'signed_message',
  'local_system',
];

/**
 * The message log as a hash-chained table: which columns an entry fills, and
 * what of a stored row its hash covers: every fact column, the whole signed
 * message included, keyed by column name, so a verifier (the server, or an
 * auditor offline with an evidence bundle) rebuilds it from the row alone.
 */
export const MESSAGE_LOG_TABLE: ChainTable<StoredMessage> = {
  table: MESSAGE_LOG_TABLE_NAME,
  columns: (entry) => ({
    direction: entry.direction,
    kind: entry.kind,
    message_id: entry.messageId,
    client: entry.client,
    service: entry.service,
    status: entry.status,
    envelope_hash: entry.envelopeHash,
    signed_message: entry.signedMessage,
    local_system: entry.localSystem,
  }),
  content: (row) => rowContent(row, CONTENT_COLUMNS),
};

/**
 * True for a row of the message log (as stored, or as an evidence bundle
 * carries it), false for a row of another chained table (the gateway's audit
 * log): lets one offline verifier pick the right content for each row. A row
 * judged by the wrong table's content cannot verify, as the content is keyed
 * by column names the two tables do not share.
 */
export function isMessageLogRow(row: Record<string, unknown>): boolean {
  return 'signed_message' in row && 'envelope_hash' in row;
}
