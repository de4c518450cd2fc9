import type { Command } from 'commander';
import type { SecurityServer } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { securityServerPath } from '../../resource-paths';
import { memberId, nonEmpty, securityServerId, withPaging, type PagingOptions } from '../../options';
import { adminContext, reportCreated } from './admin-context';

const COLUMNS: readonly Column<SecurityServer>[] = [
  { header: 'ID', value: (server) => server.id },
  { header: 'ADDRESS', value: (server) => server.address },
  { header: 'STATUS', value: (server) => server.status },
  { header: 'AUTH CERT', value: (server) => server.authCertificate?.serial },
  { header: 'CERT EXPIRES', value: (server) => server.authCertificate?.notAfter },
];

/** `ortoo admin servers …`: the members' security servers. */
export function addServersCommands(admin: Command, io: CliIo): void {
  const servers = admin
    .command('servers')
    .description("Members' security servers (INSTANCE/CLASS/CODE/SERVER) and their addresses");

  withPaging(
    servers
      .command('list')
      .description('List security servers')
      .option('--owner <id>', 'only those of this member INSTANCE/CLASS/CODE', memberId),
  ).action(async (options: PagingOptions & { owner?: string }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<SecurityServer>('/v1/security-servers', { owner: options.owner }, options);
    out.list(page, COLUMNS, 'security servers');
  });

  servers
    .command('get')
    .description('Show one security server')
    .argument('<id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<SecurityServer>(securityServerPath(id)));
    });

  servers
    .command('create')
    .description('Register a security server of a member (its certificates come with its registration)')
    .argument('<id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .requiredOption(
      '--address <address>',
      'URL the gateway delivers to, e.g. https://ss1.tax.gov.mn:5500',
      nonEmpty,
    )
    .action(async (id: string, options: { address: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<SecurityServer>('/v1/security-servers', {
        id,
        address: options.address,
      });
      reportCreated(out, response, `security server ${id}`);
    });

  servers
    .command('update')
    .description("Change a security server's address")
    .argument('<id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .requiredOption('--address <address>', 'new URL the gateway delivers to', nonEmpty)
    .action(async (id: string, options: { address: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const server = await client.patch<SecurityServer>(securityServerPath(id), { address: options.address });
      out.changed(`Updated security server ${id}.`, server);
    });

  servers
    .command('delete')
    .description('Delete a security server that nothing refers to any more (otherwise revoke it)')
    .argument('<id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(securityServerPath(id));
      out.note(`Deleted security server ${id}.`);
    });

  servers
    .command('revoke')
    .description('Revoke a security server and its certificates, at once at the gateway')
    .argument('<id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .requiredOption('--reason <reason>', 'why, for the audit log', nonEmpty)
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const response = await client.post<SecurityServer>(`${securityServerPath(id)}/revoke`, {
        reason: options.reason,
      });
      out.changed(`Revoked security server ${id}.`, response.body);
    });
}
