import { Option, type Command } from 'commander';
import type { Registration } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { nonEmpty, withPaging, type PagingOptions } from '../../options';
import { registrationPath } from '../../resource-paths';
import { adminContext } from './admin-context';

const COLUMNS: readonly Column<Registration>[] = [
  { header: 'ID', value: (registration) => registration.id },
  { header: 'SECURITY SERVER', value: (registration) => registration.securityServerId },
  { header: 'ADDRESS', value: (registration) => registration.address },
  { header: 'STATUS', value: (registration) => registration.status },
  { header: 'SUBMITTED', value: (registration) => registration.submittedAt },
];

/** `ortoo admin registrations …`: security servers' registration requests, to approve or reject. */
export function addRegistrationsCommands(admin: Command, io: CliIo): void {
  const registrations = admin
    .command('registrations')
    .description(
      "Security servers' registration requests (their CSRs): approve to issue certificates, or reject",
    );

  withPaging(
    registrations
      .command('list')
      .description('List registration requests')
      .addOption(
        new Option('--status <status>', 'only those in this state').choices([
          'pending',
          'approved',
          'rejected',
        ]),
      ),
  ).action(async (options: PagingOptions & { status?: string }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<Registration>('/v1/registrations', { status: options.status }, options);
    out.list(page, COLUMNS, 'registrations');
  });

  registrations
    .command('get')
    .description('Show one registration request')
    .argument('<id>', 'registration id (a UUID)', nonEmpty)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<Registration>(registrationPath(id)));
    });

  registrations
    .command('approve')
    .description("Approve a pending registration: the CA issues the server's signing and TLS certificates")
    .argument('<id>', 'registration id (a UUID)', nonEmpty)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.post<Registration>(`${registrationPath(id)}/approve`);
      out.changed(`Approved registration ${id} of ${body.securityServerId}.`, body);
    });

  registrations
    .command('reject')
    .description('Reject a pending registration')
    .argument('<id>', 'registration id (a UUID)', nonEmpty)
    .requiredOption(
      '--reason <reason>',
      'why, told to the server operator and kept for the audit log',
      nonEmpty,
    )
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.post<Registration>(`${registrationPath(id)}/reject`, {
        reason: options.reason,
      });
      out.changed(`Rejected registration ${id} of ${body.securityServerId}.`, body);
    });
}
