import { createHash } from 'node:crypto';
import { buildResponse, canonicalJson, signMessage } from '../../../core/src';
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
  const sha512 = (data: string | Buffer) => createHash('sha512').update(data).digest();
  // PR-REST 4.3: base64 of SHA512(SHA512(headers) + SHA512(body)), the headers being the signed envelope.
  const expectedHash =
    request.body === undefined
      ? sha512(canonicalJson(request.envelope)).toString('base64')
      : createHash('sha512')
          .update(
            Buffer.concat([sha512(canonicalJson(request.envelope)), sha512(canonicalJson(request.body))]),
          )
          .digest('base64');
  const xRoad = {
    'X-Road-Id': 'msg-7',
    'X-Road-Client': ids.consumer,
    'X-Road-Service': ids.person,
    'X-Road-Request-Hash': expectedHash,
    'X-Road-Request-Id': request.envelope.nonce,
  };

  it('names the request by its SHA-512 request hash, standard base64 of 64 bytes', () => {
    expect(Buffer.from(expectedHash, 'base64')).toHaveLength(64);
    expect(expectedHash).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it('gives a JSON answer as JSON text, with the provider’s status, headers and media type', () => {
    const answer = signAnswer(request, signers.provider, {
      status: 201,
      headers: { etag: '"v7"', 'content-language': 'mn' },
      body: { contentType: 'application/json; charset=utf-8', json: { name: 'Бат-Эрдэнэ' } },
    });
    const http = httpAnswerOf(answer, request);
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
    const http = httpAnswerOf(answer, request);
    expect(http.headers['content-type']).toBe('application/pdf');
    expect(http.body).toEqual(bytes);
  });

  it('gives an answer without a body without one, whatever its status', () => {
    const answer = signMessage(buildResponse(request.envelope, { status: 404 }), signers.provider.signer);
    expect(httpAnswerOf(answer, request)).toEqual({ status: 404, headers: xRoad });
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
