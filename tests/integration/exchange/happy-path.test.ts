import { envelopeHash, type ResponseEnvelope, type SignedMessage } from '../../../core/src';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import {
  CONSUMER,
  PERSON_SERVICE,
  personAnswer,
  startExchangeNetwork,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';
import { eventually } from '../../helpers/eventually';

describe('an exchange through the gateway', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startExchangeNetwork();
  });

  afterAll(async () => {
    await network.close();
  });

  it('answers a sync call with the provider’s signed answer', async () => {
    const message = network.sign();
    const answer = await network.post(message);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-road-id']).toBe(message.envelope.id);
    const signed = answer.body as SignedMessage<ResponseEnvelope>;
    expect(signed.envelope).toMatchObject({
      kind: 'response',
      id: message.envelope.id,
      client: CONSUMER.client,
      service: PERSON_SERVICE,
      status: 200,
      requestHash: envelopeHash(message.envelope),
    });
    expect(signed.body).toEqual(personAnswer('УБ99010112'));
    expect(network.provider.received).toEqual([message.envelope.id]);
  });

  it('queues an async call and reports its status until delivered', async () => {
    const message = network.sign();
    const accepted = await network.post(message, { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      id: message.envelope.id,
      status: 'queued',
      statusUrl: `/v1/exchange/${message.envelope.id}`,
    });
    let status: { state: string; answer?: SignedMessage<ResponseEnvelope> } | undefined;
    for (let i = 0; i < 100; i += 1) {
      const res = await network.get(`/v1/exchange/${message.envelope.id}`);
      expect(res.status).toBe(200);
      status = res.body as typeof status;
      if (status?.state === 'delivered') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status?.state).toBe('delivered');
    expect(status?.answer?.body).toEqual(personAnswer('УБ99010112'));
  });

  it('audits acceptance before delivery, and the delivery just after the answer, with hashes and the hashed data subject', async () => {
    const message = network.sign();
    await network.post(message);
    // `accepted` is committed before the provider is called; `delivered` off the caller's path.
    const records = await eventually('the delivered record', async () => {
      const rows = await searchAuditRecords(
        network.gateway.store,
        { messageId: message.envelope.id },
        { limit: 10 },
      );
      return rows.length >= 2 ? rows.map(toAuditRecord) : undefined;
    });
    expect(records.map((record) => record.event)).toEqual(['accepted', 'delivered']);
    const subjectHash = network.gateway.deps.audit.subjectHash('УБ99010112');
    for (const record of records) {
      expect(record).toMatchObject({
        outcome: 'ok',
        client: CONSUMER.client,
        service: PERSON_SERVICE,
        requestHash: envelopeHash(message.envelope),
        subjectHash,
      });
    }
    expect(records[1]?.responseHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
