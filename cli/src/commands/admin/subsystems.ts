import type { Command } from 'commander';
import type { Subsystem } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { subsystemPath } from '../../resource-paths';
import { memberId, nonEmpty, subsystemId, withPaging, type PagingOptions } from '../../options';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<Subsystem>[] = [
  { header: 'ID', value: (subsystem) => subsystem.id },
  { header: 'NAME', value: (subsystem) => subsystem.name },
  { header: 'CREATED', value: (subsystem) => subsystem.createdAt },
];

/** `ortoo admin subsystems …`: the members' subsystems, which call and provide services. */
export function addSubsystemsCommands(admin: Command, io: CliIo): void {
  const subsystems = admin
    .command('subsystems')
    .description(
      "Members' subsystems (INSTANCE/CLASS/CODE/SUBSYSTEM): the clients and providers of services",
    );

  withPaging(
    subsystems
      .command('list')
      .description('List subsystems')
      .option('--member <id>', 'only those of this member INSTANCE/CLASS/CODE', memberId),
  ).action(async (options: PagingOptions & { member?: string }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<Subsystem>('/v1/subsystems', { member: options.member }, options);
    out.list(page, COLUMNS, 'subsystems');
  });

  subsystems
    .command('get')
    .description('Show one subsystem')
    .argument('<id>', 'subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM', subsystemId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<Subsystem>(subsystemPath(id)));
    });

  subsystems
    .command('create')
    .description('Add a subsystem to a registered member')
    .argument('<id>', 'subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM', subsystemId)
    .option('--name <name>', 'human-readable name', nonEmpty)
    .action(async (id: string, options: { name?: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<Subsystem>('/v1/subsystems', { id, name: options.name });
      reportCreated(out, response, `subsystem ${id}`);
    });

  subsystems
    .command('delete')
    .description('Delete a subsystem that no service, access right or group refers to')
    .argument('<id>', 'subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM', subsystemId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(subsystemPath(id));
      out.note(`Deleted subsystem ${id}.`);
    });
}
