import request from 'supertest';
import { canonicalJson, sha256, type SqlStore } from '../../../core/src';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';
import { STORE_ENGINES } from '../../helpers/store-engines';

const PROVIDER = 'MN/GOV/9011311/civil-registry';
const REVOKED_PROVIDER = 'MN/GOV/7000001/archive';
const CLIENT = 'MN/GOV/9011322/e-services';

const personRequest = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['registerNumber'],
  properties: { registerNumber: { type: 'string', pattern: '^[А-ЯӨҮ]{2}[0-9]{8}$' } },
  additionalProperties: false,
};
const personResponse = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, born: { type: 'string', format: 'date' } },
};

/** Members, subsystems and a revoked member written straight to the tables: their routes are not under test. */
async function seedRegistry(store: SqlStore): Promise<void> {
  await insertMembers(store, [
    { id: 'MN/GOV/9011311' },
    { id: 'MN/GOV/9011322' },
    { id: 'MN/GOV/7000001', status: 'revoked' },
  ]);
  await insertSubsystems(store, [PROVIDER, REVOKED_PROVIDER, CLIENT]);
}

/** A valid create body for `PROVIDER/<code>`. */
function serviceBody(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `${PROVIDER}/${code}`,
    version: 'v1',
    title: 'Иргэний бүртгэл: person',
    requestSchema: personRequest,
    responseSchema: personResponse,
    ...overrides,
  };
}

const versionPath = (code: string, version = 'v1') => `/v1/services/${PROVIDER}/${code}/versions/${version}`;

