import request from 'supertest';
import { CITIZENS, DEMO_REGISTER_NUMBERS } from '../../../scripts/demo/demo-data';
import { BODY_LIMIT_BYTES, createCivilRegistryBackend } from '../../../scripts/demo/backends';

const PROBLEM = /^application\/problem\+json/;

describe('the civil registry backend', () => {
  const app = createCivilRegistryBackend();

  it.each(CITIZENS.map((person) => [person.registerNumber, person]))(
    'POST /person answers %s with the citizen',
    async (registerNumber, person) => {
      const res = await request(app).post('/person').send({ registerNumber }).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(person);
    },
  );

  it('answers with production headers: no ETag, no X-Powered-By', async () => {
    const res = await request(app).post('/person').send({ registerNumber: 'УБ99010112' }).expect(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.body).toMatchObject({ lastName: 'Батболд', firstName: 'Тэмүүлэн', birthDate: '1999-01-01' });
  });

  it('answers 404 with a problem body naming a number nobody has', async () => {
    const res = await request(app)
      .post('/person')
      .send({ registerNumber: DEMO_REGISTER_NUMBERS.unknown })
      .expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No citizen has this register number',
      registerNumber: DEMO_REGISTER_NUMBERS.unknown,
    });
  });

  it('answers 400 with the schema errors for a malformed register number', async () => {
    const res = await request(app)
      .post('/person')
      .send({ registerNumber: DEMO_REGISTER_NUMBERS.malformed })
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      status: 400,
      detail: 'The request body does not match the request schema',
      errors: [{ pointer: '/registerNumber', keyword: 'pattern' }],
    });
  });

  it.each([
    ['no register number', {}, 'required'],
    ['another member', { registerNumber: 'УБ99010112', lastName: 'Батболд' }, 'additionalProperties'],
    ['an array', [{ registerNumber: 'УБ99010112' }], 'type'],
  ])('answers 400 for a body with %s', async (_what, body, keyword) => {
    const res = await request(app).post('/person').send(body).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ keyword })]);
  });

  it('answers 400 for a body that is not JSON, or not sent as JSON', async () => {
    const broken = await request(app)
      .post('/person')
      .set('Content-Type', 'application/json')
      .send('{"registerNumber":')
      .expect(400);
    expect(broken.headers['content-type']).toMatch(PROBLEM);
    expect(broken.body).toMatchObject({ status: 400, detail: 'The request body is not valid JSON' });
    // The parser's own message quotes the body; the answer does not.
    expect(JSON.stringify(broken.body)).not.toContain('registerNumber');

    const text = await request(app)
      .post('/person')
      .set('Content-Type', 'text/plain')
      .send('УБ99010112')
      .expect(400);
    expect(text.body.errors).toEqual([expect.objectContaining({ pointer: '', keyword: 'type' })]);

    await request(app).post('/person').expect(400);
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await request(app)
      .post('/person')
      .send({ registerNumber: 'УБ99010112', padding: 'x'.repeat(BODY_LIMIT_BYTES) })
      .expect(413);
    expect(res.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('GET /person/{registerNumber} answers as POST does', async () => {
    const path = (number: string) => `/person/${encodeURIComponent(number)}`;
    const found = await request(app).get(path('ЧБ85062346')).expect(200);
    expect(found.body).toEqual(CITIZENS.find((person) => person.registerNumber === 'ЧБ85062346'));
    expect(found.headers.etag).toBeUndefined();

    const missing = await request(app).get(path(DEMO_REGISTER_NUMBERS.unknown)).expect(404);
    expect(missing.body).toMatchObject({ status: 404, registerNumber: DEMO_REGISTER_NUMBERS.unknown });

    const malformed = await request(app).get(path(DEMO_REGISTER_NUMBERS.malformed)).expect(400);
    expect(malformed.headers['content-type']).toMatch(PROBLEM);

    const undecodable = await request(app).get('/person/%D0%A3%D0').expect(400);
    expect(undecodable.body).toMatchObject({
      status: 400,
      detail: 'The request path is not valid percent-encoded UTF-8',
    });
  });

  it('answers 405 with Allow for another method, 404 elsewhere, and 200 on /healthz', async () => {
    const wrong = await request(app).get('/person').expect(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(wrong.headers['content-type']).toMatch(PROBLEM);
    const put = await request(app).put('/person/УБ99010112'.replace('УБ', '%D0%A3%D0%91')).expect(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    const nowhere = await request(app).post('/people').send({}).expect(404);
    expect(nowhere.body).toMatchObject({ status: 404, title: 'Not Found' });
    await request(app).get('/healthz').expect(200, { status: 'ok' });
  });
});
