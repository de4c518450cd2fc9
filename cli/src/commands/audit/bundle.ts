import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { Output } from '../../output';
import { adminContext } from '../admin/admin-context';
import { count, describeProblem, filterQuery, withFilters, type AuditFilterOptions } from './audit-options';

/** The modules `verify-bundle` uses, loaded by {@link offline}. */
interface OfflineModules {
  auditChain: typeof import('../../../../core/src/audit-chain');
  auditTable: typeof import('../../../../gateway/src/audit/audit-table');
  messageLogTable: typeof import('../../../../security-server/src/message-log/message-log-table');
  certificate: typeof import('../../../../core/src/pki/certificate');
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The verifier and the codecs of the gateway's `audit_log` rows and of a
 * security server's `message_log` rows, loaded only
 * when a bundle is checked: they pull in the PKI, which `--help` should not
 * wait for. None of them opens a database or the network. `require`, not
 * `import()`, as in `commands/gateway.ts` (tsx's require hook).
 */
const offline: OfflineModules = {
  get auditChain() {
    return require('../../../../core/src/audit-chain') as OfflineModules['auditChain'];
  },
  get auditTable() {
    return require('../../../../gateway/src/audit/audit-table') as OfflineModules['auditTable'];
  },
  get messageLogTable() {
    return require('../../../../security-server/src/message-log/message-log-table') as OfflineModules['messageLogTable'];
  },
  get certificate() {
    return require('../../../../core/src/pki/certificate') as OfflineModules['certificate'];
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Reads a file the user named, or says which and why not. */
function readUserFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new CliError(`Cannot read ${what} ${file}: ${reason}`, { cause: error });
  }
}

/** `ortoo audit export` and `ortoo audit verify-bundle`: evidence that verifies without the gateway. */
export function addBundleCommands(audit: Command, io: CliIo): void {
  withFilters(
    audit
      .command('export')
      .description(
        'Save an evidence bundle of the records a search finds, with the chain links, checkpoints and ' +
          'certificates needed to verify it offline',
      )
      .requiredOption('--out <file>', 'where to write the bundle')
      .option('--force', 'overwrite --out if it exists'),
  ).action(async (options: AuditFilterOptions & { out: string; force?: boolean }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const file = options.out;
    const force = options.force === true;
    // Before asking: an export is itself an audit record, and may be large.
    if (!force && existsSync(file)) {
      throw new CliError(`${file} exists: pass --force to overwrite it, or choose another --out`);
    }
    const query = Object.fromEntries(
      Object.entries(filterQuery(options)).filter(([, value]) => value !== undefined),
    );
    const bundle = await client.requestBytes('POST', '/v1/audit/export', {
      body: { query },
      accept: 'application/jose+json',
    });
    try {
      writeFileSync(file, bundle, { flag: force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new CliError(`${file} exists: pass --force to overwrite it, or choose another --out`, {
          cause: error,
        });
      }
      throw new CliError(`Cannot write ${file}: ${code ?? String(error)}`, { cause: error });
    }
    if (out.json) return out.printJson({ file, bytes: bundle.byteLength });
    out.line(`Wrote the evidence bundle to ${file} (${count(bundle.byteLength, 'byte')}).`);
    out.line(`Check it anywhere, offline: ortoo audit verify-bundle ${file} --ca <instance CA.pem>`);
  });

  audit
    .command('verify-bundle')
    .description(
      'Verify an evidence bundle offline (no gateway, database or network): its signature, every ' +
        'record, link and checkpoint (exit 1 naming the first problem)',
    )
    .argument('<file>', 'the bundle `ortoo audit export` or `ortoo ss archive` wrote')
    .option(
      '--ca <pem>',
      "the instance CA certificate you trust; without it, compare the printed CA thumbprint with the instance's",
    )
    .option(
      '--log-key <file>',
      "the audit log's verifier key you trust (certs/audit-log.ed25519.key.vkey); without it, the bundled one",
    )
    .action(async (file: string, options: { ca?: string; logKey?: string }, command: Command) => {
      // Not adminContext: no URL or token is read, no client made.
      const out = new Output(io.stdout, command.optsWithGlobals<{ json?: boolean }>().json === true);
      const text = readUserFile(file, 'the bundle').toString('utf8');
      let trustedCa: ReturnType<OfflineModules['certificate']['parseCertificate']> | undefined;
      if (options.ca !== undefined) {
        const pem = readUserFile(options.ca, '--ca');
        try {
          trustedCa = offline.certificate.parseCertificate(pem.toString('utf8'));
        } catch (error) {
          throw new CliError(
            `--ca ${options.ca} is not a certificate: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
      }
      const { verifyEvidenceBundle } = offline.auditChain;
      const { AUDIT_TABLE } = offline.auditTable;
      const { MESSAGE_LOG_TABLE, isMessageLogRow } = offline.messageLogTable;
      // The gateway's audit log and a security server's message log share the bundle format: each row
      // is hashed by its own table's content (a row judged by the other's cannot match its hash).
      const content = (row: Record<string, unknown>) =>
        (isMessageLogRow(row) ? MESSAGE_LOG_TABLE : AUDIT_TABLE).content(row);
      const trustedLogKey =
        options.logKey === undefined ? undefined : readUserFile(options.logKey, '--log-key').toString('utf8');
      const result = verifyEvidenceBundle(text, {
        content,
        trustedCa,
        ...(trustedLogKey === undefined ? {} : { trustedLogKey }),
      });
      if (out.json) {
        // The verdict and what the bundle is of; not the records themselves, which can be many.
        out.printJson(
          result.ok
            ? {
                ok: true,
                records: result.records,
                checkpoints: result.checkpoints,
                caThumbprint: result.caThumbprint,
                caTrusted: trustedCa !== undefined,
                ...(result.tree === undefined ? {} : { tree: result.tree }),
                createdAt: result.bundle.createdAt,
                query: result.bundle.query,
              }
            : result,
        );
      }
      if (!result.ok) {
        throw new CliError(`The evidence bundle ${file} does not verify: ${describeProblem(result.problem)}`);
      }
      out.note(
        `ok: ${count(result.records, 'record')}, ${count(result.checkpoints, 'checkpoint')} in ${file}`,
      );
      if (result.tree !== undefined) {
        const { size, witnessedBy } = result.tree;
        out.note(
          `every record proven in the log's checkpoint of size ${size}, cosigned by ` +
            (witnessedBy.length === 0 ? 'no witness' : witnessedBy.join(', ')),
        );
      }
      out.note(
        trustedCa === undefined
          ? `CA thumbprint ${result.caThumbprint} (the bundle's own CA: compare it with your instance CA's)`
          : `CA thumbprint ${result.caThumbprint} (the CA given with --ca)`,
      );
    });
}
