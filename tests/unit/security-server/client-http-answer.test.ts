import { buildResponse, envelopeHash, signMessage } from '../../../core/src';
import { httpAnswerOf, jsonAnswer } from '../../../security-server/src/client-proxy/http-answer';
import {
  EXCHANGE_IDS as ids,
  createExchangeFixture,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

describe('httpAnswerOf', () => {
  const { signers } = createExchangeFixture();
  const request = signRequest(signers.consumer, { id: 'msg-7' });
  const xRoad = {
    'X-Road-Id': 'msg-7',
    'X-Road-Client': ids.consumer,
    'X-Road-Service': ids.person,
    'X-Road-Request-Hash': envelopeHash(request.envelope),
  };

  it('gives a JSON answer as JSON text, with the provider’s status, headers and media type', () => {
    const answer = signAnswer(request, signers.provider, {
      status: 201,
      headers: { etag: '"v7"', 'content-language': 'mn' },
      body: { contentType: 'application/json; charset=utf-8', json: { name: 'Бат-Эрдэнэ' } },
    });
    const http = httpAnswerOf(answer);
    expect(http.status).toBe(201);
    expect(http.headers).toEqual({
      etag: '"v7"',
      'content-language': 'mn',
      'content-type': 'application/json; charset=utf-8',
      ...xRoad,
    });
    expect(JSON.parse(http.body?.toString('utf8') ?? '')).toEqual({ name: 'Бат-Эрдэнэ' });
  });

  it('gives any other media type back as the very bytes the provider sent', () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
    const answer = signAnswer(request, signers.provider, { body: { contentType: 'application/pdf', bytes } });
    const http = httpAnswerOf(answer);
    expect(http.headers['content-type']).toBe('application/pdf');
    expect(http.body).toEqual(bytes);
  });

  it('gives an answer without a body without one, whatever its status', () => {
    const answer = signMessage(buildResponse(request.envelope, { status: 404 }), signers.provider.signer);
    expect(httpAnswerOf(answer)).toEqual({ status: 404, headers: xRoad });
  });
});

describe('jsonAnswer', () => {
  it('is UTF-8 JSON with its media type', () => {
    const answer = jsonAnswer(202, { state: 'очереди' }, { Location: '/r1/messages/x' });
    expect(answer.headers).toEqual({
      Location: '/r1/messages/x',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(answer.body?.toString('utf8')).toBe('{"state":"очереди"}');
  });
});
