import { envelopeHash } from '../../../core/src/envelope';
import { verifyAnswer } from '../../../core/src/exchange';
import { OrtooError } from '../../../core/src/errors';
import {
  EXCHANGE_IDS as ids,
  createExchangeFixture,
  ortooErrorOf,
  resign,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

describe('verifyAnswer', () => {
  const { index, signers } = createExchangeFixture();
  const request = signRequest(signers.consumer);
  const answer = signAnswer(request, signers.provider);
  const refusal = (value: unknown, providerMemberId: string = ids.providerMember) =>
    ortooErrorOf(() => verifyAnswer(index, value, request, providerMemberId));
  /** The X-Road type of the check that refused the answer. */
  const reasonOf = (value: unknown, providerMemberId?: string) => {
    const error = refusal(value, providerMemberId);
    expect(error.code).toBe('InvalidAnswer');
    return (error.detail as { reason?: string } | undefined)?.reason;
  };

  describe('an answer that belongs to its request', () => {
    it('is returned as it came, typed as a response', () => {
      const verified = verifyAnswer(index, answer, request, ids.providerMember);
      expect(verified).toBe(answer);
      expect(verified.envelope.requestHash).toBe(envelopeHash(request.envelope));
    });

    it('is accepted off the wire, as parsed JSON', () => {
      const wire: unknown = JSON.parse(JSON.stringify(answer));
      expect(verifyAnswer(index, wire, request, ids.providerMember)).toEqual(answer);
    });

    it('is accepted whatever the backend’s status, and with or without a body', () => {
      const notFound = signAnswer(request, signers.provider, {
        status: 404,
        body: { contentType: 'application/problem+json', json: { title: 'Иргэн олдсонгүй' } },
      });
      expect(verifyAnswer(index, notFound, request, ids.providerMember).envelope.status).toBe(404);
      const empty = signAnswer(request, signers.provider, { status: 204, body: undefined });
      expect(verifyAnswer(index, empty, request, ids.providerMember)).toBe(empty);
    });

    it('may carry the response headers a provider is allowed to forward', () => {
      const cached = signAnswer(request, signers.provider, {
        headers: { etag: '"v7"', 'cache-control': 'no-store' },
      });
      expect(verifyAnswer(index, cached, request, ids.providerMember)).toBe(cached);
    });
  });

  describe('an answer bound to something else', () => {
    it.each([
      ['message id', { id: 'another-message' }],
      ['client', { client: ids.clinic }],
      ['service', { service: ids.vehicle }],
      ['request hash', { requestHash: 'A'.repeat(43) }],
    ] as const)('is refused when its %s differs, even signed by the provider', (what, changes) => {
      const error = refusal(resign(answer, changes, signers.provider));
      expect(error).toMatchObject({
        code: 'InvalidAnswer',
        type: 'Server.ServerProxy.InvalidAnswer',
        status: 502,
        message: `Answer does not match its request: ${what}`,
      });
    });

    it('is refused when it answers another request of the same id, client and service', () => {
      const sibling = signRequest(signers.consumer, { id: request.envelope.id });
      const error = refusal(signAnswer(sibling, signers.provider));
      expect(error.message).toBe('Answer does not match its request: request hash');
    });
  });

  describe('an answer the provider did not sign as it stands', () => {
    it('is refused when signed by a member other than the provider', () => {
      expect(reasonOf(signAnswer(request, signers.consumer))).toBe('Client.WrongSigner');
      expect(reasonOf(signAnswer(request, signers.clinic))).toBe('Client.WrongSigner');
    });

    it('is refused when the provider it is checked against is another member', () => {
      expect(reasonOf(answer, ids.clinicMember)).toBe('Client.WrongSigner');
    });

    it('is refused when its body was changed on the way', () => {
      expect(reasonOf({ ...answer, body: { name: 'Дорж', registerNumber: 'УБ99010112' } })).toBe(
        'Client.BodyDigestMismatch',
      );
    });

    it('is refused when an envelope field was changed on the way', () => {
      expect(reasonOf({ ...answer, envelope: { ...answer.envelope, status: 500 } })).toBe(
        'Client.InvalidSignature',
      );
    });

    it('is refused when its signer is unknown or revoked', () => {
      expect(reasonOf(signAnswer(request, signers.unregistered))).toBe('Client.UnknownSigner');
      expect(reasonOf(signAnswer(request, signers.revoked))).toBe('Client.CertificateRevoked');
    });
  });

  describe('something that is not an answer', () => {
    it('is refused when it is a request, however well signed', () => {
      expect(reasonOf(request)).toBe('Client.InvalidEnvelope');
    });

    it('is refused when it is not a signed message at all', () => {
      for (const value of [null, 'OK', { ok: true }, { envelope: answer.envelope }]) {
        expect(reasonOf(value)).toBe('Client.InvalidEnvelope');
      }
    });

    it('is refused when it forwards a header that must stay on its hop', () => {
      const cookie = signAnswer(request, signers.provider, { headers: { 'set-cookie': 'session=1' } });
      expect(reasonOf(cookie)).toBe('Client.InvalidEnvelope');
    });
  });

  describe('its refusal', () => {
    it('is always InvalidAnswer, keeping the check that failed as its cause', () => {
      const error = refusal(signAnswer(request, signers.consumer));
      expect(error).toMatchObject({ code: 'InvalidAnswer', detail: { reason: 'Client.WrongSigner' } });
      expect(error.message).toMatch(/^Provider's answer refused: /);
      expect(error.cause).toBeInstanceOf(OrtooError);
      expect(error.cause).toMatchObject({
        code: 'WrongSigner',
        detail: { signer: ids.consumerMember, expected: ids.providerMember },
      });
    });

    it('shows the caller the reason, never the cause', () => {
      const body = refusal({ ...answer, body: { tampered: true } }).toJSON();
      expect(body).toEqual({
        type: 'Server.ServerProxy.InvalidAnswer',
        message: "Provider's answer refused: Body does not match the signed body digest",
        detail: { reason: 'Client.BodyDigestMismatch' },
      });
    });
  });
});
