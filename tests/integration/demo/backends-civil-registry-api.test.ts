import request from 'supertest';
import { CITIZENS, DEMO_REGISTER_NUMBERS } from '../../../scripts/demo/demo-data';
import { createCivilRegistryBackend } from '../../../scripts/demo/backends';

const PROBLEM = /^application\/problem\+json/;
const person = (number: string) => `/persons/${encodeURIComponent(number)}`;

describe("the civil registry's REST API (civil-registry/records)", () => {
  const app = createCivilRegistryBackend();

  it.each(CITIZENS.map((citizen) => [citizen.registerNumber, citizen]))(
    'GET /persons/%s answers with the citizen',
    async (registerNumber, citizen) => {
      const res = await request(app).get(person(registerNumber)).expect(200);
      expect(res.body).toEqual(citizen);
    },
  );

  it('answers a citizen’s addresses, and filters them by ?from', async () => {
    const res = await request(app)
      .get(`${person(DEMO_REGISTER_NUMBERS.known)}/addresses`)
      .expect(200);
    expect(res.body).toEqual({
      registerNumber: DEMO_REGISTER_NUMBERS.known,
      addresses: [
        { address: expect.objectContaining({ aimag: expect.any(String) }), from: '1999-01-01', to: null },
      ],
    });
    const later = await request(app)
      .get(`${person(DEMO_REGISTER_NUMBERS.known)}/addresses?from=2020-01-01`)
      .expect(200);
    expect(later.body.addresses).toEqual([]);
  });

  it('issues a certificate for a known citizen, the same number for the same message id', async () => {
    const ask = () =>
      request(app)
        .post('/certificates')
        .set('X-Road-Id', 'msg-1')
        .send({ registerNumber: DEMO_REGISTER_NUMBERS.known, kind: 'residence', purpose: 'visa' })
        .expect(201);
    const first = await ask();
    expect(first.body).toMatchObject({
      certificateNumber: expect.stringMatching(/^[0-9A-F]{12}$/),
      registerNumber: DEMO_REGISTER_NUMBERS.known,
      kind: 'residence',
      issuedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      purpose: 'visa',
    });
    expect((await ask()).body.certificateNumber).toBe(first.body.certificateNumber);
  });

  it('answers 404 for a number nobody has', async () => {
    const res = await request(app).get(person(DEMO_REGISTER_NUMBERS.unknown)).expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.registerNumber).toBe(DEMO_REGISTER_NUMBERS.unknown);
  });

  it('refuses what its OpenAPI document refuses: a malformed number, a bad date, a bad body, a method, a media type', async () => {
    const bad = await request(app).get(person(DEMO_REGISTER_NUMBERS.malformed)).expect(400);
    expect(bad.body.errors[0].pointer).toBe('/path/registerNumber');
    await request(app)
      .get(`${person(DEMO_REGISTER_NUMBERS.known)}/addresses?from=soon`)
      .expect(400);
    const body = await request(app)
      .post('/certificates')
      .send({ registerNumber: DEMO_REGISTER_NUMBERS.known, kind: 'x' })
      .expect(400);
    expect(body.body.errors[0].pointer).toBe('/kind');
    const method = await request(app).delete(person(DEMO_REGISTER_NUMBERS.known)).expect(405);
    expect(method.headers.allow).toBe('GET');
    await request(app).post('/certificates').set('Content-Type', 'text/plain').send('birth').expect(415);
    await request(app).get('/persons').expect(404);
  });
});
