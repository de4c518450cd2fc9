import { Option, type Command } from 'commander';
import type { AccessRight } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { groupId, nonEmpty, serviceId, subsystemId, withPaging, type PagingOptions } from '../../options';
import { accessRightPath } from '../../resource-paths';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<AccessRight>[] = [
  { header: 'ID', value: (right) => right.id },
  { header: 'SERVICE', value: (right) => right.serviceId },
  { header: 'CLIENT', value: (right) => right.clientId ?? `group ${right.groupId ?? '?'}` },
  { header: 'CREATED', value: (right) => right.createdAt },
];

/** `ortoo admin access …`: who may call which service. */
export function addAccessCommands(admin: Command, io: CliIo): void {
  const access = admin
    .command('access')
    .description('Access rights: which client subsystem, or which global group, may call a service');

  withPaging(
    access
      .command('list')
      .description('List access rights')
      .option(
        '--service <id>',
        'only rights to this service INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE',
        serviceId,
      )
      .option(
        '--client <id>',
        'only rights of this client subsystem INSTANCE/CLASS/CODE/SUBSYSTEM',
        subsystemId,
      )
      .option('--group <id>', 'only rights of this global group INSTANCE/GROUP', groupId),
  ).action(
    async (
      options: PagingOptions & { service?: string; client?: string; group?: string },
      command: Command,
    ) => {
      const { client, out } = adminContext(command, io);
      const filters = { service: options.service, client: options.client, group: options.group };
      out.list(
        await client.list<AccessRight>('/v1/access-rights', filters, options),
        COLUMNS,
        'access rights',
      );
    },
  );

  access
    .command('grant')
    .description('Let a client subsystem, or every member of a global group, call a service')
    .argument('<serviceId>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
    .addOption(
      new Option('--client <id>', 'the client subsystem INSTANCE/CLASS/CODE/SUBSYSTEM')
        .argParser(subsystemId)
        .conflicts('group'),
    )
    .addOption(new Option('--group <id>', 'the global group INSTANCE/GROUP').argParser(groupId))
    .action(async (service: string, options: { client?: string; group?: string }, command: Command) => {
      if (options.client === undefined && options.group === undefined) {
        command.error('error: give the grantee: --client <id> or --group <id>', { exitCode: 2 });
      }
      const { client, out } = adminContext(command, io);
      const body =
        options.client === undefined
          ? { serviceId: service, groupId: options.group }
          : { serviceId: service, clientId: options.client };
      const grantee = options.client === undefined ? `group ${options.group}` : options.client;
      reportCreated(
        out,
        await client.post<AccessRight>('/v1/access-rights', body),
        `access right of ${grantee} to ${service}`,
      );
    });

  access
    .command('revoke-right')
    .description('Withdraw an access right, by the id `access list` shows')
    .argument('<id>', 'access right id', nonEmpty)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(accessRightPath(id));
      out.note(`Withdrew access right ${id}.`);
    });
}
