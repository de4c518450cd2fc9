import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { LocalSystem, SecurityServerConfig } from '../../../security-server/src/config';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { readJsonFile } from '../json-file';
import { nonEmpty, positiveInteger, securityServerId, serviceId, subsystemId } from '../options';
import { Output } from '../output';

/** The security server's modules this file uses, loaded by {@link ss}. */
interface SecurityServerModules {
  config: typeof import('../../../security-server/src/config');
  folder: typeof import('../../../security-server/src/server-folder');
  registration: typeof import('../../../security-server/src/registration-client');
  main: typeof import('../../../security-server/src/main');
  archive: typeof import('../../../security-server/src/message-log/archive');
  database: typeof import('../../../security-server/src/database');
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The security server's modules, loaded only by the commands that use them:
 * they pull in the core's database drivers and PKI, which `--help` should not
 * wait for. `require`, as in `gateway.ts`: the CLI runs as CommonJS through
 * tsx's require hook.
 */
const ss: SecurityServerModules = {
  get config() {
    return require('../../../security-server/src/config') as SecurityServerModules['config'];
  },
  get folder() {
    return require('../../../security-server/src/server-folder') as SecurityServerModules['folder'];
  },
  get registration() {
    return require('../../../security-server/src/registration-client') as SecurityServerModules['registration'];
  },
  get main() {
    return require('../../../security-server/src/main') as SecurityServerModules['main'];
  },
  get archive() {
    return require('../../../security-server/src/message-log/archive') as SecurityServerModules['archive'];
  },
  get database() {
    return require('../../../security-server/src/database') as SecurityServerModules['database'];
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** A TCP port a listener is told to use: 1 to 65535. */
function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new InvalidArgumentError(`expected a port from 1 to 65535, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The server's configuration as `ortoo ss start` reads it. */
function serverConfig(io: CliIo, dir: string): SecurityServerConfig {
  return ss.config.loadSecurityServerConfig({ dir, env: io.env });
}

/**
 * Edits the server folder's `config.json` with `edit`. The edited file must
 * load as `ortoo ss start` will load it before it replaces the old one.
 */
function editServerConfig(
  io: CliIo,
  dir: string,
  edit: (config: Record<string, unknown>) => Record<string, unknown>,
): void {
  const file = path.join(dir, ss.config.CONFIG_FILE);
  const raw = readJsonFile(file, 'the server configuration');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CliError(`${file} must hold a JSON object`);
  }
  const draft = `${file}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(draft, `${JSON.stringify(edit(raw as Record<string, unknown>), null, 2)}\n`);
  try {
    ss.config.loadSecurityServerConfig({ dir, env: io.env, file: draft });
    renameSync(draft, file);
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Waits for SIGINT or SIGTERM. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

const ENVIRONMENT_HELP = [
  '',
  'Environment (overrides config.json of the server folder; read by start, register and api-key):',
  '  ORTOO_SS_GATEWAY_URL, ORTOO_SS_EXCHANGE_URL         gateway.url, gateway.exchangeUrl',
  '  ORTOO_SS_CLIENT_HOST, ORTOO_SS_CLIENT_PORT          clientProxy.host, .port (default 127.0.0.1:8080)',
  '  ORTOO_SS_CLIENT_TLS_PORT                            clientProxy.tlsPort (HTTPS for local systems; off by default)',
  '  ORTOO_SS_PROVIDER_HOST, ORTOO_SS_PROVIDER_PORT      providerProxy.host, .port (default 127.0.0.1:5500)',
  '  ORTOO_SS_PROVIDER_ADDRESS                           providerProxy.address (the registered https:// base URL)',
  '  DATABASE_URL, ORTOO_SS_DATABASE_SCHEMA              PostgreSQL of the message log (default: PGlite in <dir>/db)',
  '  ORTOO_SS_DATA_DIR                                   dataDir, relative to the server folder',
  '  ORTOO_SS_BODY_LIMIT_BYTES                           bodyLimitBytes (default 10485760)',
  '  ORTOO_SS_MESSAGE_LOG_RETENTION_DAYS                 messageLog.retentionDays (default 365)',
  '  ORTOO_SS_GLOBAL_CONF_REFRESH_SECONDS                globalConfRefreshSeconds (default 60)',
  '  ORTOO_SS_HEADERS_TIMEOUT_MS, …_BODY_IDLE_TIMEOUT_MS  limits.headersTimeoutMs, .bodyIdleTimeoutMs (default 10000 each)',
  '  ORTOO_SS_REQUEST_TIMEOUT_MS                         limits.requestTimeoutMs (default 60000)',
  '  ORTOO_SS_MAX_CONNECTIONS_PER_PEER                   limits.maxConnectionsPerPeer (default 256; 0: none)',
  '  ORTOO_SS_MAX_JSON_DEPTH                             limits.maxJsonDepth (default 64)',
  '  LOG_LEVEL                                           logLevel (default info)',
].join('\n');

const FOLDER_HELP = [
  '',
  'The server folder:',
  '  config.json                      configuration: gateway, listeners, services → backends, local systems',
  '  keys/sign.key, keys/auth.key     private keys (mode 0600; never leave the folder)',
  '  keys/sign.csr, keys/auth.csr     what registration sends',
  '  certs/sign.pem, auth.pem, ca.pem the certificates the gateway issued on approval',
  '  trust/global-conf-anchor.pem     the gateway’s global-configuration signing certificate',
  '  registration.json                a submitted registration not yet decided',
  '  global-conf.cache.json, db/      the last global configuration; the message log (PGlite)',
].join('\n');

/** `ortoo ss …`: set up and run an agency's security server from its folder. */
export function addSsCommands(program: Command, io: CliIo): void {
  const commands = program
    .command('ss')
    .description("Set up and run an agency's security server (everything it is lives in one folder)")
    .addHelpText('after', `${FOLDER_HELP}\n${ENVIRONMENT_HELP}`);

  commands
    .command('init')
    .description(
      "Create a security server's folder: sign and auth key pairs (private keys readable by you only), " +
        'their CSRs, the trust anchor and a starter config.json',
    )
    .argument('<dir>', 'the server folder (created if missing)')
    .requiredOption('--server-id <id>', 'security server id INSTANCE/CLASS/CODE/SERVER', securityServerId)
    .requiredOption('--gateway-url <url>', "the gateway's admin listener, e.g. http://127.0.0.1:4400")
    .requiredOption(
      '--exchange-url <url>',
      "the gateway's mutual-TLS exchange listener, e.g. https://127.0.0.1:4443",
    )
    .requiredOption(
      '--anchor <file>',
      "the gateway's global-configuration signing certificate (its certs/global-conf-signing.pem), obtained out of band",
    )
    .option('--client-port <port>', 'port of the client proxy, for your own systems (default 8080)', port)
    .option('--provider-port <port>', 'port of the provider proxy, for the gateway (default 5500)', port)
    .option(
      '--provider-address <url>',
      'https:// base URL the gateway reaches the provider proxy at; its host goes into the TLS certificate ' +
        '(default https://127.0.0.1:<provider port>)',
    )
    .option('--force', 'start afresh in an existing server folder: new keys, so register again (db/ is kept)')
    .option('--json', 'print what was made as JSON')
    .addHelpText(
      'after',
      '\nNext: ask the gateway administrator for a registration token for the server id, then\n' +
        '  ortoo ss register <dir> --token <token>',
    )
    .action(
      (
        dir: string,
        options: {
          serverId: string;
          gatewayUrl: string;
          exchangeUrl: string;
          anchor: string;
          clientPort?: number;
          providerPort?: number;
          providerAddress?: string;
          force?: boolean;
          json?: boolean;
        },
      ) => {
        let anchorPem: string;
        try {
          anchorPem = readFileSync(options.anchor, 'utf8');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new CliError(
            `Cannot read --anchor ${options.anchor}: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
            { cause: error },
          );
        }
        const made = ss.folder.initServerFolder(dir, {
          serverId: options.serverId,
          gatewayUrl: options.gatewayUrl,
          exchangeUrl: options.exchangeUrl,
          anchorPem,
          ...(options.clientPort === undefined ? {} : { clientPort: options.clientPort }),
          ...(options.providerPort === undefined ? {} : { providerPort: options.providerPort }),
          ...(options.providerAddress === undefined ? {} : { providerAddress: options.providerAddress }),
          force: options.force === true,
        });
        const out = new Output(io.stdout, options.json === true);
        const summary = {
          serverId: made.serverId,
          dir: made.paths.dir,
          config: made.paths.config,
          providerAddress: made.providerAddress,
          tlsNames: [...made.requestedNames.dnsNames, ...made.requestedNames.ipAddresses],
          anchorThumbprint: made.anchorThumbprint,
        };
        if (out.json) return out.printJson(summary);
        out.line(
          `Created the security server folder of ${made.serverId} in ${made.paths.dir} ` +
            '(private keys readable by you only).',
        );
        out.record({
          config: summary.config,
          'provider address': summary.providerAddress,
          'TLS names': summary.tlsNames,
          'anchor thumbprint': summary.anchorThumbprint,
        });
        out.line(
          'Compare the anchor thumbprint with the gateway administrator’s, ask them for a registration token, then run ' +
            `\`ortoo ss register ${dir} --token <token>\`.`,
        );
      },
    );

  commands
    .command('register')
    .description(
      "Register the server with the gateway: submit its CSRs with the one-time token, wait for the administrator's " +
        'approval and store the certificates. An interrupted wait resumes without submitting again.',
    )
    .argument('<dir>', 'the server folder')
    .option(
      '--token <token>',
      'the registration token the gateway administrator issued (not needed to resume)',
      nonEmpty,
    )
    .option('--no-wait', 'submit (or look at the pending registration once) and return')
    .option('--timeout <seconds>', 'how long to wait for the approval (default 600)', positiveInteger)
    .option('--json', 'print the outcome as JSON')
    .action(
      async (dir: string, options: { token?: string; wait: boolean; timeout?: number; json?: boolean }) => {
        const config = serverConfig(io, dir);
        const out = new Output(io.stdout, options.json === true);
        const outcome = await ss.registration.registerServer(dir, config, {
          ...(options.token === undefined ? {} : { token: options.token }),
          wait: options.wait,
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout * 1000 }),
          ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
          onWaiting: (pending) =>
            out.note(
              `Waiting for the gateway administrator to approve registration ${pending.id} of ${config.serverId} ` +
                `(Ctrl-C stops waiting; \`ortoo ss register ${dir}\` resumes)…`,
            ),
        });
        if (outcome.resumed && options.token !== undefined) {
          out.note(`Registration ${outcome.id} was already pending, so the token was not used.`);
        }
        if (outcome.status === 'approved') {
          const { identity } = outcome;
          const summary = {
            status: outcome.status,
            id: outcome.id,
            serverId: identity.serverId,
            signCertificate: identity.signCertificate.thumbprint,
            authCertificate: identity.tls.thumbprint,
            notAfter: identity.signCertificate.notAfter.toISOString(),
          };
          if (out.json) return out.printJson(summary);
          out.line(`Registered ${identity.serverId}: its certificates are in ${path.join(dir, 'certs')}.`);
          out.record({
            'sign certificate': summary.signCertificate,
            'auth certificate': summary.authCertificate,
            'valid until': summary.notAfter,
          });
          out.line(`Start it with \`ortoo ss start ${dir}\`.`);
          return;
        }
        if (options.wait) {
          throw new CliError(
            `Registration ${outcome.id} still awaits the gateway administrator's approval: ` +
              `run \`ortoo ss register ${dir}\` again to keep waiting (it is not submitted again).`,
          );
        }
        if (out.json)
          return out.printJson({ status: outcome.status, id: outcome.id, submittedAt: outcome.submittedAt });
        out.line(
          `Registration ${outcome.id} of ${config.serverId} awaits the gateway administrator's approval ` +
            `(ortoo admin registrations approve ${outcome.id}); then run \`ortoo ss register ${dir}\` to fetch the certificates.`,
        );
      },
    );

  commands
    .command('api-key')
    .description(
      "Give one of your systems an API key for the client proxy: printed once, only its SHA-256 kept in config.json's " +
        'localSystems. Run again for the same system to replace its key. Restart the server for it to take effect.',
    )
    .argument('<dir>', 'the server folder')
    .requiredOption('--name <system>', 'name of the local system (letters, digits, . _ -)', nonEmpty)
    .requiredOption(
      '--client <subsystem...>',
      "the subsystems (INSTANCE/CLASS/CODE/SUBSYSTEM, of this server's member) it may act as (X-Road-Client)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), subsystemId(value)],
    )
    .option('--json', 'print {name, apiKey, clients} as JSON')
    .addHelpText(
      'after',
      '\nThe system then calls the client proxy with `Authorization: Bearer <key>` (or `X-Road-Apikey: <key>`).',
    )
    .action((dir: string, options: { name: string; client: string[]; json?: boolean }) => {
      const apiKey = `ortoo_ss_${randomBytes(32).toString('base64url')}`;
      const clients = [...new Set(options.client)];
      let existing: Partial<LocalSystem> | undefined;
      editServerConfig(io, dir, (config) => {
        const systems = Array.isArray(config.localSystems)
          ? (config.localSystems as Partial<LocalSystem>[])
          : [];
        existing = systems.find((system) => system.name === options.name);
        const entry: Partial<LocalSystem> = {
          ...existing,
          name: options.name,
          apiKeyHash: ss.config.hashApiKey(apiKey),
          clients,
        };
        return {
          ...config,
          localSystems:
            existing === undefined ? [...systems, entry] : systems.map((s) => (s === existing ? entry : s)),
        };
      });

      const out = new Output(io.stdout, options.json === true);
      if (out.json) return out.printJson({ name: options.name, apiKey, clients });
      out.line(apiKey);
      out.line(
        `${existing === undefined ? 'API key' : 'New API key'} of local system ${options.name}, acting as ${clients.join(', ')}. ` +
          'It is shown only this once and not stored in clear (config.json keeps its SHA-256)' +
          `${existing === undefined ? '' : '; the old key stops working'}. ` +
          `Restart the server (\`ortoo ss start ${dir}\`) for it to take effect.`,
      );
    });

  commands
    .command('service')
    .description(
      'Map a service this server provides (and optionally one version of it) to the backend that answers it. ' +
        'Run again to change the backend. Restart the server for it to take effect.',
    )
    .argument('<dir>', 'the server folder')
    .argument('<service>', "the service, INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE, of this server's member")
    .requiredOption(
      '--backend <url>',
      'base URL of the backend; the path below the service is appended',
      nonEmpty,
    )
    .option('--version <version>', 'only this version of the service (default: every version)')
    .option('--timeout <ms>', 'how long the backend may take to answer (default 30000)', positiveInteger)
    .action(
      (dir: string, service: string, options: { backend: string; version?: string; timeout?: number }) => {
        const id = serviceId(service);
        editServerConfig(io, dir, (config) => {
          const services = Array.isArray(config.services)
            ? (config.services as Record<string, unknown>[])
            : [];
          const same = (entry: Record<string, unknown>) =>
            entry.serviceId === id && entry.version === options.version;
          const entry = {
            serviceId: id,
            ...(options.version === undefined ? {} : { version: options.version }),
            backendUrl: options.backend,
            ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
          };
          const replaced = services.some(same);
          return {
            ...config,
            services: replaced ? services.map((e) => (same(e) ? entry : e)) : [...services, entry],
          };
        });
        io.stdout.write(
          `${id}${options.version === undefined ? '' : ` ${options.version}`} → ${options.backend}. ` +
            `Restart the server (\`ortoo ss start ${dir}\`) for it to take effect.\n`,
        );
      },
    );

  commands
    .command('archive')
    .description(
      'Move message-log records older than the retention (or --before) into an evidence bundle file that ' +
        '`ortoo audit verify-bundle` checks offline, then delete them from the log. Run it while the server is stopped ' +
        '(PGlite allows one process) or against PostgreSQL at any time.',
    )
    .argument('<dir>', 'the server folder')
    .requiredOption('--out <file>', 'the bundle file to write (must not exist)', nonEmpty)
    .option(
      '--before <time>',
      'archive records before this ISO 8601 time (default: now - messageLog.retentionDays)',
    )
    .action(async (dir: string, options: { out: string; before?: string }) => {
      const config = serverConfig(io, dir);
      const identity = ss.folder.loadIdentity(dir, config);
      const before = options.before === undefined ? undefined : new Date(options.before);
      if (before !== undefined && Number.isNaN(before.getTime())) {
        throw new InvalidArgumentError(
          `--before must be an ISO 8601 time, got ${JSON.stringify(options.before)}`,
        );
      }
      const { runArchive } = ss.archive;
      const result = await runArchive({
        config,
        identity,
        out: options.out,
        ...(before === undefined ? {} : { before }),
      });
      io.stdout.write(
        result.file === undefined
          ? 'Nothing to archive.\n'
          : `Archived ${result.records} records to ${result.file}${result.more ? '; older records remain: run again with another --out' : ''}.\n`,
      );
    });

  commands
    .command('witness')
    .description(
      "Print the checkpoint of the gateway's audit log this server holds as a witness (the largest it cosigned, " +
        'with its cosignature), and any it refused: give it to an auditor for `ortoo audit verify-log --witness`',
    )
    .argument('<dir>', 'the server folder')
    .action(async (dir: string) => {
      const config = serverConfig(io, dir);
      const store = await ss.database.openSecurityServerStore({
        ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
        dataDir: config.dataDir,
        ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
      });
      try {
        const [held] = await store.query<{ note: string }>('SELECT note FROM witness_checkpoints LIMIT 1');
        if (held === undefined) throw new CliError('This server has not witnessed a checkpoint yet');
        io.stdout.write(held.note);
        const conflicts = await store.query<{ reason: string; message: string; at: Date }>(
          'SELECT reason, message, at FROM witness_conflicts ORDER BY id',
        );
        for (const c of conflicts) {
          io.stderr.write(`refused at ${c.at.toISOString()} (${c.reason}): ${c.message}\n`);
        }
      } finally {
        await store.close();
      }
    });

  commands
    .command('start')
    .description(
      'Run the security server in the foreground until SIGINT or SIGTERM: the client proxy for your systems, ' +
        'the provider proxy (mutual TLS) for the gateway. Refuses to start on a bad configuration or missing keys.',
    )
    .argument('<dir>', 'the server folder')
    .action(async (dir: string) => {
      const config = serverConfig(io, dir);
      // Checked here too, before the server's heavier modules load: a folder not ready says so at once.
      ss.folder.loadIdentity(dir, config);
      const running = await ss.main.startSecurityServer({ dir, config });
      io.stdout.write(
        `Security server ${config.serverId} listening: client proxy ${running.clientUrl}, ` +
          `provider proxy ${running.providerUrl} (Ctrl-C stops it)\n`,
      );
      const signal = await untilStopped();
      io.stdout.write(`${signal}: stopping the security server\n`);
      await running.close();
    });
}
