import {
  formatServiceId,
  formatSubsystemId,
  type ServiceEndpoint,
  type ServiceId,
  type SqlExecutor,
} from '../../../core/src';

/** How the gateway retries delivering a message to the service's provider. */
export interface RetryPolicy {
  /** Deliveries tried in all before the message is dead-lettered. */
  maxAttempts: number;
  /** Wait before the first retry; it doubles with every further one. */
  backoffMs: number;
}

/** What an administrator sets on a version of a service: everything but its identity. */
export interface ServiceSettings {
  title: string;
  /** JSON Schema (2020-12) of request payloads. */
  requestSchema: Record<string, unknown>;
  /** JSON Schema (2020-12) of response payloads. */
  responseSchema: Record<string, unknown>;
  /** SHA-256 (base64url) of the request schema's canonical JSON. */
  requestSchemaHash: string;
  /** SHA-256 (base64url) of the response schema's canonical JSON. */
  responseSchemaHash: string;
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  /**
   * Every method may be called again with the same message: the backend
   * takes `X-Road-Id` as an idempotency key. Without it a POST or PATCH is
   * never called twice (see the provider's delivery).
   */
  idempotent: boolean;
  /** JSON pointer (RFC 6901) to the data subject's id in a request payload. */
  dataSubjectPointer?: string;
  /**
   * Media types besides JSON the service takes as they are (e.g.
   * `application/pdf`): bytes the request schema does not describe. Any other
   * media type is refused (415). @defaultValue none
   */
  requestMediaTypes?: string[];
  /**
   * The OpenAPI document the service is described by, as JSON; its operations'
   * schemas then check requests and answers, and the two payload schemas are
   * the empty schema. @defaultValue none: a single-schema service
   */
  openapi?: Record<string, unknown>;
  /** SHA-256 (base64url) of the document's canonical JSON; present with `openapi`. */
  openapiHash?: string;
  /** The document's endpoints, in document order; present with `openapi`. */
  endpoints?: ServiceEndpoint[];
  enabled: boolean;
}

