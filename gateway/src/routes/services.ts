import { Router, type Request } from 'express';
import {
  OrtooError,
  formatServiceId,
  formatSubsystemId,
  parseServiceId,
  parseSubsystemId,
  sqlStateOf,
  type ServiceId,
  mediaTypeEssence,
  canonicalJson,
  sha256,
  templateNames,
} from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import { countAccessRights } from '../registry/access-right-repository';
import {
  deleteService,
  findService,
  insertService,
  listServiceVersions,
  listServices,
  lockServiceVersions,
  updateService,
  type RetryPolicy,
  type ServiceKey,
  type ServiceSettings,
} from '../registry/service-repository';
import { checkOpenApiDocument, type CheckedOpenApi } from '../registry/openapi-check';
import { checkServiceSchema } from '../registry/service-schemas';
import { requireActiveSubsystem } from '../registry/subsystem-standing';
import { recordAdminChange } from './admin-change';
import { pageRequest, toPage } from './pagination';

/** @defaultValue how long the gateway waits for a provider unless the service says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** @defaultValue how delivery is retried unless the service says otherwise. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxAttempts: 5, backoffMs: 1000 };

const SERVICE_PATH = '/v1/services/:instance/:memberClass/:memberCode/:subsystemCode/:serviceCode';
const VERSION_PATH = `${SERVICE_PATH}/versions/:version`;
/** As in `service-create.schema.json`: no dots-only version, which URL normalisation would rewrite. */
const VERSION = /^(?!\.+$)[A-Za-z0-9._-]{1,32}$/;

type JsonSchema = Record<string, unknown>;

/** Body of `POST /v1/services`, as `service-create.schema.json` lets it through. */
interface ServiceCreateBody {
  id: string;
  version: string;
  title: string;
  /** With `responseSchema`, unless `openapi` describes the service. */
  requestSchema?: JsonSchema;
  responseSchema?: JsonSchema;
  /** OpenAPI 3.0 or 3.1: the document's text (JSON or YAML) or its JSON value. */
  openapi?: string | JsonSchema;
  timeoutMs?: number;
  retryPolicy?: Partial<RetryPolicy>;
  idempotent?: boolean;
  dataSubjectPointer?: string;
  requestMediaTypes?: string[];
  enabled?: boolean;
}

/** Body of `PATCH …/versions/:version`, as `service-update.schema.json` lets it through. */
interface ServiceUpdateBody {
  title?: string;
  requestSchema?: JsonSchema;
  responseSchema?: JsonSchema;
  openapi?: string | JsonSchema;
  timeoutMs?: number;
  retryPolicy?: Partial<RetryPolicy>;
  idempotent?: boolean;
  /** null removes the pointer. */
  dataSubjectPointer?: string | null;
  requestMediaTypes?: string[];
  enabled?: boolean;
}

/** The service named by the path. @throws OrtooError `InvalidIdentifier` */
function serviceIdOf(req: Request): ServiceId {
  const { instance, memberClass, memberCode, subsystemCode, serviceCode } = req.params as Record<
    string,
    string
  >;
  return parseServiceId([instance, memberClass, memberCode, subsystemCode, serviceCode].join('/'));
}

/** The version named by the path. @throws OrtooError `BadRequest` */
function versionOf(req: Request): string {
  const { version } = req.params as Record<string, string | undefined>;
  if (version === undefined || !VERSION.test(version)) {
    throw new OrtooError('BadRequest', 'A service version is 1-32 of A-Z a-z 0-9 . _ - and not only dots');
  }
  return version;
}

/** Cursors of the service list are `serviceId version`: neither can hold a space. */
function serviceKeyOf(cursor: string): ServiceKey {
  const [serviceId, version, ...rest] = cursor.split(' ');
  if (serviceId === undefined || version === undefined || rest.length > 0) {
    throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
  }
  return { serviceId, version };
}

function noSuchVersion(serviceId: string, version: string): OrtooError {
  return new OrtooError('NotFound', `No version ${version} of service ${serviceId} is registered`, {
    detail: { id: serviceId, version },
  });
}

