import type { Command } from 'commander';
import type { CliIo } from '../../cli-io';
import { nonEmpty, withPaging, type PagingOptions } from '../../options';
import type { Column } from '../../output';
import { adminContext } from '../admin/admin-context';
import { filterQuery, withFilters, type AuditFilterOptions } from './audit-options';
import type { AuditRecord, MessageStory } from './audit-types';

/** The columns of a search: what happened to which exchange. */
const SEARCH_COLUMNS: readonly Column<AuditRecord>[] = [
  { header: 'SEQ', value: (record) => record.seq },
  { header: 'TIME', value: (record) => record.at },
  { header: 'EVENT', value: (record) => record.event },
  { header: 'OUTCOME', value: (record) => record.outcome },
  { header: 'MESSAGE ID', value: (record) => record.messageId },
  { header: 'CLIENT', value: (record) => record.client },
  { header: 'SERVICE', value: (record) => record.service },
];

/** The columns of one message's story: its id is in the title, the steps and where they failed are here. */
const STORY_COLUMNS: readonly Column<AuditRecord>[] = [
  { header: 'SEQ', value: (record) => record.seq },
  { header: 'TIME', value: (record) => record.at },
  { header: 'EVENT', value: (record) => record.event },
  { header: 'OUTCOME', value: (record) => record.outcome },
  { header: 'ERROR', value: (record) => record.errorType },
  { header: 'SERVER', value: (record) => record.securityServer },
  { header: 'CLIENT', value: (record) => record.client },
  { header: 'SERVICE', value: (record) => record.service },
];

/** `ortoo audit search` and `ortoo audit message`: find records. */
export function addRecordCommands(audit: Command, io: CliIo): void {
  withPaging(
    withFilters(
      audit
        .command('search')
        .description(
          'Find audit records by message, client, service, user, server, event, time or data subject',
        ),
    ),
  ).action(async (options: AuditFilterOptions & PagingOptions, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<AuditRecord>('/v1/audit/records', filterQuery(options), options);
    out.list(page, SEARCH_COLUMNS, 'audit records');
  });

  audit
    .command('message')
    .description('Show the whole story of one exchange, every record in order')
    .argument('<messageId>', 'the message id (X-Road-Id) of the exchange', nonEmpty)
    .action(async (messageId: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const story = await client.get<MessageStory>(`/v1/audit/messages/${encodeURIComponent(messageId)}`);
      if (out.json) return out.printJson(story);
      if (story.items.length === 0) return out.line(`No audit records of message ${messageId}.`);
      out.line(`Message ${messageId}:`);
      out.list({ items: story.items }, STORY_COLUMNS, 'audit records');
    });
}