/** One version of a service, as the registry keeps it. */
export interface Service extends ServiceSettings {
  /** The service identifier, `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`. */
  id: string;
  version: string;
  /** The subsystem that provides it. */
  providerId: string;
  serviceCode: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ServiceRow {
  service_id: string;
  version: string;
  provider_id: string;
  service_code: string;
  title: string;
  request_schema: Record<string, unknown>;
  response_schema: Record<string, unknown>;
  request_schema_hash: string;
  response_schema_hash: string;
  timeout_ms: number;
  max_attempts: number;
  backoff_ms: number;
  idempotent: boolean;
  data_subject_pointer: string | null;
  request_media_types: string[];
  openapi_document: Record<string, unknown> | null;
  openapi_hash: string | null;
  endpoints: ServiceEndpoint[] | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `service_id, version, provider_id, service_code, title, request_schema, response_schema,
  request_schema_hash, response_schema_hash, timeout_ms, max_attempts, backoff_ms, data_subject_pointer,
  enabled, idempotent, request_media_types, openapi_document, openapi_hash, endpoints, created_at, updated_at`;

function toService(row: ServiceRow): Service {
  return {
    id: row.service_id,
    version: row.version,
    providerId: row.provider_id,
    serviceCode: row.service_code,
    title: row.title,
    requestSchema: row.request_schema,
    responseSchema: row.response_schema,
    requestSchemaHash: row.request_schema_hash,
    responseSchemaHash: row.response_schema_hash,
    timeoutMs: row.timeout_ms,
    retryPolicy: { maxAttempts: row.max_attempts, backoffMs: row.backoff_ms },
    idempotent: row.idempotent,
    ...(row.data_subject_pointer === null ? {} : { dataSubjectPointer: row.data_subject_pointer }),
    ...(row.request_media_types.length === 0 ? {} : { requestMediaTypes: row.request_media_types }),
    ...(row.openapi_document === null || row.openapi_hash === null || row.endpoints === null
      ? {}
      : { openapi: row.openapi_document, openapiHash: row.openapi_hash, endpoints: row.endpoints }),
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The settings as query parameters `$3`…`$17`, after the service id and version. */
function settingsParams(settings: ServiceSettings): unknown[] {
  return [
    settings.title,
    settings.requestSchema,
    settings.responseSchema,
    settings.requestSchemaHash,
    settings.responseSchemaHash,
    settings.timeoutMs,
    settings.retryPolicy.maxAttempts,
    settings.retryPolicy.backoffMs,
    settings.dataSubjectPointer ?? null,
    settings.enabled,
    settings.idempotent,
    JSON.stringify(settings.requestMediaTypes ?? []),
    settings.openapi === undefined ? null : JSON.stringify(settings.openapi),
    settings.openapiHash ?? null,
    settings.endpoints === undefined ? null : JSON.stringify(settings.endpoints),
  ];
}

/**
 * Adds a version of a service; undefined when that version already exists
 * (the caller decides whether that is a repeat or a conflict). The provider
 * subsystem must exist (a foreign key violation otherwise).
 */
export async function insertService(
  tx: SqlExecutor,
  id: ServiceId,
  version: string,
  settings: ServiceSettings,
): Promise<Service | undefined> {
  const [row] = await tx.query<ServiceRow>(
    `INSERT INTO services (service_id, version, provider_id, service_code, title, request_schema, response_schema,
       request_schema_hash, response_schema_hash, timeout_ms, max_attempts, backoff_ms, data_subject_pointer, enabled,
       idempotent, request_media_types, openapi_document, openapi_hash, endpoints)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb,
       $17::jsonb, $18, $19::jsonb)
     ON CONFLICT (service_id, version) DO NOTHING
     RETURNING ${COLUMNS}`,
    [formatServiceId(id), version, formatSubsystemId(id), id.serviceCode, ...settingsParams(settings)],
  );
  return row === undefined ? undefined : toService(row);
}

/**
 * One version of a service, if registered. With `forUpdate` (in a
 * transaction) the row stays locked until it ends.
 */
export async function findService(
  db: SqlExecutor,
  serviceId: string,
  version: string,
  options: { forUpdate?: boolean } = {},
): Promise<Service | undefined> {
  const [row] = await db.query<ServiceRow>(
    `SELECT ${COLUMNS} FROM services WHERE service_id = $1 AND version = $2${options.forUpdate === true ? ' FOR UPDATE' : ''}`,
    [serviceId, version],
  );
  return row === undefined ? undefined : toService(row);
}

/** Every version of a service, in the order they were published; empty when there is none. */
export async function listServiceVersions(db: SqlExecutor, serviceId: string): Promise<Service[]> {
  const rows = await db.query<ServiceRow>(
    `SELECT ${COLUMNS} FROM services WHERE service_id = $1 ORDER BY created_at, version`,
    [serviceId],
  );
  return rows.map(toService);
}

/** Where a page of services starts: after this (service, version). */
export interface ServiceKey {
  serviceId: string;
  version: string;
}

/**
 * A page of service versions ordered by service id and version, with
 * `limit + 1` rows to tell if there is more; `after` is the key of the last
 * one of the previous page.
 */
export async function listServices(
  db: SqlExecutor,
  filter: { providerId?: string },
  page: { after?: ServiceKey; limit: number },
): Promise<Service[]> {
  const rows = await db.query<ServiceRow>(
    `SELECT ${COLUMNS} FROM services
     WHERE ($1::text IS NULL OR provider_id = $1)
       AND ($2::text IS NULL OR (service_id, version) > ($2::text, $3::text))
     ORDER BY service_id, version LIMIT $4`,
    [filter.providerId ?? null, page.after?.serviceId ?? null, page.after?.version ?? null, page.limit + 1],
  );
  return rows.map(toService);
}

/** Replaces the settings of one version of a service; undefined when there is no such version. */
export async function updateService(
  tx: SqlExecutor,
  serviceId: string,
  version: string,
  settings: ServiceSettings,
): Promise<Service | undefined> {
  const [row] = await tx.query<ServiceRow>(
    `UPDATE services SET title = $3, request_schema = $4::jsonb, response_schema = $5::jsonb,
       request_schema_hash = $6, response_schema_hash = $7, timeout_ms = $8, max_attempts = $9, backoff_ms = $10,
       data_subject_pointer = $11, enabled = $12, idempotent = $13, request_media_types = $14::jsonb,
       openapi_document = $15::jsonb, openapi_hash = $16, endpoints = $17::jsonb, updated_at = now()
     WHERE service_id = $1 AND version = $2
     RETURNING ${COLUMNS}`,
    [serviceId, version, ...settingsParams(settings)],
  );
  return row === undefined ? undefined : toService(row);
}

/**
 * The versions of a service, locked until the transaction ends: while a
 * version is being deleted, no access right to the service can be added
 * (see {@link lockServiceForShare}) and no other version deleted.
 */
export async function lockServiceVersions(tx: SqlExecutor, serviceId: string): Promise<string[]> {
  const rows = await tx.query<{ version: string }>(
    'SELECT version FROM services WHERE service_id = $1 ORDER BY version FOR UPDATE',
    [serviceId],
  );
  return rows.map((row) => row.version);
}

/**
 * True when any version of the service is registered, which then cannot be
 * deleted before the transaction ends.
 */
export async function lockServiceForShare(tx: SqlExecutor, serviceId: string): Promise<boolean> {
  const rows = await tx.query('SELECT version FROM services WHERE service_id = $1 FOR SHARE', [serviceId]);
  return rows.length > 0;
}

/** Deletes one version of a service; false when there was no such version. */
export async function deleteService(tx: SqlExecutor, serviceId: string, version: string): Promise<boolean> {
  const rows = await tx.query(
    'DELETE FROM services WHERE service_id = $1 AND version = $2 RETURNING version',
    [serviceId, version],
  );
  return rows.length > 0;
}
