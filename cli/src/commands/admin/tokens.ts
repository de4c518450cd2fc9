import { Option, type Command } from 'commander';
import type { ApiToken, CreatedApiToken } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { nonEmpty, withPaging, type PagingOptions } from '../../options';
import { tokenPath } from '../../resource-paths';
import { adminContext } from './admin-context';

const COLUMNS: readonly Column<ApiToken>[] = [
  { header: 'ID', value: (token) => token.id },
  { header: 'NAME', value: (token) => token.name },
  { header: 'ROLE', value: (token) => token.role },
  { header: 'CREATED', value: (token) => token.createdAt },
  { header: 'REVOKED', value: (token) => token.revokedAt },
];

/** `ortoo admin tokens …`: the API tokens of administrators and auditors. */
export function addTokensCommands(admin: Command, io: CliIo): void {
  const tokens = admin
    .command('tokens')
    .description('API tokens of administrators (read and change) and auditors (read only)');

  withPaging(tokens.command('list').description('List API tokens (never the tokens themselves)')).action(
    async (options: PagingOptions, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.list(await client.list<ApiToken>('/v1/tokens', {}, options), COLUMNS, 'API tokens');
    },
  );

  tokens
    .command('create')
    .description('Create an API token (shown once; the gateway keeps only its hash)')
    .requiredOption('--name <name>', 'who or what holds it, named in the audit log', nonEmpty)
    .addOption(
      new Option('--role <role>', 'admin: read and change; auditor: read only')
        .choices(['admin', 'auditor'])
        .makeOptionMandatory(),
    )
    .action(async (options: { name: string; role: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.post<CreatedApiToken>('/v1/tokens', {
        name: options.name,
        role: options.role,
      });
      if (out.json) return out.printJson(body);
      out.line(body.token);
      out.line(
        `API token ${body.id} for ${body.name} (${body.role}). It is shown only this once and not stored in clear: keep it safe.`,
      );
    });

  tokens
    .command('revoke')
    .description('Revoke an API token at once')
    .argument('<id>', 'token id as `tokens list` shows it', nonEmpty)
    .action(async (id: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(tokenPath(id));
      out.note(`Revoked API token ${id}.`);
    });
}
