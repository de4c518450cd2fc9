import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { CliError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { nonEmpty } from '../../options';
import type { Column } from '../../output';
import { adminContext } from '../admin/admin-context';
import { count, describeProblem } from './audit-options';
import type { LogCheckpoint, VerificationProblem } from './audit-types';

/** The modules the tree commands use, loaded only when they run (see `bundle.ts`). */
interface TreeModules {
  tlog: typeof import('../../../../core/src/tlog');
  store: typeof import('../../../../core/src/store');
  verification: typeof import('../../../../gateway/src/audit/audit-verification');
  database: typeof import('../../../../gateway/src/database');
  certificate: typeof import('../../../../core/src/pki/certificate');
}

/* eslint-disable @typescript-eslint/no-require-imports */
const load: TreeModules = {
  get tlog() {
    return require('../../../../core/src/tlog') as TreeModules['tlog'];
  },
  get store() {
    return require('../../../../core/src/store') as TreeModules['store'];
  },
  get verification() {
    return require('../../../../gateway/src/audit/audit-verification') as TreeModules['verification'];
  },
  get database() {
    return require('../../../../gateway/src/database') as TreeModules['database'];
  },
  get certificate() {
    return require('../../../../core/src/pki/certificate') as TreeModules['certificate'];
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

const COSIGNATURE_COLUMNS: readonly Column<LogCheckpoint['cosignatures'][number]>[] = [
  { header: 'WITNESS', value: (c) => c.witness },
  { header: 'SECURITY SERVER', value: (c) => c.serverId },
  { header: 'COSIGNED AT', value: (c) => new Date(c.timestamp * 1000).toISOString() },
];

/** A non-negative integer option. */
function size(value: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) throw new CliError(`Not a tree size or index: ${value}`);
  return Number(value);
}

/** A file's text, or says which file could not be read. */
function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `ortoo audit checkpoint | inclusion | consistency | verify-log`: the audit
 * log as a transparency log: its signed heads and their cosignatures, proofs
 * checked here, and verification straight from the database.
 */
export function addTreeCommands(audit: Command, io: CliIo): void {
  audit
    .command('checkpoint')
    .description(
      "Show the log's latest signed tree head (a C2SP checkpoint) with the witnesses' cosignatures, signed now",
    )
    .action(async (_options: object, command: Command) => {
      const { client, out } = adminContext(command, io);
      const checkpoint = await client.get<LogCheckpoint>('/v1/audit/log/checkpoint');
      if (out.json) return out.printJson(checkpoint);
      out.line(checkpoint.note.trimEnd());
      out.line('');
      out.list({ items: checkpoint.cosignatures }, COSIGNATURE_COLUMNS, 'cosignatures');
      out.line(
        `size ${checkpoint.size}, ${count(checkpoint.cosignatures.length, 'cosignature')}: ` +
          `${checkpoint.witnessed ? 'witnessed' : 'not witnessed'} (policy: ${checkpoint.quorum})`,
      );
    });

  audit
    .command('inclusion')
    .description(
      "Fetch a record's inclusion proof and check it here against the signed checkpoint of that size",
    )
    .option('--seq <n>', 'the record by its seq', size)
    .option('--leaf <n>', 'the record by its leaf index', size)
    .option('--size <n>', 'the tree size to prove it in (default: the latest signed)', size)
    .action(async (options: { seq?: number; leaf?: number; size?: number }, command: Command) => {
      if ((options.seq === undefined) === (options.leaf === undefined))
        throw new CliError('Give --seq or --leaf');
      const { client, out } = adminContext(command, io);
      const proof = await client.get<{
        leafIndex: number;
        size: number;
        recordHash: string;
        proof: string[];
        checkpoint?: LogCheckpoint;
      }>('/v1/audit/log/inclusion', {
        seq: options.seq?.toString(),
        leafIndex: options.leaf?.toString(),
        size: options.size?.toString(),
      });
      if (out.json) out.printJson(proof);
      if (proof.checkpoint === undefined) {
        out.note(`No signed checkpoint of size ${proof.size}: the proof is not checked`);
        return;
      }
      const { tlog } = load;
      const leaf = tlog.leafHash(Buffer.from(proof.recordHash, 'base64url'));
      const holds = tlog.verifyInclusion(
        proof.leafIndex,
        proof.size,
        leaf,
        proof.proof.map((hash) => Buffer.from(hash, 'base64')),
        Buffer.from(proof.checkpoint.rootHash, 'base64'),
      );
      if (!holds) throw new CliError(`The inclusion proof of leaf ${proof.leafIndex} does not verify`);
      out.note(
        `leaf ${proof.leafIndex} is in the tree of size ${proof.size} (${count(proof.proof.length, 'hash', 'hashes')}), ` +
          `checkpoint ${proof.checkpoint.witnessed ? 'witnessed' : 'not witnessed'} by ` +
          `${count(proof.checkpoint.cosignatures.length, 'witness', 'witnesses')}`,
      );
      if (!out.json) for (const hash of proof.proof) out.line(hash);
    });

  audit
    .command('consistency')
    .description('Fetch the consistency proof between two tree sizes')
    .requiredOption('--from <n>', 'the older size', size)
    .option('--to <n>', 'the newer size (default: the latest signed)', size)
    .action(async (options: { from: number; to?: number }, command: Command) => {
      const { client, out } = adminContext(command, io);
      const proof = await client.get<{ from: number; to: number; proof: string[] }>(
        '/v1/audit/log/consistency',
        {
          from: String(options.from),
          to: options.to?.toString(),
        },
      );
      if (out.json) return out.printJson(proof);
      out.line(`from size ${proof.from} to ${proof.to}: ${count(proof.proof.length, 'hash', 'hashes')}`);
      for (const hash of proof.proof) out.line(hash);
    });

  audit
    .command('verify-log')
    .description(
      "Verify the audit log straight from the gateway's database, against every signed head in it and the " +
        "checkpoints witnesses kept (`ortoo ss witness <dir>` prints a server's): names the first problem (exit 1)",
    )
    .requiredOption('--log-key <file>', "the log's verifier key (certs/audit-log.ed25519.key.vkey)", nonEmpty)
    .option('--database-url <url>', 'the PostgreSQL database (env DATABASE_URL)')
    .option('--schema <schema>', 'its schema (env ORTOO_DATABASE_SCHEMA)')
    .option(
      '--data-dir <dir>',
      "the gateway's PGlite folder, when there is no database URL",
      'var/gateway/db',
    )
    .option(
      '--signing-cert <file>',
      "the audit-signing certificate the writers' chain checkpoints are signed with",
      'certs/audit-signing.pem',
    )
    .option(
      '--witness <file>',
      "a witness's stored checkpoint (repeat for several)",
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .action(
      async (
        options: {
          logKey: string;
          databaseUrl?: string;
          schema?: string;
          dataDir: string;
          signingCert: string;
          witness: string[];
        },
        command: Command,
      ) => {
        const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
        const { tlog, store: stores, verification, database, certificate } = load;
        const signer = certificate.parseCertificate(readText(options.signingCert, 'certificate'));
        const logKey = (() => {
          try {
            return tlog.parseVerifierKey(readText(options.logKey, 'log key'));
          } catch (error) {
            throw new CliError(`${options.logKey} is not a verifier key: ${(error as Error).message}`);
          }
        })();
        const witnessCheckpoints = options.witness.map((file) => ({
          witness: file,
          note: readText(file, 'checkpoint'),
        }));
        const url = options.databaseUrl ?? (io.env.DATABASE_URL || undefined);
        const schema = options.schema ?? (io.env.ORTOO_DATABASE_SCHEMA || undefined);
        const store = await stores.openStore({
          ...(url === undefined ? { dataDir: options.dataDir } : { databaseUrl: url }),
          ...(schema === undefined ? {} : { schema }),
        });
        const progress = progressOf(io, json);
        try {
          await database.migrateGatewayStore(store);
          const report = await verification.verifyWholeAuditLog(store, {
            signers: [signer],
            logKey,
            witnessCheckpoints,
            onProgress: progress.update,
          });
          progress.stop();
          if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          if (!report.ok) {
            throw new CliError(
              `The audit log does not verify: ${describeProblem(report.problem as VerificationProblem)}`,
            );
          }
          if (!json) {
            io.stdout.write(
              `ok: ${count(report.records, 'record')} in ${count(report.chains, 'chain')}, ` +
                `${count(report.leaves, 'leaf', 'leaves')} under ${count(report.treeHeads, 'signed head')}, ` +
                `${count(report.witnessed, 'witness checkpoint')} proven\n`,
            );
          }
        } finally {
          progress.stop();
          await store.close();
        }
      },
    );
}

/** A bar on a terminal, a line per 10 % otherwise, nothing with --json. */
function progressOf(io: CliIo, json: boolean): { update(done: number, total: number): void; stop(): void } {
  const stream = io.stderr as { isTTY?: boolean; write(text: string): unknown };
  if (json) return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY === true) {
    const bar = new SingleBar(
      {
        format: 'verifying [{bar}] {percentage}% | {value}/{total} leaves | {eta}s left',
        stream: stream as NodeJS.WritableStream,
      },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let shown = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > shown) {
        shown = tenth;
        stream.write(`verified ${done} of ${total} leaves\n`);
      }
    },
    stop: () => undefined,
  };
}
