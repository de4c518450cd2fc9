import { Option, type Command } from 'commander';
import type { AccessRight } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import {
  endpoint,
  groupId,
  nonEmpty,
  serviceId,
  subsystemId,
  withPaging,
  type PagingOptions,
} from '../../options';
import { accessRightPath } from '../../resource-paths';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<AccessRight>[] = [
  { header: 'ID', value: (right) => right.id },
  { header: 'SERVICE', value: (right) => right.serviceId },
  { header: 'CLIENT', value: (right) => right.clientId ?? `group ${right.groupId ?? '?'}` },
  {
    header: 'ENDPOINT',
    value: (right) =>
      right.endpoint === undefined ? 'all' : `${right.endpoint.method} ${right.endpoint.path}`,
  },
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
    .description(
      'Let a client subsystem, or every member of a global group, call a service: all of it, or one endpoint',
    )
    .argument('<serviceId>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
    .addOption(
      new Option('--client <id>', 'the client subsystem INSTANCE/CLASS/CODE/SUBSYSTEM')
        .argParser(subsystemId)
        .conflicts('group'),
    )
    .addOption(new Option('--group <id>', 'the global group INSTANCE/GROUP').argParser(groupId))
    .option(
      '--endpoint <endpoint>',
      "only this endpoint: 'METHOD /path' (method or *; in the path * is any characters within a segment, ** any across segments), e.g. 'GET /persons/*'",
      endpoint,
    )
    .action(
      async (
        service: string,
        options: { client?: string; group?: string; endpoint?: string },
        command: Command,
      ) => {
        if (options.client === undefined && options.group === undefined) {
          command.error('error: give the grantee: --client <id> or --group <id>', { exitCode: 2 });
        }
        const { client, out } = adminContext(command, io);
        const holder =
          options.client === undefined ? { groupId: options.group } : { clientId: options.client };
        const [method = '', path = ''] = options.endpoint?.split(' ') ?? [];
        const body = {
          serviceId: service,
          ...holder,
          ...(options.endpoint === undefined ? {} : { endpoint: { method, path } }),
        };
        const grantee = options.client === undefined ? `group ${options.group}` : options.client;
        const what = options.endpoint === undefined ? service : `${options.endpoint} of ${service}`;
        reportCreated(
          out,
          await client.post<AccessRight>('/v1/access-rights', body),
          `access right of ${grantee} to ${what}`,
        );
      },
    );

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
