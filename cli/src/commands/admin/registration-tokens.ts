import type { Command } from 'commander';
import type { RegistrationToken } from '../../api-types';
import type { CliIo } from '../../cli-io';
import { securityServerId } from '../../options';
import { adminContext } from './admin-context';

/** `ortoo admin registration-tokens …`: one-time tokens a new security server registers with. */
export function addRegistrationTokensCommands(admin: Command, io: CliIo): void {
  const tokens = admin
    .command('registration-tokens')
    .description('One-time tokens with which a security server submits its registration');

  tokens
    .command('create')
    .description('Issue a registration token for a registered security server (shown once)')
    .argument('<securityServerId>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .action(async (server: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.post<RegistrationToken>('/v1/registration-tokens', {
        securityServerId: server,
      });
      if (out.json) return out.printJson(body);
      out.line(body.token);
      out.line(
        `Registration token for ${body.securityServerId}, valid until ${body.expiresAt}. ` +
          'It is shown only this once: hand it to the server operator over a trusted channel.',
      );
    });
}
