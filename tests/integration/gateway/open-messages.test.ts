/**
 * Verification's finding of open messages: accepted, and no outcome on
 * record a grace period later.
 */
import request from 'supertest';
import { findOpenMessages } from '../../../gateway/src/audit/open-messages';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

const CLIENT = 'MN/GOV/7000001/e-services';
const SERVICE = 'MN/GOV/9011311/civil-registry/person';

describe.each(STORE_ENGINES)('accepted messages without an outcome (%s)', (engine) => {
  let gateway: GatewayHarness;
  const ids = {
    open: `open-${Date.now()}`,
    delivered: `delivered-${Date.now()}`,
    dead: `dead-${Date.now()}`,
    notQueued: `not-queued-${Date.now()}`,
    replayedLater: `replayed-${Date.now()}`,
  };

  beforeAll(async () => {
    gateway = await startGateway(engine);
    const { audit } = gateway.deps;
    for (const messageId of Object.values(ids)) {
      await audit.record({ event: 'accepted', outcome: 'ok', messageId, client: CLIENT, service: SERVICE });
    }
    await audit.record({ event: 'delivered', outcome: 'ok', messageId: ids.delivered });
    await audit.record({ event: 'dead-lettered', outcome: 'failed', messageId: ids.dead });
    // Refused at the queue step after its acceptance: never queued, the caller told so.
    await audit.record({
      event: 'rejected',
      outcome: 'failed',
      errorType: 'Server.ServerProxy.QueueUnavailable',
      messageId: ids.notQueued,
      detail: { step: 'queue', message: 'Redis is down' },
    });
    // Another request refused under a known id says nothing of the accepted one.
    await audit.record({
      event: 'rejected',
      outcome: 'refused',
      errorType: 'Client.ReplayedMessage',
      messageId: ids.replayedLater,
      detail: { step: 'replay', message: 'replayed' },
    });
  });
  afterAll(() => gateway.close());

  it('are found once their grace period is over, the oldest first', async () => {
    const later = new Date(Date.now() + 2 * 3600_000);
    const found = await findOpenMessages(gateway.store, { graceSeconds: 3600, now: later, limit: 10 });
    expect(found).toMatchObject({ graceSeconds: 3600, count: 2 });
    expect(found.oldest.map((message) => message.messageId)).toEqual([ids.open, ids.replayedLater]);
    const soon = await findOpenMessages(gateway.store, { graceSeconds: 3600, now: new Date(), limit: 10 });
    expect(soon.count).toBe(0);
  });

  it('are reported beside the verdict of a verification', async () => {
    const res = await request(gateway.app)
      .get('/v1/audit/verify')
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, openMessages: { graceSeconds: 3600, count: 0 } });
  });
});
