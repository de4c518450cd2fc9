import { validateSignedMessage } from '../../../core/src/exchange';
import {
  createExchangeFixture,
  ortooErrorOf,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

describe('validateSignedMessage', () => {
  const { signers } = createExchangeFixture();
  const request = signRequest(signers.consumer);
  const answer = signAnswer(request, signers.provider);

  const pointersOf = (value: unknown, kind: 'request' | 'response' = 'request'): string[] => {
    const error = ortooErrorOf(() => validateSignedMessage(value, kind));
    expect(error.code).toBe('InvalidEnvelope');
    return (error.detail as { errors: { pointer: string }[] }).errors.map((entry) => entry.pointer);
  };

  it('returns a well-formed message of the expected kind as it is', () => {
    expect(validateSignedMessage(request, 'request')).toBe(request);
    expect(validateSignedMessage(answer, 'response')).toBe(answer);
  });

  it('accepts a message as it arrives off the wire, parsed from JSON text', () => {
    const parsed: unknown = JSON.parse(JSON.stringify(request));
    expect(validateSignedMessage(parsed, 'request')).toEqual(request);
  });

  it('accepts a message without a body', () => {
    const bodiless = signRequest(signers.consumer, { method: 'GET', body: undefined });
    expect(bodiless).not.toHaveProperty('body');
    expect(validateSignedMessage(bodiless, 'request')).toBe(bodiless);
  });

  it('refuses a well-formed message of the other kind', () => {
    const wantedAnswer = ortooErrorOf(() => validateSignedMessage(request, 'response'));
    expect(wantedAnswer).toMatchObject({ code: 'InvalidEnvelope', type: 'Client.InvalidEnvelope' });
    expect(wantedAnswer.message).toBe('Expected a response envelope, got a request');
    expect(ortooErrorOf(() => validateSignedMessage(answer, 'request')).message).toBe(
      'Expected a request envelope, got a response',
    );
  });

  it('names the offending member by its JSON pointer', () => {
    expect(pointersOf({ envelope: request.envelope, body: request.body })).toEqual(['/signature']);
    expect(pointersOf({ ...request, envelope: { ...request.envelope, id: 'no spaces allowed' } })).toContain(
      '/envelope/id',
    );
    expect(pointersOf({ ...request, extra: true })).toEqual(['/extra']);
  });

  it.each([
    ['userId', { userId: 'EE\ud80038001085718' }],
    ['issue', { issue: 'case \udc00 7' }],
    ['userId', { userId: 'EE\u000038001085718' }],
    ['path', { path: '/documents/\ud800' }],
    ['query', { query: 'q=\u0000' }],
    ['headers', { headers: { 'accept-language': 'mn\ud800' } }],
  ])('refuses U+0000 or a lone surrogate in %s, text no store keeps', (field, change) => {
    const message = { ...request, envelope: { ...request.envelope, ...change } };
    expect(pointersOf(message).some((pointer) => pointer.startsWith(`/envelope/${field}`))).toBe(true);
  });

  it('refuses what is not a message at all, with an error at the root', () => {
    for (const value of [null, 'message', 42, [], undefined]) {
      expect(pointersOf(value)).toEqual(['']);
    }
  });

  it('refuses an envelope dressed as the other kind: a request relabelled as a response', () => {
    const relabelled = { ...request, envelope: { ...request.envelope, kind: 'response' } };
    expect(pointersOf(relabelled, 'response')).toEqual(
      expect.arrayContaining(['/envelope/requestHash', '/envelope/status']),
    );
  });

  it('refuses an envelope of another format version', () => {
    expect(pointersOf({ ...request, envelope: { ...request.envelope, v: 2 } })).toContain('/envelope/v');
  });

  it('reports at most five schema errors, however broken the message', () => {
    const wreck = {
      ...request,
      envelope: {
        ...request.envelope,
        id: ' ',
        client: ' ',
        service: ' ',
        issuedAt: 'x',
        nonce: '!',
        path: 'x',
      },
    };
    expect(pointersOf(wreck).length).toBeLessThanOrEqual(5);
  });
});
