/**
 * `npm run demo:tour`: a realistic day of traffic through the running demo
 * network (`npm start` in another terminal), then the auditor's verdict.
 *
 * The morning's lookups (the e-services portal calls all three services,
 * the tax authority and the social insurance office the civil registry;
 * officers' ids and case numbers in `X-Road-UserId` and `X-Road-Issue`; some
 * async), a schema violation, a denied call and an unknown citizen; at noon
 * the civil registry's backend goes down while async lookups queue, and they
 * are delivered once it is back; the afternoon's lookups; then the auditor
 * searches the audit log for one citizen and has the log verified.
 *
 * Progress goes to stderr (a bar in a terminal, lines elsewhere), the
 * summary to stdout. Exit code 0 when every call came to what was expected
 * and the audit log verified, 1 otherwise (the mismatches listed), 2 for
 * bad arguments.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NetworkFileError, readNetworkFile } from './network-file';
import {
  DEFAULT_CALLS,
  MAX_CALLS,
  TourSetupError,
  createProgress,
  exitCodeOf,
  formatSummary,
  planDay,
  runTour,
} from './tour/index';

/** The day's default seed: the same day on every machine unless `--seed` says otherwise. */
const DEFAULT_SEED = 1206;
const DEFAULT_DEADLINE_SECONDS = 120;

const USAGE = `Usage: npm run demo:tour -- [--network FILE] [--seed N] [--calls N] [--deadline SECONDS]

A day of traffic through the running demo network (start it with npm start),
then the auditor's search and the audit log's verification.

  --network FILE      the network's description (default: var/demo/network.json,
                      or $ORTOO_DEMO_DIR/network.json)
  --seed N            the day's choices (default ${DEFAULT_SEED}: the same day every time)
  --calls N           calls in all (default ${DEFAULT_CALLS}, at most ${MAX_CALLS})
  --deadline SECONDS  the whole tour's time limit (default ${DEFAULT_DEADLINE_SECONDS})

Exit code: 0 when every expectation held, 1 otherwise, 2 for bad arguments.`;

class UsageError extends Error {}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d{1,15}$/.test(text)) throw new UsageError(`--${name} must be an integer, not ${text}`);
  return Number(text);
}

/** A new id for each run: message ids must never repeat. */
function newRunId(): string {
  return `tour-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        network: { type: 'string' },
        seed: { type: 'string' },
        calls: { type: 'string' },
        deadline: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = integer('seed', values.seed, DEFAULT_SEED);
  const calls = integer('calls', values.calls, DEFAULT_CALLS);
  const deadlineSeconds = integer('deadline', values.deadline, DEFAULT_DEADLINE_SECONDS);
  if (deadlineSeconds < 10 || deadlineSeconds > 3600) {
    throw new UsageError('--deadline must be from 10 to 3600 seconds');
  }
  let plan;
  try {
    plan = planDay({ seed, runId: newRunId(), calls });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const network = readNetworkFile(values.network);
  const progress = createProgress(process.stderr);
  progress.note(
    `Örtöö tour: a day of ${plan.calls.length} calls through the demo network started ${network.startedAt} ` +
      `(seed ${plan.seed}, message ids ${plan.runId}-NNN)`,
  );
  const report = await runTour(network, plan, { deadlineMs: deadlineSeconds * 1000, progress });
  process.stdout.write(`\n${formatSummary(report)}\n`);
  return exitCodeOf(report);
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n\n${USAGE}\n`);
        process.exitCode = 2;
      } else if (error instanceof NetworkFileError || error instanceof TourSetupError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      } else {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stderr.write(`The tour failed: ${text}\n`);
        process.exitCode = 1;
      }
    },
  )
  .finally(() => {
    // Idle keep-alive sockets may linger: they must not hold the verdict back.
    setTimeout(() => process.exit(), 2000).unref();
  });
