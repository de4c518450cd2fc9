import request from 'supertest';
import { DEMO_REGISTER_NUMBERS } from '../../../scripts/demo/demo-data';
import { contributionHistory, createSocialInsuranceBackend } from '../../../scripts/demo/backends';

const PROBLEM = /^application\/problem\+json/;

describe('the social insurance backend', () => {
  const app = createSocialInsuranceBackend();

  it('POST /contributions answers with the whole history when no range is given', async () => {
    const res = await request(app).post('/contributions').send({ registerNumber: 'УБ99010112' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.body).toEqual(contributionHistory('УБ99010112'));
    expect(res.body.contributions).toHaveLength(23);
  });

  it('keeps to the months asked for', async () => {
    const res = await request(app)
      .post('/contributions')
      .send({ registerNumber: 'ЕЮ90120953', from: '2024-06', to: '2024-07' })
      .expect(200);
    expect(res.body).toEqual({
      registerNumber: 'ЕЮ90120953',
      contributions: [
        {
          month: '2024-06',
          employer: 'Хөвсгөл Сүү ХХК',
          employerRegister: '4410256',
          amount: 288_000,
          currency: 'MNT',
        },
        {
          month: '2024-06',
          employer: 'Мөрөн Аялал ХХК',
          employerRegister: '4470915',
          amount: 144_000,
          currency: 'MNT',
        },
        {
          month: '2024-07',
          employer: 'Хөвсгөл Сүү ХХК',
          employerRegister: '4410256',
          amount: 288_000,
          currency: 'MNT',
        },
        {
          month: '2024-07',
          employer: 'Мөрөн Аялал ХХК',
          employerRegister: '4470915',
          amount: 144_000,
          currency: 'MNT',
        },
      ],
    });
    const open = await request(app)
      .post('/contributions')
      .send({ registerNumber: 'ФА72110824', from: '2024-03' })
      .expect(200);
    expect(open.body.contributions.map((entry: { month: string }) => entry.month)).toEqual(['2024-03']);
  });

  it('answers an empty list for a range with nothing paid', async () => {
    const res = await request(app)
      .post('/contributions')
      .send({ registerNumber: 'ИЕ03251578', to: '2024-05' })
      .expect(200);
    expect(res.body).toEqual({ registerNumber: 'ИЕ03251578', contributions: [] });
  });

  it('answers 404 with a problem body for someone never insured', async () => {
    const res = await request(app)
      .post('/contributions')
      .send({ registerNumber: DEMO_REGISTER_NUMBERS.unknown })
      .expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 404, registerNumber: DEMO_REGISTER_NUMBERS.unknown });
  });

  it.each([
    ['a malformed register number', { registerNumber: DEMO_REGISTER_NUMBERS.malformed }, '/registerNumber'],
    ['a month that does not exist', { registerNumber: 'УБ99010112', from: '2024-13' }, '/from'],
    ['a date for a month', { registerNumber: 'УБ99010112', to: '2024-06-30' }, '/to'],
  ])('answers 400 for a body with %s', async (_what, body, pointer) => {
    const res = await request(app).post('/contributions').send(body).expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer })]);
  });

  it('answers 400 when the range ends before it starts', async () => {
    const res = await request(app)
      .post('/contributions')
      .send({ registerNumber: 'УБ99010112', from: '2024-06', to: '2024-01' })
      .expect(400);
    expect(res.body).toMatchObject({
      status: 400,
      detail: 'The range is empty: from (2024-06) is after to (2024-01)',
    });
  });
});
