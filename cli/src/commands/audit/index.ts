import type { Command } from 'commander';
import { DEFAULT_GATEWAY_URL } from '../../admin-client';
import type { CliIo } from '../../cli-io';
import { addBundleCommands } from './bundle';
import { addRecordCommands } from './records';
import { addTreeCommands } from './tlog';
import { addUsageCommands } from './usage';
import { addVerifyCommands } from './verify';

/** `ortoo audit <action>`: the auditor's view of the gateway's tamper-evident log. */
export function addAuditCommands(program: Command, io: CliIo): void {
  const audit = program
    .command('audit')
    .description(
      "Search, verify and export the gateway's tamper-evident audit log (auditor API; verify-bundle works offline)",
    )
    .option('--url <url>', `base URL of the gateway (env ORTOO_URL; default ${DEFAULT_GATEWAY_URL})`)
    .option(
      '--token <token>',
      "an auditor's API token ortoo_… (env ORTOO_TOKEN, which keeps it out of the process list)",
    )
    .option('--json', 'print the JSON the API answered instead of tables, for scripts');
  addRecordCommands(audit, io);
  addVerifyCommands(audit, io);
  addTreeCommands(audit, io);
  addBundleCommands(audit, io);
  addUsageCommands(audit, io);
}
