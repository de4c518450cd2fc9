import { createHash } from 'node:crypto';
import request from 'supertest';
import { canonicalJson, sha256 } from '../../../core/src';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';
import { STORE_ENGINES } from '../../helpers/store-engines';

const PROVIDER = 'MN/GOV/9011311/civil-registry';

// Written out of canonical order, with Cyrillic: the hash is of the canonical form whatever the order.
const personRequest = {
  type: 'object',
  required: ['registerNumber'],
  properties: { registerNumber: { type: 'string', pattern: '^[А-ЯӨҮ]{2}[0-9]{8}$' } },
  additionalProperties: false,
  $schema: 'https://json-schema.org/draft/2020-12/schema',
};
const personResponse = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'Овог нэр' }, born: { type: 'string', format: 'date' } },
};

describe.each(STORE_ENGINES)('GET /v1/service-schemas/:hash on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await insertMembers(gateway.store, [{ id: 'MN/GOV/9011311' }]);
    await insertSubsystems(gateway.store, [PROVIDER]);
    await request(gateway.app)
      .post('/v1/services')
      .set('Authorization', gateway.admin)
      .send({
        id: `${PROVIDER}/person`,
        version: 'v1',
        title: 'Иргэний бүртгэл: person',
        requestSchema: personRequest,
        responseSchema: personResponse,
      })
      .expect(201);
  });
  afterAll(() => gateway.close());

  const get = (hash: string) => request(gateway.app).get(`/v1/service-schemas/${hash}`);

  it.each([
    ['request', personRequest],
    ['response', personResponse],
  ])('serves the %s schema by its hash, without a token, cacheable for ever', async (_kind, schema) => {
    const hash = sha256(canonicalJson(schema));
    const res = await get(hash).buffer(true).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(JSON.parse(res.text)).toEqual(schema);
    // The body is the canonical form: its own SHA-256 is the hash.
    expect(createHash('sha256').update(res.text, 'utf8').digest('base64url')).toBe(hash);
  });

  it('answers 404 NotFound for a well-formed hash no service has', async () => {
    const res = await get(sha256('no such schema')).expect(404);
    expect(res.headers['x-road-error']).toBe('Client.NotFound');
    expect(res.body).toMatchObject({ type: 'Client.NotFound' });
  });

  it.each([
    ['too short', 'abc'],
    ['a character outside base64url', `${sha256('x').slice(0, 42)}=`],
    ['too long', `${sha256('x')}A`],
  ])('answers 400 BadRequest for a hash %s', async (_why, hash) => {
    const res = await get(encodeURIComponent(hash)).expect(400);
    expect(res.headers['x-road-error']).toBe('Client.BadRequest');
    expect(res.headers['cache-control']).toBeUndefined();
  });
});
