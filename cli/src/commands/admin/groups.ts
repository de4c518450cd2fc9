import type { Command } from 'commander';
import type { Group } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { groupId, subsystemId, withPaging, type PagingOptions } from '../../options';
import { groupMemberPath, groupPath } from '../../resource-paths';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<Group>[] = [
  { header: 'ID', value: (group) => group.id },
  { header: 'DESCRIPTION', value: (group) => group.description },
  { header: 'MEMBERS', value: (group) => group.members.length },
  { header: 'CREATED', value: (group) => group.createdAt },
];

/** `ortoo admin groups …`: global groups of subsystems. */
export function addGroupsCommands(admin: Command, io: CliIo): void {
  const groups = admin
    .command('groups')
    .description('Global groups (INSTANCE/GROUP) of subsystems, which access rights can be granted to');

  withPaging(groups.command('list').description('List global groups')).action(
    async (options: PagingOptions, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.list(await client.list<Group>('/v1/groups', {}, options), COLUMNS, 'groups');
    },
  );

  groups
    .command('get')
    .description('Show a global group and its members')
    .argument('<id>', 'group id INSTANCE/GROUP', groupId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<Group>(groupPath(id)));
    });

  groups
    .command('create')
    .description('Create a global group')
    .argument('<id>', 'group id INSTANCE/GROUP, e.g. MN/health-agencies', groupId)
    .option('--description <text>', 'what the group is for')
    .action(async (id: string, options: { description?: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<Group>('/v1/groups', { id, description: options.description });
      reportCreated(out, response, `group ${id}`);
    });

  groups
    .command('delete')
    .description('Delete a global group that no access right refers to')
    .argument('<id>', 'group id INSTANCE/GROUP', groupId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(groupPath(id));
      out.note(`Deleted group ${id}.`);
    });

  groups
    .command('add-member')
    .description('Add a subsystem to a global group')
    .argument('<groupId>', 'group id INSTANCE/GROUP', groupId)
    .argument('<subsystemId>', 'subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM', subsystemId)
    .action(async (group: string, subsystem: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<Group>(`${groupPath(group)}/members`, { subsystemId: subsystem });
      const done = response.status === 201 ? 'Added' : 'Already there:';
      out.changed(`${done} ${subsystem} in group ${group}.`, response.body);
    });

  groups
    .command('remove-member')
    .description('Remove a subsystem from a global group')
    .argument('<groupId>', 'group id INSTANCE/GROUP', groupId)
    .argument('<subsystemId>', 'subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM', subsystemId)
    .action(async (group: string, subsystem: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const body = await client.delete<Group | undefined>(groupMemberPath(group, subsystem));
      out.changed(`Removed ${subsystem} from group ${group}.`, body);
    });
}
