import { Command, CommanderError } from 'commander';
// Not the core's index, which loads database drivers: `ortoo --help` should be instant.
import { isOrtooError } from '../../core/src/errors';
import { version } from '../../package.json';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { addAdminCommands } from './commands/admin';
import { addAuditCommands } from './commands/audit';
import { addGatewayCommands } from './commands/gateway';
import { addSsCommands } from './commands/ss';

/** Exit codes: 0 done, 1 failed (an API error, an unreachable gateway), 2 used wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The `ortoo` program. It never exits the process itself: errors come out of
 * `parseAsync` (commander's as `CommanderError`), and {@link runCli} turns
 * them into a message and an exit code, so tests can run it in-process.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('ortoo')
    .description('Örtöö: administer and run a government data exchange in the model of X-Road')
    .version(version, '-V, --version', 'print the version of ortoo')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    // `ortoo`'s own options (--version) only before the command, so that
    // `services get --version v1` reaches the service command.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      [
        '',
        'Environment:',
        '  ORTOO_URL             API of the gateway (ortoo admin, ortoo audit)',
        "  ORTOO_TOKEN           API token (ortoo admin; an auditor's for ortoo audit)",
        "  ORTOO_GATEWAY_CONFIG  the gateway's JSON configuration file (ortoo gateway)",
        '  ORTOO_DEBUG           set to show where an unexpected error came from',
      ].join('\n'),
    );

  addAdminCommands(program, io);
  addAuditCommands(program, io);
  addGatewayCommands(program, io);
  addSsCommands(program, io);
  // Subcommands take their parents' options anywhere on the line (`admin members list --json`).
  for (const command of program.commands) command.enablePositionalOptions(false);
  return program;
}

/** Runs `ortoo` with `args` (without `node` and the script) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander has already written its message (or the help) to stderr.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.stderr.write(`${describe(error, io.env)}\n`);
    return EXIT.failed;
  }
}

/** One clear message for a failure; the stack only when ORTOO_DEBUG is set. */
function describe(error: unknown, env: NodeJS.ProcessEnv): string {
  const debug = env.ORTOO_DEBUG !== undefined && env.ORTOO_DEBUG !== '' && error instanceof Error;
  let message: string;
  if (error instanceof CliError) message = `error: ${error.message}`;
  else if (isOrtooError(error)) message = `error: ${error.type}: ${error.message}`;
  else
    message = `error: ${error instanceof Error ? error.message : String(error)} (ORTOO_DEBUG=1 shows where)`;
  return debug ? `${message}\n${(error as Error).stack ?? ''}` : message;
}

/** `ortoo` from a terminal: process streams and environment, the exit code on the process. */
export async function run(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}
