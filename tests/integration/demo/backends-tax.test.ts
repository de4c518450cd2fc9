import request from 'supertest';
import { DEMO_REGISTER_NUMBERS } from '../../../scripts/demo/demo-data';
import { TAXPAYERS, createTaxAuthorityBackend } from '../../../scripts/demo/backends';

const PROBLEM = /^application\/problem\+json/;

describe('the tax authority backend', () => {
  const app = createTaxAuthorityBackend();

  it.each(TAXPAYERS.map((taxpayer) => [taxpayer.registerNumber, taxpayer]))(
    'POST /taxpayer-status answers %s with the taxpayer’s standing',
    async (registerNumber, taxpayer) => {
      const res = await request(app).post('/taxpayer-status').send({ registerNumber }).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.body).toEqual(taxpayer);
    },
  );

  it('tells active, suspended and deregistered taxpayers apart, with their arrears in MNT', async () => {
    const standing = async (registerNumber: string) =>
      (await request(app).post('/taxpayer-status').send({ registerNumber }).expect(200)).body;
    expect(await standing('УБ99010112')).toMatchObject({
      status: 'active',
      arrears: { amount: 0, currency: 'MNT' },
    });
    expect(await standing('ФА72110824')).toMatchObject({
      status: 'suspended',
      arrears: { amount: 2_450_000, currency: 'MNT' },
    });
    expect(await standing('ТА64030361')).toMatchObject({ status: 'deregistered' });
  });

  it('answers 404 with a problem body for someone who was never a taxpayer', async () => {
    const res = await request(app)
      .post('/taxpayer-status')
      .send({ registerNumber: DEMO_REGISTER_NUMBERS.unknown })
      .expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 404, registerNumber: DEMO_REGISTER_NUMBERS.unknown });
  });

  it.each([
    ['a malformed register number', { registerNumber: DEMO_REGISTER_NUMBERS.malformed }, '/registerNumber'],
    ['no register number', {}, '/registerNumber'],
    ['another member', { registerNumber: 'УБ99010112', year: 2024 }, '/year'],
  ])('answers 400 for a body with %s', async (_what, body, pointer) => {
    const res = await request(app).post('/taxpayer-status').send(body).expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer })]);
  });

  it('answers 400 for a body that is not JSON, 405 for another method', async () => {
    await request(app)
      .post('/taxpayer-status')
      .set('Content-Type', 'application/json')
      .send('not json')
      .expect(400);
    const res = await request(app).get('/taxpayer-status').expect(405);
    expect(res.headers.allow).toBe('POST');
  });
});
