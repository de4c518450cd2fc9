import type { Command } from 'commander';
import { CliError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { nonEmpty, withPaging, type PagingOptions } from '../../options';
import type { Column } from '../../output';
import { adminContext } from '../admin/admin-context';
import { auditTime, count, describeProblem } from './audit-options';
import type { AuditCheckpoint, VerificationReport } from './audit-types';

const CHECKPOINT_COLUMNS: readonly Column<AuditCheckpoint>[] = [
  { header: 'ID', value: (checkpoint) => checkpoint.id },
  { header: 'WRITER', value: (checkpoint) => checkpoint.writer },
  { header: 'CHAIN SEQ', value: (checkpoint) => checkpoint.chainSeq },
  { header: 'RECORDS', value: (checkpoint) => checkpoint.count },
  { header: 'TIME', value: (checkpoint) => checkpoint.at },
  { header: 'SIGNER', value: (checkpoint) => checkpoint.signer },
];

/** `ortoo audit verify` and `ortoo audit checkpoints`: the chains and their signed heads. */
export function addVerifyCommands(audit: Command, io: CliIo): void {
  audit
    .command('verify')
    .description(
      "Have the gateway verify the log's hash chains and signed checkpoints, whole or a time range " +
        '(exit 1 naming the first problem)',
    )
    .option('--from <time>', 'verify from this time (a date means its midnight UTC)', auditTime)
    .option('--to <time>', 'verify up to this time (a date means its midnight UTC)', auditTime)
    .action(async (options: { from?: string; to?: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const report = await client.get<VerificationReport>('/v1/audit/verify', {
        from: options.from,
        to: options.to,
      });
      if (out.json) out.printJson(report);
      if (!report.ok) throw new CliError(`The audit log does not verify: ${describeProblem(report.problem)}`);
      out.note(
        `ok: ${count(report.records, 'record')} in ${count(report.chains, 'chain')}, ` +
          `${count(report.checkpoints, 'checkpoint')}`,
      );
      if (report.leaves !== undefined) {
        out.note(
          `tree: ${count(report.leaves, 'leaf', 'leaves')} under ${count(report.treeHeads ?? 0, 'signed tree head')}`,
        );
      }
    });

  withPaging(
    audit
      .command('checkpoints')
      .description("List the signed checkpoints over the heads of the writers' chains")
      .option('--writer <writer>', 'checkpoints of this writer only', nonEmpty),
  ).action(async (options: { writer?: string } & PagingOptions, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<AuditCheckpoint>(
      '/v1/audit/checkpoints',
      { writer: options.writer },
      options,
    );
    out.list(page, CHECKPOINT_COLUMNS, 'checkpoints');
  });
}
