import type { Command } from 'commander';
import type { Member } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { memberPath } from '../../resource-paths';
import { memberId, nonEmpty, withPaging, type PagingOptions } from '../../options';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<Member>[] = [
  { header: 'ID', value: (member) => member.id },
  { header: 'NAME', value: (member) => member.name },
  { header: 'STATUS', value: (member) => member.status },
  { header: 'CREATED', value: (member) => member.createdAt },
];

/** `ortoo admin members …`: the member organisations of the instance. */
export function addMembersCommands(admin: Command, io: CliIo): void {
  const members = admin
    .command('members')
    .description('Member organisations (INSTANCE/CLASS/CODE), e.g. MN/GOV/9011311');

  withPaging(members.command('list').description('List members')).action(
    async (options: PagingOptions, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.list(await client.list<Member>('/v1/members', {}, options), COLUMNS, 'members');
    },
  );

  members
    .command('get')
    .description('Show one member')
    .argument('<id>', 'member id INSTANCE/CLASS/CODE', memberId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<Member>(memberPath(id)));
    });

  members
    .command('create')
    .description('Register a member (the same again is a no-op; a different one under that id is refused)')
    .argument('<id>', 'member id INSTANCE/CLASS/CODE', memberId)
    .requiredOption('--name <name>', 'official name of the organisation', nonEmpty)
    .action(async (id: string, options: { name: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      reportCreated(
        out,
        await client.post<Member>('/v1/members', { id, name: options.name }),
        `member ${id}`,
      );
    });

  members
    .command('update')
    .description("Change a member's name")
    .argument('<id>', 'member id INSTANCE/CLASS/CODE', memberId)
    .requiredOption('--name <name>', 'new official name', nonEmpty)
    .action(async (id: string, options: { name: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.changed(
        `Updated member ${id}.`,
        await client.patch<Member>(memberPath(id), { name: options.name }),
      );
    });

  members
    .command('delete')
    .description('Delete a member that nothing refers to any more (otherwise revoke it)')
    .argument('<id>', 'member id INSTANCE/CLASS/CODE', memberId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(memberPath(id));
      out.note(`Deleted member ${id}.`);
    });

  members
    .command('revoke')
    .description('Revoke a member: its servers and certificates stop being trusted at once')
    .argument('<id>', 'member id INSTANCE/CLASS/CODE', memberId)
    .requiredOption('--reason <reason>', 'why, for the audit log', nonEmpty)
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<Member>(`${memberPath(id)}/revoke`, { reason: options.reason });
      out.changed(`Revoked member ${id}.`, response.body);
    });
}
