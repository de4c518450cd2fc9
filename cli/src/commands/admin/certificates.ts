import { Option, type Command } from 'commander';
import type { Certificate } from '../../api-types';
import type { CliIo } from '../../cli-io';
import type { Column, Output } from '../../output';
import { memberId, nonEmpty, securityServerId, withPaging, type PagingOptions } from '../../options';
import { certificatePath } from '../../resource-paths';
import { adminContext } from './admin-context';

const COLUMNS: readonly Column<Certificate>[] = [
  { header: 'SERIAL', value: (certificate) => certificate.serial },
  { header: 'KIND', value: (certificate) => certificate.kind },
  { header: 'MEMBER', value: (certificate) => certificate.memberId },
  { header: 'SERVER', value: (certificate) => certificate.securityServerId },
  { header: 'STATUS', value: (certificate) => certificate.status },
  { header: 'NOT AFTER', value: (certificate) => certificate.notAfter },
];

function printCertificate(out: Output, certificate: Certificate): void {
  out.record(certificate, { omit: ['pem'] });
  out.note('(the PEM: add --json)');
}

/** `ortoo admin certificates …`: the certificates the instance CA issued. */
export function addCertificatesCommands(admin: Command, io: CliIo): void {
  const certificates = admin
    .command('certificates')
    .description(
      'Certificates the instance CA issued to security servers (signing and TLS), and their revocation',
    );

  withPaging(
    certificates
      .command('list')
      .description('List issued certificates')
      .option('--member <id>', 'only those of this member INSTANCE/CLASS/CODE', memberId)
      .option(
        '--server <id>',
        'only those of this security server INSTANCE/CLASS/CODE/SERVER',
        securityServerId,
      )
      .addOption(new Option('--status <status>', 'only those in this state').choices(['active', 'revoked']))
      .addOption(new Option('--kind <kind>', 'only signing or TLS certificates').choices(['sign', 'auth'])),
  ).action(
    async (
      options: PagingOptions & { member?: string; server?: string; status?: string; kind?: string },
      command: Command,
    ) => {
      const { client, out } = adminContext(command, io);
      const { member, server, status, kind } = options;
      const filters = { member, server, status, kind };
      out.list(await client.list<Certificate>('/v1/certificates', filters, options), COLUMNS, 'certificates');
    },
  );

  certificates
    .command('get')
    .description('Show one certificate')
    .argument('<serial>', 'serial number as `certificates list` shows it', nonEmpty)
    .action(async (serial: string, _options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      printCertificate(out, await client.get<Certificate>(certificatePath(serial)));
    });

  certificates
    .command('revoke')
    .description('Revoke a certificate: at once at the gateway, within one configuration period everywhere')
    .argument('<serial>', 'serial number as `certificates list` shows it', nonEmpty)
    .requiredOption('--reason <reason>', 'why, for the audit log', nonEmpty)
    .action(async (serial: string, options: { reason: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const { body } = await client.post<Certificate>(`${certificatePath(serial)}/revoke`, {
        reason: options.reason,
      });
      out.note(`Revoked certificate ${serial}.`);
      printCertificate(out, body);
    });
}
