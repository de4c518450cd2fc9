import type { Command } from 'commander';
import type { CliIo } from '../../cli-io';
import { addAccessCommands } from './access';
import { withAdminOptions } from './admin-context';
import { addCertificatesCommands } from './certificates';
import { addDeadLettersCommands } from './dead-letters';
import { addGlobalConfCommands } from './global-conf';
import { addGroupsCommands } from './groups';
import { addMembersCommands } from './members';
import { addRegistrationTokensCommands } from './registration-tokens';
import { addRegistrationsCommands } from './registrations';
import { addServersCommands } from './servers';
import { addServicesCommands } from './services';
import { addSubsystemsCommands } from './subsystems';
import { addTokensCommands } from './tokens';

/** `ortoo admin <area> <action>`: the gateway's admin API, one area per file. */
export function addAdminCommands(program: Command, io: CliIo): void {
  const admin = withAdminOptions(
    program.command('admin').description("Administer the registry through the gateway's admin API"),
  );
  addMembersCommands(admin, io);
  addSubsystemsCommands(admin, io);
  addServersCommands(admin, io);
  addServicesCommands(admin, io);
  addAccessCommands(admin, io);
  addGroupsCommands(admin, io);
  addRegistrationTokensCommands(admin, io);
  addRegistrationsCommands(admin, io);
  addCertificatesCommands(admin, io);
  addTokensCommands(admin, io);
  addGlobalConfCommands(admin, io);
  addDeadLettersCommands(admin, io);
}
