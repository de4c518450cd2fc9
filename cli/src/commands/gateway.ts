import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
// The helper alone, not the core's index: the CLI loads servers' code lazily.
import { retentionCutoff } from '../../../core/src/audit-chain/chain-evidence';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import type { GatewayConfig } from '../../../gateway/src/config';
import { nonEmpty } from '../options';
import { Output } from '../output';

/** The gateway's modules this file uses, loaded by {@link gateway}. */
interface GatewayModules {
  config: typeof import('../../../gateway/src/config');
  database: typeof import('../../../gateway/src/database');
  apiTokens: typeof import('../../../gateway/src/registry/api-tokens');
  auditTrail: typeof import('../../../gateway/src/audit/audit-trail');
  trust: typeof import('../../../gateway/src/trust/gateway-trust');
  main: typeof import('../../../gateway/src/main');
  archive: typeof import('../../../gateway/src/audit/audit-archive');
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The gateway's modules, loaded only by the commands that use them: they pull
 * in the database drivers and the CA, seconds that `ortoo admin …` and
 * `--help` should not wait. `require`, not `import()`: the CLI runs as
 * CommonJS through tsx's require hook, which an `import()` would bypass.
 */
const gateway: GatewayModules = {
  get config() {
    return require('../../../gateway/src/config') as GatewayModules['config'];
  },
  get database() {
    return require('../../../gateway/src/database') as GatewayModules['database'];
  },
  get apiTokens() {
    return require('../../../gateway/src/registry/api-tokens') as GatewayModules['apiTokens'];
  },
  get auditTrail() {
    return require('../../../gateway/src/audit/audit-trail') as GatewayModules['auditTrail'];
  },
  get trust() {
    return require('../../../gateway/src/trust/gateway-trust') as GatewayModules['trust'];
  },
  get main() {
    return require('../../../gateway/src/main') as GatewayModules['main'];
  },
  get archive() {
    return require('../../../gateway/src/audit/audit-archive') as GatewayModules['archive'];
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Options every `ortoo gateway` command has. */
interface GatewayOptions {
  config?: string;
}

/** Adds `--config` to a gateway command. */
function withConfig(command: Command): Command {
  return command.option(
    '--config <file>',
    'JSON configuration file of the gateway (env ORTOO_GATEWAY_CONFIG); environment variables override it',
  );
}

/** The gateway's configuration as `ortoo gateway start` would read it. */
function gatewayConfig(io: CliIo, options: GatewayOptions): GatewayConfig {
  const { loadGatewayConfig } = gateway.config;
  return loadGatewayConfig({
    env: io.env,
    file: options.config ?? (io.env.ORTOO_GATEWAY_CONFIG || undefined),
  });
}

/** Where the configuration keeps the gateway's SQL data: PostgreSQL and its schema, or the PGlite folder. */
function storeOptions(config: GatewayConfig) {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  };
}

/**
 * Refuses to open a PGlite folder that a running gateway holds: PGlite is
 * PostgreSQL inside one process, with no lock against a second one, so a
 * second writer would corrupt the database or be lost. A gateway that
 * answers on the configured address is taken as the holder.
 */
async function assertPgliteFree(config: GatewayConfig, io: CliIo): Promise<void> {
  if (config.databaseUrl !== undefined) return;
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  try {
    await (io.fetch ?? fetch)(`${url}/v1/openapi.json`, { signal: AbortSignal.timeout(2000) });
  } catch {
    return; // nobody answers: the folder is free
  }
  throw new CliError(
    `A gateway is running at ${url} on the PGlite database in ${config.dataDir}, which serves one process only: ` +
      'stop it first (or use PostgreSQL, DATABASE_URL, where this works while it runs).',
  );
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

/** `ortoo gateway …`: set up and run the central gateway on this machine. */
export function addGatewayCommands(program: Command, io: CliIo): void {
  const commands = program
    .command('gateway')
    .description('Set up and run the central gateway on this machine (reads its configuration, not the API)');

  withConfig(
    commands
      .command('init')
      .description(
        "Create the gateway's trust material: the instance CA, the configuration-signing, audit-signing and TLS keys, the audit subject secret",
      )
      .option(
        '--certs-dir <dir>',
        'folder for the keys and certificates (default: certsDir of the configuration)',
      ),
  ).action(async (options: GatewayOptions & { certsDir?: string }) => {
    const config = gatewayConfig(io, options);
    const dir = options.certsDir ?? config.certsDir;
    const { loadOrCreateTrust, TRUST_FILES } = gateway.trust;
    const existed = existsSync(path.join(dir, TRUST_FILES.caCertificate));
    const trust = loadOrCreateTrust({ dir, instance: config.instance });
    const out = new Output(io.stdout, false);
    out.line(
      existed
        ? `Trust material of instance ${config.instance} already in ${dir}; anything missing was created.`
        : `Created the trust material of instance ${config.instance} in ${dir} (private keys readable by you only).`,
    );
    out.record({
      'instance CA': path.join(dir, TRUST_FILES.caCertificate),
      'CA thumbprint': trust.ca.certificate.thumbprint,
      'CA expires': trust.ca.certificate.notAfter.toISOString(),
      'configuration signer': path.join(dir, TRUST_FILES.confCertificate),
      'signer thumbprint': trust.confCertificate.thumbprint,
      'gateway TLS': path.join(dir, TRUST_FILES.tlsCertificate),
    });
    out.line('Give security servers the instance CA certificate as their trust anchor.');
  });

  withConfig(
    commands
      .command('bootstrap')
      .description(
        "Create the first administrator's API token, directly in the gateway's database " +
          '(with PGlite, while the gateway is stopped)',
      )
      .requiredOption('--name <name>', 'who holds the token, named in the audit log', nonEmpty)
      .option('--force', 'create one even though an active admin token exists')
      .option('--json', 'print {id, name, role, token} as JSON, for scripts'),
  ).action(async (options: GatewayOptions & { name: string; force?: boolean; json?: boolean }) => {
    const config = gatewayConfig(io, options);
    const { database, apiTokens, auditTrail, trust } = gateway;
    const { openGatewayStore } = database;
    const { countActiveAdmins, createApiToken } = apiTokens;
    await assertPgliteFree(config, io);
    const store = await openGatewayStore(storeOptions(config));
    let created: Awaited<ReturnType<typeof createApiToken>>;
    try {
      // The token's creation is audited like any admin change: on a chain of its own, checkpointed on close.
      const audit = auditTrail.createAuditTrail(
        store,
        trust.loadOrCreateTrust({ dir: config.certsDir, instance: config.instance }),
        config,
        { writer: auditTrail.writerId('cli') },
      );
      created = await audit
        .transaction(async (tx, record) => {
          const admins = await countActiveAdmins(tx);
          if (admins > 0 && options.force !== true) {
            throw new CliError(
              `The gateway already has ${admins} active admin token${admins === 1 ? '' : 's'}: ` +
                'create more with `ortoo admin tokens create`, or pass --force if every admin token is lost.',
            );
          }
          const result = await createApiToken(tx, { name: options.name, role: 'admin', createdBy: 'cli' });
          await record({
            event: 'admin-change',
            outcome: 'ok',
            actor: 'cli',
            detail: { action: 'token.bootstrap', id: result.info.tokenId, role: 'admin', forced: admins > 0 },
          });
          return result;
        })
        .finally(() => audit.close());
    } finally {
      await store.close();
    }
    const out = new Output(io.stdout, options.json === true);
    const { tokenId, name, role } = created.info;
    if (out.json) return out.printJson({ id: tokenId, name, role, token: created.token });
    out.line(created.token);
    out.line(
      `Admin API token ${tokenId} for ${name}. It is shown only this once and not stored in clear ` +
        '(the gateway keeps its SHA-256): keep it safe, e.g. export ORTOO_TOKEN=<token>.',
    );
  });

  withConfig(
    commands
      .command('archive-audit')
      .description(
        'Retention: export audit records older than the retention period to signed evidence bundles, ' +
          'verify each file, and only then delete the records (run as the database role allowed to delete)',
      )
      .requiredOption('--out-dir <dir>', 'folder the archive files are written to')
      .option(
        '--older-than-days <days>',
        'archive records older than this many days (default: audit.retentionDays, env ORTOO_AUDIT_RETENTION_DAYS)',
      )
      .option('--json', 'print what was archived as JSON'),
  ).action(async (options: GatewayOptions & { outDir: string; olderThanDays?: string; json?: boolean }) => {
    const config = gatewayConfig(io, options);
    const days =
      options.olderThanDays === undefined ? config.audit.retentionDays : Number(options.olderThanDays);
    if (!Number.isInteger(days) || days < 0)
      throw new CliError('--older-than-days must be a whole number of days');
    await assertPgliteFree(config, io);
    const store = await gateway.database.openGatewayStore(storeOptions(config));
    let archived: Awaited<ReturnType<GatewayModules['archive']['archiveOldRecords']>>;
    try {
      const now = new Date();
      archived = await gateway.archive.archiveOldRecords({
        store,
        dir: options.outDir,
        cutoff: retentionCutoff(now, days),
        trust: gateway.trust.loadOrCreateTrust({ dir: config.certsDir, instance: config.instance }),
        now,
      });
    } finally {
      await store.close();
    }
    const out = new Output(io.stdout, options.json === true);
    if (out.json) return out.printJson({ archived });
    if (archived.length === 0) return out.line(`Nothing older than ${days} days is ready to archive.`);
    for (const prefix of archived) {
      out.line(
        `Archived ${prefix.records} records of ${prefix.writer} (chain ${prefix.fromChainSeq}-${prefix.upToChainSeq}) ` +
          `to ${prefix.file}`,
      );
    }
  });

  withConfig(
    commands
      .command('start')
      .description('Run the gateway (admin API) in the foreground until SIGINT or SIGTERM')
      .option(
        '--port <port>',
        'port to listen on (default: http.port of the configuration, env ORTOO_GATEWAY_PORT)',
      )
      .option('--host <host>', 'address to listen on (default: http.host, env ORTOO_GATEWAY_HOST)'),
  ).action(async (options: GatewayOptions & { port?: string; host?: string }) => {
    const env = { ...io.env };
    // Through the environment, so the configuration's own validation checks them.
    if (options.port !== undefined) env.ORTOO_GATEWAY_PORT = options.port;
    if (options.host !== undefined) env.ORTOO_GATEWAY_HOST = options.host;
    const config = gatewayConfig({ ...io, env }, options);
    const { startGatewayServer } = gateway.main;
    const running = await startGatewayServer(config);
    io.stdout.write(
      `Gateway of instance ${config.instance} listening on ${running.url ?? ''} ` +
        `(exchange on ${running.exchangeUrl ?? ''}; Ctrl-C stops it)\n`,
    );
    const signal = await untilStopped();
    io.stdout.write(`${signal}: stopping the gateway\n`);
    await running.close();
  });

  withConfig(
    commands
      .command('worker')
      .description(
        'Run delivery workers only, in the foreground until SIGINT or SIGTERM: the scale-out path ' +
          '(run the gateways with ORTOO_DELIVERY_WORKERS=false, and as many workers as needed). A worker serves ' +
          '/healthz, /readyz and /metrics on the admin listener address (ORTOO_GATEWAY_HOST, ORTOO_GATEWAY_PORT)',
      ),
  ).action(async (options: GatewayOptions) => {
    const config = gatewayConfig(io, options);
    const { startGatewayServer } = gateway.main;
    const running = await startGatewayServer(config, undefined, { serve: false });
    io.stdout.write(
      `Delivery worker of instance ${config.instance} running; /healthz, /readyz and /metrics on ${running.url} ` +
        '(Ctrl-C stops it)\n',
    );
    const signal = await untilStopped();
    io.stdout.write(`${signal}: stopping the worker\n`);
    await running.close();
  });
}