describe.each(STORE_ENGINES)('services on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await seedRegistry(gateway.store);
  });
  afterAll(() => gateway.close());

  const publish = (body: Record<string, unknown>, auth = gateway.admin) =>
    request(gateway.app).post('/v1/services').set('Authorization', auth).send(body);
  const get = (path: string, auth = gateway.admin) =>
    request(gateway.app).get(path).set('Authorization', auth);
  const registryVersion = async () =>
    (await gateway.store.query<{ version: number }>('SELECT version FROM registry_state'))[0]?.version;
  const lastChange = async () =>
    (
      await gateway.store.query<{ actor: string; service: string; detail: Record<string, unknown> }>(
        "SELECT actor, service, detail FROM audit_log WHERE event = 'admin-change' ORDER BY seq DESC LIMIT 1",
      )
    )[0];

  it('publishes a version with defaults, schema hashes, a registry version bump and an audit record', async () => {
    const before = await registryVersion();
    const res = await publish(serviceBody('person', { dataSubjectPointer: '/registerNumber' })).expect(201);
    expect(res.body).toEqual({
      id: `${PROVIDER}/person`,
      version: 'v1',
      providerId: PROVIDER,
      serviceCode: 'person',
      title: 'Иргэний бүртгэл: person',
      requestSchema: personRequest,
      responseSchema: personResponse,
      requestSchemaHash: sha256(canonicalJson(personRequest)),
      responseSchemaHash: sha256(canonicalJson(personResponse)),
      timeoutMs: 30000,
      retryPolicy: { maxAttempts: 5, backoffMs: 1000 },
      idempotent: false,
      dataSubjectPointer: '/registerNumber',
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const [row] = await gateway.store.query<{ request_schema_hash: string; response_schema_hash: string }>(
      "SELECT request_schema_hash, response_schema_hash FROM services WHERE service_id = $1 AND version = 'v1'",
      [`${PROVIDER}/person`],
    );
    expect(row).toEqual({
      request_schema_hash: res.body.requestSchemaHash,
      response_schema_hash: res.body.responseSchemaHash,
    });
    expect(await registryVersion()).toBe((before ?? 0) + 1);
    expect(await lastChange()).toEqual({
      actor: 'test-admin',
      service: `${PROVIDER}/person`,
      detail: { action: 'services.create', id: `${PROVIDER}/person`, version: 'v1' },
    });
  });

  it('answers the same version published again with 200 and the stored one, changing nothing', async () => {
    const first = await publish(serviceBody('repeat', { timeoutMs: 5000 })).expect(201);
    const before = await registryVersion();
    // Key order and defaults written out do not make it a different service.
    const again = await publish({
      ...serviceBody('repeat', { timeoutMs: 5000 }),
      requestSchema: Object.fromEntries(Object.entries(personRequest).reverse()),
      retryPolicy: { maxAttempts: 5, backoffMs: 1000 },
      enabled: true,
    }).expect(200);
    expect(again.body).toEqual(first.body);
    expect(await registryVersion()).toBe(before);
  });

  it('refuses other settings under a published id and version with 409 naming what differs', async () => {
    await publish(serviceBody('conflict')).expect(201);
    const res = await publish(
      serviceBody('conflict', { title: 'Other', retryPolicy: { maxAttempts: 2 } }),
    ).expect(409);
    expect(res.body.type).toBe('Client.Conflict');
    expect(res.body.detail.differing).toEqual(['title', 'retryPolicy.maxAttempts']);
  });

  it('lists every version of a service in the order they were published', async () => {
    await publish(serviceBody('versioned', { version: 'v1' })).expect(201);
    await publish(serviceBody('versioned', { version: 'v2', title: 'Second' })).expect(201);
    await publish(serviceBody('versioned', { version: '2024.1-beta_3' })).expect(201);
    const res = await get(`/v1/services/${PROVIDER}/versioned`).expect(200);
    expect(res.body.items.map((service: { version: string }) => service.version)).toEqual([
      'v1',
      'v2',
      '2024.1-beta_3',
    ]);
    const one = await get(versionPath('versioned', 'v2')).expect(200);
    expect(one.body).toMatchObject({ id: `${PROVIDER}/versioned`, version: 'v2', title: 'Second' });
  });

  it('answers an unknown service or version with 404', async () => {
    expect((await get(`/v1/services/${PROVIDER}/nothing`).expect(404)).body.type).toBe('Client.NotFound');
    await publish(serviceBody('lonely')).expect(201);
    expect((await get(versionPath('lonely', 'v9')).expect(404)).body.type).toBe('Client.NotFound');
    await request(gateway.app)
      .patch(versionPath('lonely', 'v9'))
      .set('Authorization', gateway.admin)
      .send({ title: 'x' })
      .expect(404);
    await request(gateway.app)
      .delete(versionPath('lonely', 'v9'))
      .set('Authorization', gateway.admin)
      .expect(404);
  });

  it('refuses a bad identifier or version in the path with 400', async () => {
    expect((await get(`/v1/services/MN/GOV/9011311/a%20b/person`).expect(400)).body.type).toBe(
      'Client.InvalidIdentifier',
    );
    expect(
      (await get(`/v1/services/${PROVIDER}/person/versions/${'v'.repeat(33)}`).expect(400)).body.type,
    ).toBe('Client.BadRequest');
  });

  it('refuses a service of an unregistered subsystem with 404 and of a revoked member with 409', async () => {
    const unknown = await publish({ ...serviceBody('x'), id: 'MN/GOV/9011311/nowhere/x' }).expect(404);
    expect(unknown.body.type).toBe('Client.NotFound');
    expect(unknown.body.message).toContain('MN/GOV/9011311/nowhere');
    const revoked = await publish({ ...serviceBody('x'), id: `${REVOKED_PROVIDER}/x` }).expect(409);
    expect(revoked.body.type).toBe('Client.Conflict');
    expect(revoked.body.message).toContain('revoked');
  });

  it('refuses a request or response schema that is not a valid JSON Schema with 400 Client.InvalidSchema', async () => {
    const badRequest = await publish(
      serviceBody('bad-schema', { requestSchema: { type: 'object', properties: { a: { type: 'strng' } } } }),
    ).expect(400);
    expect(badRequest.body.type).toBe('Client.InvalidSchema');
    expect(badRequest.body.detail.field).toBe('requestSchema');
    expect(badRequest.body.message).toContain('requestSchema');

    // Strict mode: a required name that is not declared is a typo, not a schema.
    const badResponse = await publish(
      serviceBody('bad-schema', { responseSchema: { type: 'object', required: ['nmae'] } }),
    ).expect(400);
    expect(badResponse.body.detail.field).toBe('responseSchema');
    expect(badResponse.headers['x-road-error']).toBe('Client.InvalidSchema');
    await get(versionPath('bad-schema')).expect(404);
  });

  it('refuses a malformed body with 400 naming every bad field by JSON pointer', async () => {
    const res = await publish({
      id: 'MN/GOV/9011311/civil-registry',
      version: 'v 1',
      requestSchema: [],
      responseSchema: personResponse,
      timeoutMs: 600001,
      retryPolicy: { maxAttempts: 0, backoffMs: -1 },
      dataSubjectPointer: 'registerNumber',
      colour: 'blue',
    }).expect(400);
    expect(res.body.type).toBe('Client.SchemaViolation');
    const pointers = (res.body.detail.errors as { pointer: string }[]).map((error) => error.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/title',
        '/colour',
        '/id',
        '/version',
        '/requestSchema',
        '/timeoutMs',
        '/retryPolicy/maxAttempts',
        '/retryPolicy/backoffMs',
        '/dataSubjectPointer',
      ]),
    );
  });

  it('accepts a valid JSON pointer with escapes and an empty one, and bounds timeout and retries', async () => {
    await publish(
      serviceBody('pointers', {
        dataSubjectPointer: '/a~1b/~0c/0',
        timeoutMs: 600000,
        retryPolicy: { maxAttempts: 100, backoffMs: 0 },
      }),
    ).expect(201);
    await publish(serviceBody('pointers', { version: 'v2', dataSubjectPointer: '' })).expect(201);
    const res = await publish(serviceBody('pointers', { version: 'v3', dataSubjectPointer: '/a~2' })).expect(
      400,
    );
    expect(res.body.detail.errors[0].pointer).toBe('/dataSubjectPointer');
  });

  it('changes title, schemas, timeout, retry policy, idempotency, pointer and enabled, recomputing hashes', async () => {
    await publish(serviceBody('changing', { dataSubjectPointer: '/registerNumber' })).expect(201);
    const newRequest = { type: 'object', properties: { id: { type: 'integer' } } };
    const before = await registryVersion();
    const res = await request(gateway.app)
      .patch(versionPath('changing'))
      .set('Authorization', gateway.admin)
      .send({
        title: 'Changed',
        requestSchema: newRequest,
        timeoutMs: 1000,
        retryPolicy: { backoffMs: 250 },
        idempotent: true,
        dataSubjectPointer: null,
        enabled: false,
      })
      .expect(200);
    expect(res.body).toMatchObject({
      title: 'Changed',
      requestSchema: newRequest,
      requestSchemaHash: sha256(canonicalJson(newRequest)),
      responseSchemaHash: sha256(canonicalJson(personResponse)),
      timeoutMs: 1000,
      retryPolicy: { maxAttempts: 5, backoffMs: 250 },
      idempotent: true,
      enabled: false,
    });
    expect(res.body).not.toHaveProperty('dataSubjectPointer');
    expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(res.body.createdAt).getTime(),
    );
    expect(await get(versionPath('changing')).expect(200)).toMatchObject({ body: res.body });
    expect(await registryVersion()).toBe((before ?? 0) + 1);
    expect((await lastChange())?.detail).toMatchObject({ action: 'services.update', version: 'v1' });
  });

  it('refuses a change to an invalid schema or an empty change with 400', async () => {
    await publish(serviceBody('unchanged')).expect(201);
    const patch = (body: unknown) =>
      request(gateway.app)
        .patch(versionPath('unchanged'))
        .set('Authorization', gateway.admin)
        .send(body as object);
    const invalid = await patch({
      responseSchema: { type: 'object', properties: { a: { minimum: 'zero' } } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ type: 'Client.InvalidSchema', detail: { field: 'responseSchema' } });
    expect((await patch({}).expect(400)).body.type).toBe('Client.SchemaViolation');
    const bad = await patch({ timeoutMs: 0, id: 'MN/GOV/1/a/b' }).expect(400);
    expect(bad.body.detail.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/id',
      '/timeoutMs',
    ]);
    expect((await get(versionPath('unchanged'))).body.responseSchema).toEqual(personResponse);
  });

  it('deletes a version, and refuses to delete the last one while access rights to the service remain', async () => {
    await publish(serviceBody('retiring', { version: 'v1' })).expect(201);
    await publish(serviceBody('retiring', { version: 'v2' })).expect(201);
    await gateway.store.query('INSERT INTO access_rights (service_id, client_id) VALUES ($1, $2)', [
      `${PROVIDER}/retiring`,
      CLIENT,
    ]);
    const remove = (version: string) =>
      request(gateway.app).delete(versionPath('retiring', version)).set('Authorization', gateway.admin);

    await remove('v1').expect(204);
    expect((await lastChange())?.detail).toEqual({
      action: 'services.delete',
      id: `${PROVIDER}/retiring`,
      version: 'v1',
    });
    await get(versionPath('retiring', 'v1')).expect(404);
    const refused = await remove('v2').expect(409);
    expect(refused.body.type).toBe('Client.Conflict');
    expect(refused.body.message).toContain('access right');

    await gateway.store.query('DELETE FROM access_rights WHERE service_id = $1', [`${PROVIDER}/retiring`]);
    await remove('v2').expect(204);
    await get(`/v1/services/${PROVIDER}/retiring`).expect(404);
  });

  it('lets an auditor read services and refuses every change with 403', async () => {
    await publish(serviceBody('audited')).expect(201);
    await get(versionPath('audited'), gateway.auditor).expect(200);
    await get(`/v1/services/${PROVIDER}/audited`, gateway.auditor).expect(200);
    await get('/v1/services', gateway.auditor).expect(200);
    expect((await publish(serviceBody('audited-2'), gateway.auditor).expect(403)).body.type).toBe(
      'Client.Forbidden',
    );
    await request(gateway.app)
      .patch(versionPath('audited'))
      .set('Authorization', gateway.auditor)
      .send({ title: 'x' })
      .expect(403);
    await request(gateway.app)
      .delete(versionPath('audited'))
      .set('Authorization', gateway.auditor)
      .expect(403);
    await get(versionPath('audited')).expect(200);
  });

  it('lists services in pages, filtered by provider', async () => {
    const otherProvider = 'MN/GOV/9011322/e-services';
    for (const code of ['page-a', 'page-b', 'page-c']) {
      await publish({ ...serviceBody(code), id: `${otherProvider}/${code}` }).expect(201);
      await publish({ ...serviceBody(code), id: `${otherProvider}/${code}`, version: 'v2' }).expect(201);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get(
        `/v1/services?provider=${otherProvider}&limit=4${cursor === undefined ? '' : `&cursor=${cursor}`}`,
      ).expect(200);
      seen.push(
        ...res.body.items.map(
          (service: { id: string; version: string }) => `${service.id}@${service.version}`,
        ),
      );
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(2);
    expect(seen).toEqual(
      ['page-a', 'page-b', 'page-c'].flatMap((code) => [
        `${otherProvider}/${code}@v1`,
        `${otherProvider}/${code}@v2`,
      ]),
    );
    expect((await get('/v1/services?provider=MN/GOV').expect(400)).body.type).toBe(
      'Client.InvalidIdentifier',
    );
    expect((await get('/v1/services?cursor=bm9wZQ').expect(400)).body.type).toBe('Client.BadRequest');
  });

  it('accepts a service whose request schema is 1 MB', async () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0, size = 0; size < 1024 * 1024; i += 1) {
      const property = { type: 'string', maxLength: 64, description: `Талбар ${i} `.repeat(12) };
      properties[`field${i}`] = property;
      size += JSON.stringify(property).length + `"field${i}":,`.length;
    }
    const bigSchema = { type: 'object', properties };
    expect(JSON.stringify(bigSchema).length).toBeGreaterThanOrEqual(1024 * 1024);
    const res = await publish(serviceBody('big', { requestSchema: bigSchema })).expect(201);
    expect(res.body.requestSchemaHash).toBe(sha256(canonicalJson(bigSchema)));
    const stored = await get(versionPath('big')).expect(200);
    expect(stored.body.requestSchema).toEqual(bigSchema);
  }, 60_000);
});
