import type { Command } from 'commander';
import type { Service } from '../../api-types';
import type { CliIo } from '../../cli-io';
import { readJsonFile, readTextFile } from '../../json-file';
import { CliError } from '../../cli-error';
import type { Column, Output } from '../../output';
import {
  nonEmpty,
  nonNegativeInteger,
  positiveInteger,
  serviceId,
  subsystemId,
  withPaging,
  type PagingOptions,
} from '../../options';
import { servicePath } from '../../resource-paths';
import { adminContext } from './admin-context';

const COLUMNS: readonly Column<Service>[] = [
  { header: 'ID', value: (service) => service.id },
  { header: 'VERSION', value: (service) => service.version },
  { header: 'TITLE', value: (service) => service.title },
  { header: 'ENABLED', value: (service) => (service.enabled ? 'yes' : 'no') },
  { header: 'TIMEOUT MS', value: (service) => service.timeoutMs },
  { header: 'ATTEMPTS', value: (service) => service.retryPolicy.maxAttempts },
];

/** The schemas and the OpenAPI document are long; the table shows their hashes, `--json` them. */
const SCHEMA_FIELDS = ['requestSchema', 'responseSchema', 'openapi', 'endpoints'];

/** Options of `services create` and `services update` that set a field of the service. */
interface ServiceFieldOptions {
  title?: string;
  requestSchema?: string;
  responseSchema?: string;
  /** An OpenAPI 3.0 or 3.1 document, JSON or YAML, sent as its text for the gateway to read. */
  openapi?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  backoffMs?: number;
  /** `--idempotent` / `--no-idempotent`. */
  idempotent?: boolean;
  /** False from `--no-data-subject-pointer` (update): remove the pointer. */
  dataSubjectPointer?: string | false;
  /** `--request-media-type`, repeatable: media types besides JSON the service takes. */
  requestMediaType?: string[];
}

/** The options both `create` and `update` take; `required` makes the title a new service needs mandatory. */
function withServiceFields(command: Command, required: boolean): Command {
  const option = required ? command.requiredOption.bind(command) : command.option.bind(command);
  option('--title <title>', 'human-readable title', nonEmpty);
  return command
    .option('--request-schema <file>', 'JSON Schema file every request payload must satisfy')
    .option('--response-schema <file>', 'JSON Schema file every answer payload must satisfy')
    .option(
      '--openapi <file>',
      "OpenAPI 3.0 or 3.1 document (JSON or YAML) describing the service's endpoints, instead of the two schemas",
    )
    .option('--timeout-ms <ms>', 'how long a consumer waits for the answer (default 30000)', positiveInteger)
    .option(
      '--max-attempts <n>',
      'delivery attempts before a message is dead-lettered (default 5)',
      positiveInteger,
    )
    .option(
      '--backoff-ms <ms>',
      'first delay between attempts, growing exponentially after (default 1000)',
      nonNegativeInteger,
    )
    .option(
      '--idempotent',
      'every method may be called again with the same message (the backend takes X-Road-Id as an idempotency key)',
    )
    .option('--no-idempotent', 'a POST or PATCH is never called twice (the default)')
    .option(
      '--data-subject-pointer <pointer>',
      "where the data subject's id is: a JSON pointer into the request payload (/registerNumber), or path:NAME or query:NAME for a parameter",
    )
    .option(
      '--request-media-type <type>',
      'a media type besides JSON the service takes as bytes, e.g. application/pdf (repeatable; others get 415)',
      (value: string, previous: string[] = []) => [...previous, value],
    );
}

/** The body fields the options give, with the schema files read. */
function serviceFields(options: ServiceFieldOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.title !== undefined) body.title = options.title;
  if (options.requestSchema !== undefined) {
    body.requestSchema = readJsonFile(options.requestSchema, '--request-schema');
  }
  if (options.responseSchema !== undefined) {
    body.responseSchema = readJsonFile(options.responseSchema, '--response-schema');
  }
  if (options.openapi !== undefined) body.openapi = readTextFile(options.openapi, '--openapi');
  if (options.timeoutMs !== undefined) body.timeoutMs = options.timeoutMs;
  if (options.maxAttempts !== undefined || options.backoffMs !== undefined) {
    body.retryPolicy = { maxAttempts: options.maxAttempts, backoffMs: options.backoffMs };
  }
  if (options.idempotent !== undefined) body.idempotent = options.idempotent;
  if (options.dataSubjectPointer !== undefined) {
    body.dataSubjectPointer = options.dataSubjectPointer === false ? null : options.dataSubjectPointer;
  }
  if (options.requestMediaType !== undefined) body.requestMediaTypes = options.requestMediaType;
  return body;
}

