import {
  envelopeHash,
  signMessage,
  validateSignedMessage,
  verifyAnswer,
  type OrtooError,
} from '../../../core/src';
import {
  DEFAULT_CONTENT_TYPE,
  answerParams,
  buildBackendAnswer,
  type BackendResponse,
} from '../../../security-server/src/provider-proxy/backend-answer';
import { toHeaderValue } from '../../../security-server/src/provider-proxy/header-text';
import {
  EXCHANGE_IDS as ids,
  EXCHANGE_NOW,
  createExchangeFixture,
  signRequest,
} from '../../helpers/exchange-fixtures';

const { index, signers } = createExchangeFixture();

function response(overrides: Partial<BackendResponse> = {}): BackendResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify({ name: 'Бат-Эрдэнэ' })),
    ...overrides,
  };
}

function errorOf(run: () => unknown): OrtooError {
  try {
    run();
  } catch (error) {
    return error as OrtooError;
  }
  throw new Error('nothing thrown');
}

describe('answerParams', () => {
  it('carries a JSON answer as parsed JSON with its status', () => {
    expect(answerParams(response())).toEqual({
      status: 200,
      headers: {},
      body: { contentType: 'application/json; charset=utf-8', json: { name: 'Бат-Эрдэнэ' } },
    });
  });

  it('carries the backend’s own error status as an answer', () => {
    const params = answerParams(response({ status: 500, body: Buffer.from('{"error":"алдаа"}') }));
    expect(params.status).toBe(500);
    expect(params.body).toEqual({ contentType: 'application/json; charset=utf-8', json: { error: 'алдаа' } });
  });

  it('carries any other media type as bytes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const params = answerParams(response({ headers: { 'content-type': 'image/png' }, body: bytes }));
    expect(params.body).toEqual({ contentType: 'image/png', bytes });
  });

  it('names bytes without a (usable) media type application/octet-stream', () => {
    const bytes = Buffer.from('raw');
    expect(answerParams(response({ headers: {}, body: bytes })).body).toEqual({
      contentType: DEFAULT_CONTENT_TYPE,
      bytes,
    });
    expect(answerParams(response({ headers: { 'content-type': 'garbage' }, body: bytes })).body).toEqual({
      contentType: DEFAULT_CONTENT_TYPE,
      bytes,
    });
  });

  it('has no body when the backend sent no bytes', () => {
    expect(answerParams(response({ status: 204, body: Buffer.alloc(0) }))).toEqual({
      status: 204,
      headers: {},
    });
  });

  it('keeps the end-to-end headers, with UTF-8 values read as text, and drops what no envelope carries', () => {
    const params = answerParams(
      response({
        headers: {
          'content-type': 'application/json',
          'set-cookie': ['session=1'],
          server: 'nginx',
          'x-internal': 'secret',
          etag: '"abc"',
          'content-disposition': toHeaderValue('attachment; filename="үнэмлэх.pdf"'),
          'content-language': 'mn\u0001',
        },
      }),
    );
    expect(params.headers).toEqual({
      'x-internal': 'secret',
      etag: '"abc"',
      'content-disposition': 'attachment; filename="үнэмлэх.pdf"',
    });
  });

  it('refuses a JSON media type that carries no valid JSON, and a status no envelope can hold', () => {
    expect(errorOf(() => answerParams(response({ body: Buffer.from('<html>') }))).code).toBe('InvalidAnswer');
    expect(errorOf(() => answerParams(response({ body: Buffer.from([0x7b, 0xff, 0x7d]) }))).code).toBe(
      'InvalidAnswer',
    );
    expect(errorOf(() => answerParams(response({ status: 999 }))).code).toBe('InvalidAnswer');
  });
});

describe('buildBackendAnswer', () => {
  it('is bound to its request, and once signed by the provider passes the consumer’s checks', () => {
    const request = signRequest(signers.consumer);
    const unsigned = buildBackendAnswer(
      request.envelope,
      response({ headers: { 'content-type': 'application/json', etag: '"1"' } }),
      {
        now: EXCHANGE_NOW,
      },
    );
    expect(unsigned.envelope).toMatchObject({
      kind: 'response',
      id: request.envelope.id,
      client: ids.consumer,
      service: ids.person,
      requestHash: envelopeHash(request.envelope),
      status: 200,
      headers: { etag: '"1"' },
      issuedAt: EXCHANGE_NOW.toISOString(),
    });
    const signed = signMessage(unsigned, signers.provider.signer);
    expect(() => validateSignedMessage(JSON.parse(JSON.stringify(signed)), 'response')).not.toThrow();
    expect(verifyAnswer(index, signed, request, ids.providerMember)).toBe(signed);
  });

  it('makes a binary answer that verifies too', () => {
    const request = signRequest(signers.consumer);
    const signed = signMessage(
      buildBackendAnswer(
        request.envelope,
        response({ headers: { 'content-type': 'application/pdf' }, body: Buffer.from([0, 1, 2, 255]) }),
        { now: EXCHANGE_NOW },
      ),
      signers.provider.signer,
    );
    expect(signed.body).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
    expect(() => verifyAnswer(index, signed, request, ids.providerMember)).not.toThrow();
  });
});
