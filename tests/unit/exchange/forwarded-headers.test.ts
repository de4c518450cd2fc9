import type { Envelope } from '../../../core/src/envelope';
import {
  MAX_FORWARDED_HEADERS,
  MAX_FORWARDED_HEADER_BYTES,
  checkForwardedHeaders,
  isKeptOnHop,
  pickForwardedHeaders,
} from '../../../core/src/exchange';
import {
  createExchangeFixture,
  ortooErrorOf,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

/** Headers a proxy keeps on its hop (PR-REST 4.3 "Filtered headers", and what Örtöö's envelope carries itself). */
const HOP_HEADERS = [
  'proxy-authorization',
  'proxy-authenticate',
  'cookie',
  'set-cookie',
  'host',
  'user-agent',
  'server',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'te',
  'content-length',
  'content-type',
  'expect',
  'x-forwarded-for',
  'forwarded',
  'via',
  'x-road-client',
  'x-road-id',
  'x-road-userid',
  'x-road-issue',
  'x-road-security-server',
  'x-road-request-hash',
  'x-road-request-id',
  'x-road-error',
  'x-road-apikey',
  'x-ortoo-service-version',
];

describe('isKeptOnHop', () => {
  it.each(HOP_HEADERS)('keeps %s on its hop', (name) => {
    expect(isKeptOnHop(name)).toBe(true);
  });

  it.each(['x-custom-trace', 'pragma', 'cache-control', 'authorization', 'x-road-represented-party', 'etag'])(
    'passes %s end to end',
    (name) => {
      expect(isKeptOnHop(name)).toBe(false);
    },
  );
});

describe('pickForwardedHeaders', () => {
  it('passes every end-to-end header of a request, user-defined ones too, names in lower case', () => {
    expect(
      pickForwardedHeaders('request', {
        Accept: 'application/json',
        'Accept-Language': 'mn-MN, en;q=0.5',
        'X-Road-Represented-Party': 'MN/GOV/7000001',
        'If-None-Match': '"v7"',
        'X-Custom-Trace': 'trace-1',
        Pragma: 'no-cache',
        Authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig',
      }),
    ).toEqual({
      accept: 'application/json',
      'accept-language': 'mn-MN, en;q=0.5',
      'x-road-represented-party': 'MN/GOV/7000001',
      'if-none-match': '"v7"',
      'x-custom-trace': 'trace-1',
      pragma: 'no-cache',
      authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig',
    });
  });

  it('drops hop-by-hop headers, those Connection names, and the origin’s address', () => {
    const picked = pickForwardedHeaders('request', {
      accept: 'application/json',
      cookie: 'session=1',
      host: 'ss1.e-services.mn',
      connection: 'keep-alive, X-Hop-Only',
      'x-hop-only': '1',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      'user-agent': 'curl/8',
      'x-forwarded-for': '10.0.0.1',
    });
    expect(picked).toEqual({ accept: 'application/json' });
  });

  it('withholds the local system’s own credential', () => {
    expect(
      pickForwardedHeaders(
        'request',
        { authorization: 'Bearer key', accept: '*/*' },
        new Set(['authorization']),
      ),
    ).toEqual({ accept: '*/*' });
  });

  it('passes a provider’s own response headers, and drops Set-Cookie and the provider’s X-Road-* headers', () => {
    expect(
      pickForwardedHeaders('response', {
        ETag: '"v7"',
        Location: '/persons/УБ99010112',
        'Retry-After': '120',
        'X-Powered-By': 'civil-registry',
        'Set-Cookie': ['a=1', 'b=2'],
        'X-Road-Request-Hash': 'forged',
        Server: 'nginx/1.25',
      }),
    ).toEqual({
      etag: '"v7"',
      location: '/persons/УБ99010112',
      'retry-after': '120',
      'x-powered-by': 'civil-registry',
    });
  });

  it('joins a header sent several times with commas, and skips absent ones', () => {
    expect(
      pickForwardedHeaders('response', { vary: ['Accept', 'Accept-Language'], etag: undefined }),
    ).toEqual({ vary: 'Accept, Accept-Language' });
  });

  it('picks nothing from nothing', () => {
    expect(pickForwardedHeaders('request', {})).toEqual({});
  });

  it('refuses a request whose headers exceed what a message carries, as the caller’s fault', () => {
    const big = { 'x-big': 'a'.repeat(MAX_FORWARDED_HEADER_BYTES) };
    expect(ortooErrorOf(() => pickForwardedHeaders('request', big))).toMatchObject({
      code: 'HeadersTooLarge',
      detail: { maxBytes: MAX_FORWARDED_HEADER_BYTES },
    });
    const many = Object.fromEntries(
      Array.from({ length: MAX_FORWARDED_HEADERS + 1 }, (_, i) => [`x-h${i}`, '1']),
    );
    expect(ortooErrorOf(() => pickForwardedHeaders('request', many)).code).toBe('HeadersTooLarge');
  });

  it('refuses a backend’s answer whose headers exceed what a message carries, as the provider’s fault', () => {
    const big = { 'x-big': 'a'.repeat(MAX_FORWARDED_HEADER_BYTES) };
    expect(ortooErrorOf(() => pickForwardedHeaders('response', big)).code).toBe('InvalidAnswer');
  });
});

describe('checkForwardedHeaders', () => {
  const { signers } = createExchangeFixture();
  const request = signRequest(signers.consumer).envelope;
  const answer = signAnswer(signRequest(signers.consumer), signers.provider).envelope;
  const withHeaders = <E extends Envelope>(envelope: E, headers: Record<string, string>): E => ({
    ...envelope,
    headers,
  });

  it('accepts envelopes with end-to-end headers, or none', () => {
    expect(() => checkForwardedHeaders(request)).not.toThrow();
    expect(() => checkForwardedHeaders(withHeaders(request, {}))).not.toThrow();
    expect(() =>
      checkForwardedHeaders(withHeaders(request, { 'x-custom-trace': 't', authorization: 'Bearer jwt' })),
    ).not.toThrow();
    expect(() => checkForwardedHeaders(withHeaders(answer, { etag: '"v7"', vary: 'Accept' }))).not.toThrow();
  });

  it('refuses a request smuggling headers a proxy keeps on its hop, naming each', () => {
    const error = ortooErrorOf(() =>
      checkForwardedHeaders(
        withHeaders(request, {
          accept: 'application/json',
          host: 'evil',
          'x-road-client': 'MN/GOV/1/x',
          cookie: 'a=1',
        }),
      ),
    );
    expect(error).toMatchObject({
      code: 'InvalidEnvelope',
      message: 'Headers not allowed in a request: host, x-road-client, cookie',
      detail: { headers: ['host', 'x-road-client', 'cookie'] },
    });
  });

  it('refuses an answer setting a cookie', () => {
    const error = ortooErrorOf(() => checkForwardedHeaders(withHeaders(answer, { 'set-cookie': 'a=1' })));
    expect(error).toMatchObject({ code: 'InvalidEnvelope', detail: { headers: ['set-cookie'] } });
  });

  it('refuses headers over the size limit', () => {
    const error = ortooErrorOf(() =>
      checkForwardedHeaders(withHeaders(request, { 'x-big': 'a'.repeat(MAX_FORWARDED_HEADER_BYTES) })),
    );
    expect(error.code).toBe('InvalidEnvelope');
  });

  it('takes names as envelopes carry them, in lower case: any other spelling is refused', () => {
    expect(ortooErrorOf(() => checkForwardedHeaders(withHeaders(request, { Accept: '*/*' }))).detail).toEqual(
      {
        headers: ['Accept'],
      },
    );
  });
});
