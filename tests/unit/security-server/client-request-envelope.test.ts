import { buildRequest, jsonBodyDigest } from '../../../core/src';
import {
  clientOf,
  messageBodyOf,
  preferencesOf,
  requestParamsOf,
  targetServerOf,
  type ServiceRequest,
} from '../../../security-server/src/client-proxy/request-envelope';
import { ortooErrorOf } from '../../helpers/exchange-fixtures';

const CLIENT = 'MN/GOV/7000001/e-services';
const SERVICE = 'MN/GOV/9011311/civil-registry/person';

function request(overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  return {
    method: 'POST',
    service: SERVICE,
    path: '',
    query: '',
    headers: {},
    body: undefined,
    ...overrides,
  };
}

describe('clientOf', () => {
  it('reads X-Road-Client, each part percent-decoded', () => {
    expect(clientOf({ 'x-road-client': CLIENT })).toBe(CLIENT);
    expect(clientOf({ 'x-road-client': ' MN/GOV/7000001/e%2Dservices ' })).toBe(CLIENT);
  });

  it('requires it', () => {
    expect(ortooErrorOf(() => clientOf({}))).toMatchObject({ code: 'BadRequest', status: 400 });
  });

  it('takes the last of several X-Road-Client headers (Node joins them with ", ")', () => {
    expect(clientOf({ 'x-road-client': `MN/GOV/0000000/nobody, ${CLIENT}` })).toBe(CLIENT);
  });

  it.each([['MN/GOV/7000001'], ['MN/GOV/7000001/e-services/extra'], ['MN/GOV/7000001/e services']])(
    'refuses %s, which is not a subsystem',
    (value) => {
      expect(ortooErrorOf(() => clientOf({ 'x-road-client': value })).code).toBe('InvalidIdentifier');
    },
  );
});

describe('messageBodyOf', () => {
  it('parses a JSON media type, Cyrillic included', () => {
    const bytes = Buffer.from(JSON.stringify({ registerNumber: 'УБ99010112' }), 'utf8');
    expect(messageBodyOf('application/json; charset=utf-8', bytes)).toEqual({
      contentType: 'application/json; charset=utf-8',
      json: { registerNumber: 'УБ99010112' },
    });
    expect(messageBodyOf('application/problem+json', Buffer.from('[1,2]'))).toMatchObject({ json: [1, 2] });
  });

  it('keeps any other media type as its bytes', () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
    expect(messageBodyOf('application/pdf', bytes)).toEqual({ contentType: 'application/pdf', bytes });
  });

  it('takes a body without a media type as application/octet-stream', () => {
    expect(messageBodyOf(undefined, Buffer.from('x'))).toMatchObject({
      contentType: 'application/octet-stream',
    });
  });

  it('takes an empty body as none', () => {
    expect(messageBodyOf('application/json', Buffer.alloc(0))).toBeUndefined();
    expect(messageBodyOf('application/json', undefined)).toBeUndefined();
  });

  it.each([
    ['broken JSON', Buffer.from('{"a":')],
    ['JSON that is not UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ])('refuses %s under a JSON media type', (_what, bytes) => {
    expect(ortooErrorOf(() => messageBodyOf('application/json', bytes))).toMatchObject({
      code: 'BadRequest',
      type: 'Client.BadRequest',
    });
  });
});

describe('targetServerOf', () => {
  it('reads X-Road-Security-Server, the last when several', () => {
    expect(targetServerOf({})).toBeUndefined();
    expect(targetServerOf({ 'x-road-security-server': 'MN/GOV/9011311/ss1' })).toBe('MN/GOV/9011311/ss1');
    expect(targetServerOf({ 'x-road-security-server': 'MN/GOV/1/a, MN/GOV/9011311/ss2' })).toBe(
      'MN/GOV/9011311/ss2',
    );
  });

  it('refuses what is not INSTANCE/CLASS/CODE/SERVER', () => {
    expect(ortooErrorOf(() => targetServerOf({ 'x-road-security-server': 'MN/GOV/9011311' })).code).toBe(
      'InvalidIdentifier',
    );
  });
});

describe('requestParamsOf', () => {
  it('maps a call to the envelope it becomes', () => {
    const params = requestParamsOf(
      request({
        method: 'post',
        path: '/v1/lookup',
        query: 'full=1',
        headers: {
          'x-road-client': CLIENT,
          'x-road-id': 'msg-1',
          'x-road-userid': 'MN-officer-17',
          'x-road-issue': 'case-42',
          'x-ortoo-service-version': 'v1',
          'content-type': 'application/json',
          accept: 'application/json',
          'accept-language': 'mn',
          authorization: 'Bearer secret',
          cookie: 'a=b',
          host: 'ss1',
          'x-custom-trace': 't-1',
          'x-road-security-server': 'MN/GOV/9011311/ss1',
        },
        body: Buffer.from('{"registerNumber":"УБ99010112"}'),
      }),
      CLIENT,
    );
    expect(params).toEqual({
      client: CLIENT,
      service: SERVICE,
      serviceVersion: 'v1',
      method: 'POST',
      path: '/v1/lookup',
      query: 'full=1',
      id: 'msg-1',
      userId: 'MN-officer-17',
      issue: 'case-42',
      securityServer: 'MN/GOV/9011311/ss1',
      // The local system's credential (Authorization without X-Road-Apikey), cookies and hop headers stay on this hop.
      headers: { accept: 'application/json', 'accept-language': 'mn', 'x-custom-trace': 't-1' },
      body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
    });
    const { envelope } = buildRequest(params);
    expect(envelope.bodyDigest).toBe(jsonBodyDigest({ registerNumber: 'УБ99010112' }));
  });

  it('forwards Authorization when the local system authenticates with X-Road-Apikey (PR-REST 4.7)', () => {
    const params = requestParamsOf(
      request({ headers: { authorization: 'Bearer eyJ.jwt', 'x-road-apikey': 'key' } }),
      CLIENT,
    );
    expect(params.headers).toEqual({ authorization: 'Bearer eyJ.jwt' });
  });

  it('leaves out what was not sent', () => {
    expect(requestParamsOf(request({ method: 'GET' }), CLIENT)).toEqual({
      client: CLIENT,
      service: SERVICE,
      method: 'GET',
      path: '',
      query: '',
      headers: {},
    });
  });

  it('refuses a method the envelope cannot carry', () => {
    expect(ortooErrorOf(() => requestParamsOf(request({ method: 'TRACE' }), CLIENT)).code).toBe('BadRequest');
  });

  it.each([['has a space'], ['x'.repeat(129)], ['кирилл']])('refuses X-Road-Id %s', (id) => {
    const error = ortooErrorOf(() => requestParamsOf(request({ headers: { 'x-road-id': id } }), CLIENT));
    expect(error).toMatchObject({ code: 'BadRequest', detail: { header: 'X-Road-Id' } });
  });
});

describe('preferencesOf', () => {
  it('reads the tokens of Prefer, without values, in lower case', () => {
    expect([...preferencesOf({ prefer: 'Respond-Async, wait=10; x, ortoo-callback' })]).toEqual([
      'respond-async',
      'wait',
      'ortoo-callback',
    ]);
    expect(preferencesOf({}).size).toBe(0);
  });
});