/** Declared media types as the registry keeps them: essence only, lower case, once each; absent when none. */
function mediaTypesOf(types: readonly string[] | undefined): { requestMediaTypes?: string[] } {
  const essences = [...new Set((types ?? []).map(mediaTypeEssence))].sort();
  return essences.length === 0 ? {} : { requestMediaTypes: essences };
}

/** The payload schemas of a service its OpenAPI document describes: the operations' schemas check instead. */
const ANY_SCHEMA: JsonSchema = {};
const ANY_SCHEMA_HASH = sha256(canonicalJson(ANY_SCHEMA));

/** The settings that describe a service by its OpenAPI document. */
function openApiSettings(checked: CheckedOpenApi): PayloadSettings {
  return {
    requestSchema: ANY_SCHEMA,
    responseSchema: ANY_SCHEMA,
    requestSchemaHash: ANY_SCHEMA_HASH,
    responseSchemaHash: ANY_SCHEMA_HASH,
    openapi: checked.document,
    openapiHash: checked.hash,
    endpoints: checked.endpoints,
  };
}

/** The payload settings of a new version: its two schemas checked and hashed, or its OpenAPI document checked. */
type PayloadSettings = Pick<
  ServiceSettings,
  | 'requestSchema'
  | 'responseSchema'
  | 'requestSchemaHash'
  | 'responseSchemaHash'
  | 'openapi'
  | 'openapiHash'
  | 'endpoints'
>;

/**
 * A body gives a service either its two payload schemas or its OpenAPI document.
 *
 * @throws OrtooError `BadRequest` naming the fields given
 */
function checkPayloadFields(body: ServiceUpdateBody, create: boolean): void {
  const schemas = [body.requestSchema, body.responseSchema].filter((schema) => schema !== undefined).length;
  const wrong = body.openapi === undefined ? create && schemas < 2 : schemas > 0;
  if (wrong) {
    throw new OrtooError('BadRequest', 'A service has either requestSchema and responseSchema, or openapi', {
      detail: { fields: ['requestSchema', 'responseSchema', 'openapi'].filter((field) => field in body) },
    });
  }
}

async function payloadSettingsOf(body: ServiceCreateBody): Promise<PayloadSettings> {
  checkPayloadFields(body, true);
  if (body.openapi !== undefined) return openApiSettings(await checkOpenApiDocument(body.openapi));
  const requestSchema = body.requestSchema as JsonSchema;
  const responseSchema = body.responseSchema as JsonSchema;
  return {
    requestSchema,
    responseSchema,
    requestSchemaHash: checkServiceSchema('requestSchema', requestSchema),
    responseSchemaHash: checkServiceSchema('responseSchema', responseSchema),
  };
}

/**
 * A `path:NAME` data-subject pointer must name a path parameter of one of
 * the service's endpoints: otherwise no request would ever be tracked.
 *
 * @throws OrtooError `BadRequest`
 */
function checkSubjectPointer(
  pointer: string | undefined,
  endpoints: readonly { path: string }[] | undefined,
): void {
  if (pointer === undefined || !pointer.startsWith('path:')) return;
  const name = pointer.slice('path:'.length);
  if (!(endpoints ?? []).some((endpoint) => templateNames(endpoint.path).includes(name))) {
    throw new OrtooError(
      'BadRequest',
      `dataSubjectPointer ${pointer} names no path parameter of the service's endpoints`,
      {
        detail: { dataSubjectPointer: pointer },
      },
    );
  }
}

/** The settings of a new version: defaults filled in, schemas checked and hashed. */
async function settingsOf(body: ServiceCreateBody): Promise<ServiceSettings> {
  const payload = await payloadSettingsOf(body);
  checkSubjectPointer(body.dataSubjectPointer, payload.endpoints);
  return {
    title: body.title,
    ...payload,
    timeoutMs: body.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...body.retryPolicy },
    idempotent: body.idempotent ?? false,
    ...(body.dataSubjectPointer === undefined ? {} : { dataSubjectPointer: body.dataSubjectPointer }),
    ...mediaTypesOf(body.requestMediaTypes),
    enabled: body.enabled ?? true,
  };
}

