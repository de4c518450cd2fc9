import type { Command } from 'commander';
import { AdminClient, DEFAULT_GATEWAY_URL, type ApiResponse } from '../../admin-client';
import type { CliIo } from '../../cli-io';
import { Output } from '../../output';

/** The options of `ortoo admin` that every admin command inherits. */
export interface AdminGlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** What an admin command works with: the API client and the printer. */
export interface AdminContext {
  readonly client: AdminClient;
  readonly out: Output;
}

/** Adds the options every admin command shares to `ortoo admin`. */
export function withAdminOptions(admin: Command): Command {
  return admin
    .option(
      '--url <url>',
      `base URL of the gateway's admin API (env ORTOO_URL; default ${DEFAULT_GATEWAY_URL})`,
    )
    .option('--token <token>', 'API token ortoo_… (env ORTOO_TOKEN, which keeps it out of the process list)')
    .option('--json', 'print the JSON the API answered instead of tables, for scripts');
}

/** The client and printer for `command`, from its options, falling back on ORTOO_URL / ORTOO_TOKEN. */
export function adminContext(command: Command, io: CliIo): AdminContext {
  const options = command.optsWithGlobals<AdminGlobalOptions>();
  const token = options.token ?? (io.env.ORTOO_TOKEN || undefined);
  const client = new AdminClient({
    url: options.url ?? (io.env.ORTOO_URL || undefined),
    token,
    fetch: io.fetch,
  });
  return { client, out: new Output(io.stdout, options.json === true) };
}

/**
 * Reports an idempotent create: 201 made it, 200 found the very same object
 * already there (the API answers 409 when a different one is).
 */
export function reportCreated(out: Output, response: ApiResponse<unknown>, what: string): void {
  out.changed(
    response.status === 201 ? `Created ${what}.` : `${capitalise(what)} already exists, unchanged.`,
    response.body,
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
