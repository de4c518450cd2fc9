import request from 'supertest';
import { stringify } from 'yaml';
import {
  GLOBAL_CONF_SCHEMA_FILE,
  canonicalJson,
  parseOpenApiText,
  protocolSchema,
  sha256,
} from '../../../core/src';
import { buildGlobalConf } from '../../../gateway/src/global-conf/build-global-conf';
import { loadRegistrySnapshot } from '../../../gateway/src/global-conf/load-registry-snapshot';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { PETS_OPENAPI_JSON, RECORDS_OPENAPI_YAML } from '../../helpers/openapi-fixtures';

const PROVIDER = 'MN/GOV/9011311/civil-registry';

function body(code: string, openapi: unknown, overrides: Record<string, unknown> = {}) {
  return { id: `${PROVIDER}/${code}`, version: 'v1', title: code, openapi, ...overrides };
}

describe.each(STORE_ENGINES)('services described by OpenAPI, on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await insertMembers(gateway.store, [{ id: 'MN/GOV/9011311' }]);
    await insertSubsystems(gateway.store, [PROVIDER]);
  });
  afterAll(() => gateway.close());

  const publish = (payload: Record<string, unknown>) =>
    request(gateway.app).post('/v1/services').set('Authorization', gateway.admin).send(payload);

  it('publishes a 3.0 YAML document: keeps it as JSON with its hash and endpoints', async () => {
    const res = await publish(
      body('person', RECORDS_OPENAPI_YAML, { dataSubjectPointer: 'path:registerNumber' }),
    ).expect(201);
    const document = parseOpenApiText(RECORDS_OPENAPI_YAML);
    expect(res.body).toMatchObject({
      openapi: document,
      openapiHash: sha256(canonicalJson(document)),
      endpoints: [
        { method: 'GET', path: '/persons/{registerNumber}' },
        { method: 'GET', path: '/persons/{registerNumber}/addresses' },
        { method: 'POST', path: '/certificates' },
      ],
      dataSubjectPointer: 'path:registerNumber',
      requestSchema: {},
      responseSchema: {},
    });
    // The same document again, as JSON this time, is the same version: a repeat, not a conflict.
    await publish(
      body('person', JSON.stringify(document), { dataSubjectPointer: 'path:registerNumber' }),
    ).expect(200);
  });

  it('publishes a 3.1 document sent as its JSON value, and as YAML text of it', async () => {
    const value = JSON.parse(PETS_OPENAPI_JSON) as Record<string, unknown>;
    const first = await publish(body('pets', value)).expect(201);
    const second = await publish(body('pets', stringify(value), { version: 'v2' })).expect(201);
    expect(second.body.openapiHash).toBe(first.body.openapiHash);
    expect(first.body.endpoints).toHaveLength(6);
  });

  it('puts the hash and the endpoints in the global configuration, and serves the document by hash', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
    const conf = buildGlobalConf(await loadRegistrySnapshot(gateway.store), {
      instance: 'MN',
      now: new Date('2026-01-01T00:00:00Z'),
      validitySeconds: 60,
      caCertificates: [pem],
      gatewayCertificates: [{ thumbprint: 'T'.repeat(43), serial: '01', pem }],
    });
    // Only the services' part is under test: the document's schema takes their new fields.
    const { errors = [] } = protocolSchema(GLOBAL_CONF_SCHEMA_FILE)(conf) as {
      errors?: { pointer: string }[];
    };
    expect(errors.filter((error) => error.pointer.startsWith('/services'))).toEqual([]);
    const person = conf.services.find((service) => service.id === `${PROVIDER}/person`);
    expect(person?.endpoints).toHaveLength(3);
    const served = await request(gateway.app).get(`/v1/service-schemas/${person?.openapiHash}`).expect(200);
    expect(served.headers['content-type']).toMatch(/^application\/vnd\.oai\.openapi\+json/);
    expect(sha256(served.text)).toBe(person?.openapiHash);
  });

  it.each([
    ['not OpenAPI at all', 'openapi: 2.0\ninfo: {title: t, version: "1"}\npaths: {}\n', '/openapi'],
    [
      'a $ref to nothing',
      RECORDS_OPENAPI_YAML.replace(
        "$ref: '#/components/schemas/Person'",
        "$ref: '#/components/schemas/Nobody'",
      ),
      '/paths/~1persons~1{registerNumber}/get/responses/200/content/application~1json/schema/$ref',
    ],
    [
      'a schema that does not compile',
      RECORDS_OPENAPI_YAML.replace('type: object', 'type: thing'),
      '/paths/~1persons~1{registerNumber}~1addresses/get/responses/200/content/application~1json/schema',
    ],
  ])('refuses %s with a typed 400 naming the JSON pointer', async (_what, text, pointer) => {
    const res = await publish(body('bad', text)).expect(400);
    expect(res.body.type).toBe('Client.InvalidOpenApi');
    expect(res.body.detail.pointer).toBe(pointer);
  });

  it('refuses a document over the size limit, both schemas and a document at once, and a path: pointer naming nothing', async () => {
    const huge = `${RECORDS_OPENAPI_YAML}\nx-padding: ${'x'.repeat(1024 * 1024)}\n`;
    expect((await publish(body('huge', huge))).status).toBe(413);
    const both = await publish(
      body('both', RECORDS_OPENAPI_YAML, { requestSchema: {}, responseSchema: {} }),
    ).expect(400);
    expect(both.body.type).toBe('Client.BadRequest');
    const pointer = await publish(
      body('pointer', RECORDS_OPENAPI_YAML, { dataSubjectPointer: 'path:id' }),
    ).expect(400);
    expect(pointer.body.message).toMatch(/names no path parameter/);
  });

  it('changes the document of a version, and refuses payload schemas for it', async () => {
    const res = await request(gateway.app)
      .patch(`/v1/services/${PROVIDER}/pets/versions/v1`)
      .set('Authorization', gateway.admin)
      .send({ openapi: RECORDS_OPENAPI_YAML })
      .expect(200);
    expect(res.body.endpoints).toHaveLength(3);
    await request(gateway.app)
      .patch(`/v1/services/${PROVIDER}/pets/versions/v1`)
      .set('Authorization', gateway.admin)
      .send({ requestSchema: { type: 'object' } })
      .expect(400);
  });
});