/** Names of the settings in which `a` and `b` differ; schemas are compared by hash. */
function differences(a: ServiceSettings, b: ServiceSettings): string[] {
  const fields: [string, unknown, unknown][] = [
    ['title', a.title, b.title],
    ['requestSchema', a.requestSchemaHash, b.requestSchemaHash],
    ['responseSchema', a.responseSchemaHash, b.responseSchemaHash],
    ['timeoutMs', a.timeoutMs, b.timeoutMs],
    ['retryPolicy.maxAttempts', a.retryPolicy.maxAttempts, b.retryPolicy.maxAttempts],
    ['retryPolicy.backoffMs', a.retryPolicy.backoffMs, b.retryPolicy.backoffMs],
    ['idempotent', a.idempotent, b.idempotent],
    ['dataSubjectPointer', a.dataSubjectPointer, b.dataSubjectPointer],
    ['requestMediaTypes', (a.requestMediaTypes ?? []).join(), (b.requestMediaTypes ?? []).join()],
    ['openapi', a.openapiHash, b.openapiHash],
    ['enabled', a.enabled, b.enabled],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([name]) => name);
}

/**
 * Services and their versions: `/v1/services`. A version's payload schemas
 * are checked to compile when they are set, so the exchange never meets a
 * schema it cannot use; deleting the last version of a service that clients
 * still have rights to is refused.
 */
