import { randomUUID } from 'node:crypto';
import { searchAuditRecords } from '../../../gateway/src/audit/audit-repository';
import {
  startExchangeNetwork,
  type ExchangeAnswer,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';

/**
 * Messages a hostile (or broken) security server may send, validly signed:
 * each is refused with a typed 4xx at the edge, before the audit store sees
 * it, and the valid messages sent at the same time are all delivered.
 */
describe('the exchange listener refuses hostile messages without harming others', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startExchangeNetwork();
  });
  afterAll(() => network.close());

  const expectTyped = (answer: ExchangeAnswer, status: number, type: string) => {
    expect({ status: answer.status, header: answer.headers['x-road-error'] }).toEqual({
      status,
      header: type,
    });
    expect(answer.body).toMatchObject({ type, message: expect.any(String) });
  };
  /** A signed person lookup whose envelope or body text is replaced in the JSON as sent. */
  const tampered = (params: Parameters<ExchangeNetwork['sign']>[0]) => network.sign(params);

  it('refuses a validly signed envelope whose userId holds a lone surrogate, at parse, with a typed 400', async () => {
    const message = tampered({ userId: 'EE\ud80038001085718', id: randomUUID() });
    const answer = await network.post(message);
    expectTyped(answer, 400, 'Client.BadRequest');
    expect(
      await searchAuditRecords(network.gateway.store, { messageId: message.envelope.id }, { limit: 10 }),
    ).toEqual([]);
  });

  it('refuses U+0000 in the issue or the body, and JSON nested thousands deep', async () => {
    expectTyped(await network.post(tampered({ issue: 'case\u00007' })), 400, 'Client.BadRequest');
    const deep = `${'['.repeat(8000)}${']'.repeat(8000)}`;
    const message = network.sign({
      body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
    });
    const raw = Buffer.from(
      JSON.stringify(message).replace('"registerNumber":"УБ99010112"', `"registerNumber":${deep}`),
    );
    expectTyped(await network.post(undefined, { raw }), 400, 'Client.BadRequest');
  });

  it('refuses a byte order mark before the message, as every listener does', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(network.sign()))]);
    const answer = await network.post(undefined, { raw });
    expectTyped(answer, 400, 'Client.BadRequest');
    expect((answer.body as { message: string }).message).toMatch(/byte order mark/);
  });

  it('refuses a schema-violating JSON body sent as text/plain or octet-stream with 415: the schema cannot be bypassed', async () => {
    const before = network.provider.received.length;
    for (const contentType of ['text/plain', 'application/octet-stream']) {
      const message = network.sign({
        body: { contentType, bytes: Buffer.from('{"registerNumber":"not a register number"}') },
      });
      const answer = await network.post(message);
      expectTyped(answer, 415, 'Client.UnsupportedMediaType');
      expect(answer.body).toMatchObject({ detail: { accepted: ['application/json', 'application/*+json'] } });
    }
    expect(network.provider.received.length).toBe(before);
  });

  it('delivers every valid message sent while hostile ones are refused', async () => {
    const valid = Array.from({ length: 20 }, () => network.post(network.sign()));
    const hostile = Array.from({ length: 10 }, (_, i) =>
      network.post(i % 2 === 0 ? tampered({ userId: `u\udc00${i}` }) : tampered({ issue: `\u0000${i}` })),
    );
    const [good, bad] = await Promise.all([Promise.all(valid), Promise.all(hostile)]);
    expect(good.map((answer) => answer.status)).toEqual(good.map(() => 200));
    expect(bad.map((answer) => answer.status)).toEqual(bad.map(() => 400));
  });
});
