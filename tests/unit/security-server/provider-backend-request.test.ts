import { xRoadRequestHash, type OrtooError } from '../../../core/src';
import { backendUrl, buildBackendRequest } from '../../../security-server/src/provider-proxy/backend-request';
import { fromHeaderValue, toHeaderValue } from '../../../security-server/src/provider-proxy/header-text';
import { EXCHANGE_IDS as ids, createExchangeFixture, signRequest } from '../../helpers/exchange-fixtures';

const { signers } = createExchangeFixture();
const route = { backendUrl: 'http://127.0.0.1:9000/api/person' };

function errorOf(run: () => unknown): OrtooError {
  try {
    run();
  } catch (error) {
    return error as OrtooError;
  }
  throw new Error('nothing thrown');
}

describe('backendUrl', () => {
  it('appends the path and query to the base path as text, with or without a trailing slash', () => {
    expect(backendUrl('http://b:1/api', '/x/y', 'a=1&b=2').href).toBe('http://b:1/api/x/y?a=1&b=2');
    expect(backendUrl('http://b:1/api/', '/x', '').href).toBe('http://b:1/api/x');
    expect(backendUrl('http://b:1/api', '', '').href).toBe('http://b:1/api');
    expect(backendUrl('http://b:1', '', 'q=1').href).toBe('http://b:1/?q=1');
    expect(backendUrl('https://b', '/a', '').href).toBe('https://b/a');
  });

  it('keeps the query as sent, and percent-encodes non-ASCII', () => {
    expect(backendUrl('http://b/api', '/нэр', 'b=2&a=1&a=0').href).toBe(
      'http://b/api/%D0%BD%D1%8D%D1%80?b=2&a=1&a=0',
    );
  });

  it('refuses a path that would climb out of the base path', () => {
    const error = errorOf(() => backendUrl('http://b/api/person', '/../admin', ''));
    expect(error.code).toBe('BadRequest');
    expect(errorOf(() => backendUrl('http://b/api', '/%2e%2e/admin', '')).code).toBe('BadRequest');
  });
});

describe('buildBackendRequest', () => {
  it('sends a JSON body as its JSON bytes, with the X-Road headers and the end-to-end ones', () => {
    const message = signRequest(signers.consumer, {
      id: 'msg-1',
      query: 'full=true',
      issue: 'Хэрэг №17',
      headers: { accept: 'application/json', 'accept-language': 'mn' },
    });
    const request = buildBackendRequest(message, route, 'v10');
    expect(request.url.href).toBe('http://127.0.0.1:9000/api/person/lookup?full=true');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      accept: 'application/json',
      'accept-language': 'mn',
      'x-road-client': ids.consumer,
      'x-road-service': ids.person,
      'x-road-id': 'msg-1',
      'x-road-request-hash': xRoadRequestHash(message),
      'x-ortoo-service-version': 'v10',
      'x-road-userid': 'MN-officer-17',
      'x-road-issue': toHeaderValue('Хэрэг №17'),
      'content-type': 'application/json',
      'content-length': String(request.body?.length),
    });
    expect(JSON.parse(request.body?.toString('utf8') ?? '')).toEqual({ registerNumber: 'УБ99010112' });
  });

  it('sends a binary body as its original bytes', () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x80, 0x0a]);
    const message = signRequest(signers.consumer, { body: { contentType: 'application/pdf', bytes } });
    const request = buildBackendRequest(message, route, 'v1');
    expect(request.body).toEqual(bytes);
    expect(request.headers['content-type']).toBe('application/pdf');
    expect(request.headers['content-length']).toBe('8');
  });

  it('sends no body, content type or user header when the request has none', () => {
    const message = signRequest(signers.consumer, {
      method: 'GET',
      path: '',
      body: undefined,
      userId: undefined,
      headers: {},
    });
    const request = buildBackendRequest(message, route, 'v1');
    expect(request.body).toBeUndefined();
    expect(request.url.href).toBe('http://127.0.0.1:9000/api/person');
    expect(Object.keys(request.headers).sort()).toEqual([
      'x-ortoo-service-version',
      'x-road-client',
      'x-road-id',
      'x-road-request-hash',
      'x-road-service',
    ]);
  });
});

describe('header text', () => {
  it('sends non-ASCII text as its UTF-8 bytes and reads it back', () => {
    const raw = toHeaderValue('Хэрэг №17');
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('Хэрэг №17');
    expect(fromHeaderValue(raw)).toBe('Хэрэг №17');
    expect(toHeaderValue('plain')).toBe('plain');
  });

  it('reads bytes that are not UTF-8 as Latin-1', () => {
    expect(fromHeaderValue('caf\u00e9')).toBe('caf\u00e9');
  });
});