export const servicesRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v1/services', guards.read, async (req, res) => {
    const page = pageRequest(req);
    const { provider } = req.query;
    const providerId = provider === undefined ? undefined : formatSubsystemId(parseSubsystemId(provider));
    const after = page.after === undefined ? undefined : serviceKeyOf(page.after);
    const rows = await listServices(deps.store, { providerId }, { after, limit: page.limit });
    res.json(toPage(rows, page, (service) => `${service.id} ${service.version}`));
  });

  router.post(
    '/v1/services',
    guards.write,
    validateBody(deps.schemas, 'service-create'),
    async (req, res) => {
      const body = req.body as ServiceCreateBody;
      const id = parseServiceId(body.id);
      const serviceId = formatServiceId(id);
      // Compiled before the transaction: a large schema takes a while, and no lock need wait for it.
      const settings = await settingsOf(body);
      const { service, created } = await deps.audit.transaction(async (tx) => {
        await requireActiveSubsystem(tx, formatSubsystemId(id), 'provider');
        const inserted = await insertService(tx, id, body.version, settings).catch((error: unknown) => {
          // The provider was checked above under a share lock; this only guards against a change of that rule.
          if (sqlStateOf(error) === '23503') {
            throw new OrtooError('NotFound', `No subsystem ${formatSubsystemId(id)} is registered`, {
              cause: error,
            });
          }
          throw error;
        });
        if (inserted !== undefined) {
          await recordAdminChange(tx, res, {
            action: 'services.create',
            id: serviceId,
            service: serviceId,
            version: body.version,
          });
          return { service: inserted, created: true };
        }
        const existing = await findService(tx, serviceId, body.version);
        const differing = existing === undefined ? [] : differences(existing, settings);
        if (existing === undefined || differing.length > 0) {
          throw new OrtooError(
            'Conflict',
            `Version ${body.version} of service ${serviceId} is already registered with other settings`,
            { detail: { id: serviceId, version: body.version, differing } },
          );
        }
        return { service: existing, created: false };
      });
      res.status(created ? 201 : 200).json(service);
    },
  );

  router.get(SERVICE_PATH, guards.read, async (req, res) => {
    const serviceId = formatServiceId(serviceIdOf(req));
    const items = await listServiceVersions(deps.store, serviceId);
    if (items.length === 0) {
      throw new OrtooError('NotFound', `No service ${serviceId} is registered`, {
        detail: { id: serviceId },
      });
    }
    res.json({ items });
  });

  router.get(VERSION_PATH, guards.read, async (req, res) => {
    const serviceId = formatServiceId(serviceIdOf(req));
    const version = versionOf(req);
    const service = await findService(deps.store, serviceId, version);
    if (service === undefined) throw noSuchVersion(serviceId, version);
    res.json(service);
  });

  router.patch(VERSION_PATH, guards.write, validateBody(deps.schemas, 'service-update'), async (req, res) => {
    const serviceId = formatServiceId(serviceIdOf(req));
    const version = versionOf(req);
    const body = req.body as ServiceUpdateBody;
    checkPayloadFields(body, false);
    const openapi =
      body.openapi === undefined ? undefined : openApiSettings(await checkOpenApiDocument(body.openapi));
    const requestSchemaHash =
      body.requestSchema === undefined ? undefined : checkServiceSchema('requestSchema', body.requestSchema);
    const responseSchemaHash =
      body.responseSchema === undefined
        ? undefined
        : checkServiceSchema('responseSchema', body.responseSchema);
    const service = await deps.audit.transaction(async (tx) => {
      const current = await findService(tx, serviceId, version, { forUpdate: true });
      if (current === undefined) throw noSuchVersion(serviceId, version);
      if (
        current.openapi !== undefined &&
        (body.requestSchema !== undefined || body.responseSchema !== undefined)
      ) {
        throw new OrtooError(
          'BadRequest',
          `Version ${version} of ${serviceId} is described by its OpenAPI document: send a new openapi, not payload schemas`,
          { detail: { id: serviceId, version } },
        );
      }
      const pointer =
        body.dataSubjectPointer === undefined
          ? current.dataSubjectPointer
          : (body.dataSubjectPointer ?? undefined);
      const payload: PayloadSettings = openapi ?? {
        requestSchema: body.requestSchema ?? current.requestSchema,
        responseSchema: body.responseSchema ?? current.responseSchema,
        requestSchemaHash: requestSchemaHash ?? current.requestSchemaHash,
        responseSchemaHash: responseSchemaHash ?? current.responseSchemaHash,
        ...(current.openapi === undefined
          ? {}
          : { openapi: current.openapi, openapiHash: current.openapiHash, endpoints: current.endpoints }),
      };
      const settings: ServiceSettings = {
        title: body.title ?? current.title,
        ...payload,
        timeoutMs: body.timeoutMs ?? current.timeoutMs,
        retryPolicy: { ...current.retryPolicy, ...body.retryPolicy },
        idempotent: body.idempotent ?? current.idempotent,
        ...(pointer === undefined ? {} : { dataSubjectPointer: pointer }),
        ...mediaTypesOf(body.requestMediaTypes ?? current.requestMediaTypes),
        enabled: body.enabled ?? current.enabled,
      };
      checkSubjectPointer(settings.dataSubjectPointer, settings.endpoints);
      const updated = await updateService(tx, serviceId, version, settings);
      if (updated === undefined) throw noSuchVersion(serviceId, version);
      await recordAdminChange(tx, res, {
        action: 'services.update',
        service: serviceId,
        id: serviceId,
        version,
        changed: differences(current, settings),
      });
      return updated;
    });
    res.json(service);
  });

  router.delete(VERSION_PATH, guards.write, async (req, res) => {
    const serviceId = formatServiceId(serviceIdOf(req));
    const version = versionOf(req);
    await deps.audit.transaction(async (tx) => {
      // Every version locked: two deletes of the last two versions cannot both see the other one left.
      const versions = await lockServiceVersions(tx, serviceId);
      if (!versions.includes(version)) throw noSuchVersion(serviceId, version);
      if (versions.length === 1) {
        const rights = await countAccessRights(tx, serviceId);
        if (rights > 0) {
          throw new OrtooError(
            'Conflict',
            `Version ${version} is the last of service ${serviceId}, which ${rights} access right(s) refer to; remove them first`,
            { detail: { id: serviceId, version, accessRights: rights } },
          );
        }
      }
      await deleteService(tx, serviceId, version);
      await recordAdminChange(tx, res, {
        action: 'services.delete',
        id: serviceId,
        service: serviceId,
        version,
      });
    });
    res.status(204).end();
  });

  return router;
};
