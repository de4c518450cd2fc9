import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliIo } from '../../cli-io';
import type { Column } from '../../output';
import { securityServerId, withPaging, type PagingOptions } from '../../options';
import { adminContext } from './admin-context';

/** A dead letter, as `GET /v1/dead-letters` lists it. */
interface DeadLetter {
  id: string;
  kind: 'deliver' | 'callback';
  serverId: string;
  client: string;
  service: string;
  failedAt: string;
  attempts: number;
  reason: { type: string; message: string };
}

const COLUMNS: readonly Column<DeadLetter>[] = [
  { header: 'ID', value: (letter) => letter.id },
  { header: 'KIND', value: (letter) => letter.kind },
  { header: 'SERVER', value: (letter) => letter.serverId },
  { header: 'SERVICE', value: (letter) => letter.service },
  { header: 'FAILED', value: (letter) => letter.failedAt },
  { header: 'ATTEMPTS', value: (letter) => letter.attempts },
  { header: 'REASON', value: (letter) => letter.reason.type },
];

/** A message id, as the envelope allows it. */
function messageId(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(value)) {
    throw new InvalidArgumentError(
      `expected a message id (1-128 of A-Z a-z 0-9 . _ -), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `/v1/dead-letters/<server, one segment per part>/<id>`. */
function deadLetterPath(server: string, id: string): string {
  return `/v1/dead-letters/${[...server.split('/'), id].map(encodeURIComponent).join('/')}`;
}

/** `--kind`, on the commands that name one dead letter. */
function kindOption(): Option {
  return new Option(
    '--kind <kind>',
    "deliver: the request to the provider; callback: the answer to the consumer's server",
  )
    .choices(['deliver', 'callback'])
    .default('deliver');
}

/** `ortoo admin dead-letters …`: messages the gateway gave up delivering; list, inspect, replay. */
export function addDeadLettersCommands(admin: Command, io: CliIo): void {
  const deadLetters = admin
    .command('dead-letters')
    .description('Messages given up on after a permanent failure or their last retry: list, show, replay');

  withPaging(
    deadLetters
      .command('list')
      .description('List dead letters, by security server, then time of failure')
      .option(
        '--server <id>',
        "only those on this security server's queue INSTANCE/CLASS/CODE/SERVER",
        securityServerId,
      ),
  ).action(async (options: PagingOptions & { server?: string }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<DeadLetter>('/v1/dead-letters', { server: options.server }, options);
    out.list(page, COLUMNS, 'dead letters');
  });

  deadLetters
    .command('show')
    .description('Show one dead letter (never its body)')
    .argument('<server>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .argument('<id>', 'message id', messageId)
    .addOption(kindOption())
    .action(async (server: string, id: string, options: { kind: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      out.record(await client.get<DeadLetter>(deadLetterPath(server, id), { kind: options.kind }));
    });

  deadLetters
    .command('replay')
    .description('Queue a dead letter again, its attempts counted afresh (audited)')
    .argument('<server>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .argument('<id>', 'message id', messageId)
    .addOption(kindOption())
    .action(async (server: string, id: string, options: { kind: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.request<unknown>('POST', `${deadLetterPath(server, id)}/replay`, {
        query: { kind: options.kind },
      });
      out.changed(`Queued message ${id} again for ${server}.`, body);
    });
}
