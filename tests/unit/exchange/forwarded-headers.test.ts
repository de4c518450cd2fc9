import type { Envelope } from '../../../core/src/envelope';
import { FORWARDED_HEADERS, checkForwardedHeaders, pickForwardedHeaders } from '../../../core/src/exchange';
import {
  createExchangeFixture,
  ortooErrorOf,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

/** Headers that belong to one hop: credentials, cookies, connection management, proxies' own. */
const HOP_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'content-length',
  'x-forwarded-for',
  'forwarded',
  'x-road-client',
  'x-road-id',
];

describe('FORWARDED_HEADERS', () => {
  it.each(['request', 'response'] as const)('lists only lower-case names for a %s', (kind) => {
    for (const name of FORWARDED_HEADERS[kind]) expect(name).toBe(name.toLowerCase());
  });

  it.each(['request', 'response'] as const)('never forwards a hop’s own headers in a %s', (kind) => {
    for (const name of HOP_HEADERS) expect([name, FORWARDED_HEADERS[kind].has(name)]).toEqual([name, false]);
  });
});

describe('pickForwardedHeaders', () => {
  it('keeps the allow-listed headers of a request, names in lower case', () => {
    expect(
      pickForwardedHeaders('request', {
        Accept: 'application/json',
        'Accept-Language': 'mn-MN, en;q=0.5',
        'X-Road-Represented-Party': 'MN/GOV/7000001',
        'If-None-Match': '"v7"',
      }),
    ).toEqual({
      accept: 'application/json',
      'accept-language': 'mn-MN, en;q=0.5',
      'x-road-represented-party': 'MN/GOV/7000001',
      'if-none-match': '"v7"',
    });
  });

  it('drops credentials, cookies and connection headers', () => {
    const picked = pickForwardedHeaders('request', {
      accept: 'application/json',
      authorization: 'Bearer secret',
      cookie: 'session=1',
      host: 'ss1.e-services.mn',
      connection: 'keep-alive',
      'x-forwarded-for': '10.0.0.1',
    });
    expect(picked).toEqual({ accept: 'application/json' });
  });

  it('keeps the allow-listed headers of a response and drops Set-Cookie', () => {
    expect(
      pickForwardedHeaders('response', {
        ETag: '"v7"',
        Location: '/persons/УБ99010112',
        'Retry-After': '120',
        'Set-Cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ etag: '"v7"', location: '/persons/УБ99010112', 'retry-after': '120' });
  });

  it('allows each header in its own direction only', () => {
    expect(pickForwardedHeaders('request', { etag: '"v7"', location: '/x', range: 'bytes=0-99' })).toEqual({
      range: 'bytes=0-99',
    });
    expect(
      pickForwardedHeaders('response', { etag: '"v7"', 'if-none-match': '"v7"', accept: '*/*' }),
    ).toEqual({
      etag: '"v7"',
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
});

describe('checkForwardedHeaders', () => {
  const { signers } = createExchangeFixture();
  const request = signRequest(signers.consumer).envelope;
  const answer = signAnswer(signRequest(signers.consumer), signers.provider).envelope;
  const withHeaders = <E extends Envelope>(envelope: E, headers: Record<string, string>): E => ({
    ...envelope,
    headers,
  });

  it('accepts envelopes with allow-listed headers, or none', () => {
    expect(() => checkForwardedHeaders(request)).not.toThrow();
    expect(() => checkForwardedHeaders(withHeaders(request, {}))).not.toThrow();
    expect(() => checkForwardedHeaders(withHeaders(answer, { etag: '"v7"', vary: 'Accept' }))).not.toThrow();
  });

  it('refuses a request smuggling credentials, naming every header not allowed', () => {
    const error = ortooErrorOf(() =>
      checkForwardedHeaders(
        withHeaders(request, { accept: 'application/json', authorization: 'Bearer x', cookie: 'a=1' }),
      ),
    );
    expect(error).toMatchObject({
      code: 'InvalidEnvelope',
      message: 'Headers not allowed in a request: authorization, cookie',
      detail: { headers: ['authorization', 'cookie'] },
    });
  });

  it('refuses an answer setting a cookie', () => {
    const error = ortooErrorOf(() => checkForwardedHeaders(withHeaders(answer, { 'set-cookie': 'a=1' })));
    expect(error).toMatchObject({ code: 'InvalidEnvelope', detail: { headers: ['set-cookie'] } });
  });

  it('refuses a header of the other direction', () => {
    expect(
      ortooErrorOf(() => checkForwardedHeaders(withHeaders(request, { location: '/x' }))).detail,
    ).toEqual({
      headers: ['location'],
    });
    expect(ortooErrorOf(() => checkForwardedHeaders(withHeaders(answer, { accept: '*/*' }))).detail).toEqual({
      headers: ['accept'],
    });
  });

  it('takes names as envelopes carry them, in lower case: any other spelling is refused', () => {
    expect(ortooErrorOf(() => checkForwardedHeaders(withHeaders(request, { Accept: '*/*' }))).detail).toEqual(
      {
        headers: ['Accept'],
      },
    );
  });
});
