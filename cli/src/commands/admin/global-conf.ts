import type { Command } from 'commander';
// Types only: the core's index would load its database drivers at run time.
import type { GlobalConf, SignedGlobalConf } from '../../../../core/src/global-conf';
import { CliError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { adminContext } from './admin-context';

/**
 * The document inside the signed global configuration the gateway serves, a
 * flattened JWS whose payload is the document as base64url JSON. The
 * signature is not checked here (security servers check it against their
 * trust anchor): this is a view for administrators.
 */
export function decodeGlobalConf(body: unknown): GlobalConf {
  const payload = (body as Partial<SignedGlobalConf> | null)?.payload;
  if (typeof payload !== 'string')
    throw new CliError('The global configuration is not a signed document (no payload)');
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (error) {
    throw new CliError('The global configuration payload is not base64url JSON', { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CliError('The global configuration payload is not a JSON object');
  }
  return document as GlobalConf;
}

/** What an administrator checks first: which version, valid until when, and how much is in it. */
function summaryOf(conf: GlobalConf, now: Date): Record<string, unknown> {
  const expired = Date.parse(conf.expiresAt) <= now.getTime();
  return {
    instance: conf.instance,
    format: conf.format,
    version: conf.version,
    'generated at': conf.generatedAt,
    'expires at': expired ? `${conf.expiresAt} (expired)` : conf.expiresAt,
    members: conf.members?.length,
    subsystems: conf.subsystems?.length,
    'security servers': conf.securityServers?.length,
    'signing certificates': conf.signCertificates?.length,
    services: conf.services?.length,
    'access rights': conf.accessRights?.length,
    groups: conf.groups?.length,
    'revoked certificates': conf.revokedCertificates?.length,
    'CA certificates': conf.caCertificates?.length,
  };
}

/** `ortoo admin global-conf …`: the signed configuration every security server polls. */
export function addGlobalConfCommands(admin: Command, io: CliIo): void {
  const globalConf = admin
    .command('global-conf')
    .description('The signed global configuration the gateway publishes to security servers');

  globalConf
    .command('show')
    .description('Fetch the current global configuration and summarise it (--json: the decoded document)')
    .action(async (_options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      // Public: security servers fetch it without a token.
      const conf = decodeGlobalConf(await client.get<unknown>('/v1/global-conf', {}, { auth: false }));
      if (out.json) return out.printJson(conf);
      out.record(summaryOf(conf, new Date()));
    });
}
