import type { Command } from 'commander';
import type { CliIo } from '../../cli-io';
import { nonEmpty, nonNegativeInteger, positiveInteger } from '../../options';
import type { Column } from '../../output';
import { adminContext } from '../admin/admin-context';
import { calendarDate } from './audit-options';
import type { Usage, UsageAnswer } from './audit-types';

const COLUMNS: readonly Column<Usage>[] = [
  { header: 'TIME', value: (usage) => usage.logtime },
  { header: 'RECEIVER', value: (usage) => usage.receiverCode },
  { header: 'RECEIVER NAME', value: (usage) => usage.receiverName },
  { header: 'SYSTEM', value: (usage) => usage.receiverSystem },
  { header: 'ACTION', value: (usage) => usage.action },
];

/** Options of `ortoo audit usage`. */
interface UsageOptions {
  subject: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

/** `ortoo audit usage`: the data tracker, who read data about a person. */
export function addUsageCommands(audit: Command, io: CliIo): void {
  audit
    .command('usage')
    .description(
      'The data tracker: when which agency read data about a data subject, through which service, ' +
        'with what stated purpose',
    )
    .requiredOption(
      '--subject <identifier>',
      "the data subject's identifier, in clear (sent in X-Road-UserId)",
      nonEmpty,
    )
    .option('--from <date>', 'from this day (YYYY-MM-DD)', calendarDate)
    .option('--to <date>', 'up to this day (YYYY-MM-DD)', calendarDate)
    .option('--limit <n>', 'print only one page of at most n usages (default: all)', positiveInteger)
    .option('--offset <n>', 'skip the first n usages', nonNegativeInteger)
    .action(async (options: UsageOptions, command: Command) => {
      const { client, out } = adminContext(command, io);
      // In a header, not the query string, so that the identifier stays out of URLs and access logs.
      const find = async (offset: number | undefined, limit: number | undefined) =>
        (
          await client.request<UsageAnswer>('GET', '/v2/findUsage', {
            query: { periodStart: options.from, periodEnd: options.to, offset, limit },
            headers: { 'X-Road-UserId': options.subject },
          })
        ).body;
      let answer: UsageAnswer;
      if (options.limit !== undefined) {
        answer = await find(options.offset, options.limit);
      } else {
        // Every page: the data tracker pages by offset.
        const usages: Usage[] = [];
        let offset = options.offset ?? 0;
        let page: UsageAnswer;
        do {
          page = await find(offset, undefined);
          usages.push(...page.usages);
          offset += page.usages.length;
        } while (page.usages.length > 0 && offset < page.totalUsages);
        answer = { totalUsages: page.totalUsages, usages };
      }
      if (out.json) return out.printJson(answer);
      out.list({ items: answer.usages }, COLUMNS, 'usages of data about this subject');
      if (answer.usages.length < answer.totalUsages) {
        const next = (options.offset ?? 0) + answer.usages.length;
        out.line(`${answer.usages.length} of ${answer.totalUsages} usages: add --offset ${next} for more`);
      }
    });
}