function printService(out: Output, service: Service): void {
  out.record(service, { omit: SCHEMA_FIELDS });
  out.note('(request and response schemas: add --json)');
}

/** `ortoo admin services …`: the services providers offer, one entry per version. */
export function addServicesCommands(admin: Command, io: CliIo): void {
  const services = admin
    .command('services')
    .description(
      'Services (INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE), each version with its schemas and delivery policy',
    );

  withPaging(
    services
      .command('list')
      .description('List services, every version')
      .option(
        '--provider <id>',
        'only those of this provider subsystem INSTANCE/CLASS/CODE/SUBSYSTEM',
        subsystemId,
      ),
  ).action(async (options: PagingOptions & { provider?: string }, command: Command) => {
    const { client, out } = adminContext(command, io);
    const page = await client.list<Service>('/v1/services', { provider: options.provider }, options);
    out.list(page, COLUMNS, 'services');
  });

  services
    .command('get')
    .description('Show one version of a service, or list all its versions')
    .argument('<id>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
    .option('--version <version>', 'the version to show (default: list every version)')
    .action(async (id: string, options: { version?: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      if (options.version === undefined) {
        out.list(await client.get<{ items: Service[] }>(servicePath(id)), COLUMNS, 'versions');
      } else {
        printService(out, await client.get<Service>(servicePath(id, options.version)));
      }
    });

  withServiceFields(
    services
      .command('create')
      .description("Register a version of a provider subsystem's service")
      .argument('<id>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
      .requiredOption('--version <version>', 'version of the service, e.g. v1', nonEmpty),
    true,
  )
    .option('--disabled', 'register it switched off: calls are refused until it is enabled')
    .action(
      async (
        id: string,
        options: ServiceFieldOptions & { version: string; disabled?: boolean },
        command: Command,
      ) => {
        const schemas = [options.requestSchema, options.responseSchema].filter((file) => file !== undefined);
        if (options.openapi === undefined ? schemas.length < 2 : schemas.length > 0) {
          throw new CliError('Give either --openapi, or both --request-schema and --response-schema');
        }
        const body = { id, version: options.version, ...serviceFields(options) };
        if (options.disabled === true) Object.assign(body, { enabled: false });
        const { client, out } = adminContext(command, io);
        const response = await client.post<Service>('/v1/services', body);
        out.note(
          response.status === 201
            ? `Created service ${id} ${options.version}.`
            : `Service ${id} ${options.version} already exists, unchanged.`,
        );
        printService(out, response.body);
      },
    );

  withServiceFields(
    services
      .command('update')
      .description('Change a version of a service: give only what changes')
      .argument('<id>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
      .requiredOption('--version <version>', 'the version to change'),
    false,
  )
    .option('--no-data-subject-pointer', 'remove the data subject pointer')
    .option('--enable', 'accept calls to it again')
    .option('--disable', 'refuse calls to it (Client.ServiceDisabled)')
    .action(
      async (
        id: string,
        options: ServiceFieldOptions & { version: string; enable?: boolean; disable?: boolean },
        command: Command,
      ) => {
        if (options.enable === true && options.disable === true)
          command.error('error: give --enable or --disable, not both', { exitCode: 2 });
        const body = serviceFields(options);
        if (options.enable === true) body.enabled = true;
        if (options.disable === true) body.enabled = false;
        if (Object.keys(body).length === 0) {
          command.error('error: nothing to change: give at least one option (see --help)', { exitCode: 2 });
        }
        const { client, out } = adminContext(command, io);
        const service = await client.patch<Service>(servicePath(id, options.version), body);
        out.note(`Updated service ${id} ${options.version}.`);
        printService(out, service);
      },
    );

  services
    .command('delete')
    .description('Delete a version of a service that no access right refers to')
    .argument('<id>', 'service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE', serviceId)
    .requiredOption('--version <version>', 'the version to delete')
    .action(async (id: string, options: { version: string }, command: Command) => {
      const { client, out } = adminContext(command, io);
      await client.delete(servicePath(id, options.version));
      out.note(`Deleted service ${id} ${options.version}.`);
    });
}
