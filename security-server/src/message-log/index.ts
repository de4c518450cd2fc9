/** The message log: every signed message this server sent or received, hash-chained, exportable, archived. */
export {
  MessageLog,
  messageLogWriterId,
  type AnswerLookup,
  type LogDirection,
  type MessageLogEntry,
  type MessageLogOptions,
  type RequestLookup,
} from './message-log';
export {
  MESSAGE_LOG_TABLE,
  MESSAGE_LOG_TABLE_NAME,
  isMessageLogRow,
  type StoredMessage,
} from './message-log-table';
export {
  verifyMessageLog,
  verifyMessageLogBundle,
  type VerifyMessageLogBundleOptions,
  type VerifyMessageLogOptions,
} from './verification';
export {
  MAX_EXPORT_RECORDS,
  MESSAGE_LOG_BUNDLE_KIND,
  exportMessageLog,
  type ExportMessageLogOptions,
  type MessageLogBundleSigning,
} from './evidence-export';
export {
  MAX_ARCHIVE_RECORDS,
  archiveMessageLog,
  runArchive,
  type ArchiveMessageLogOptions,
  type ArchivedChain,
  type MessageLogArchive,
  type RunArchiveParams,
} from './archive';
