import { createHash } from 'node:crypto';
import { canonicalJson, xRoadRequestHash } from '../../../core/src';
import { createExchangeFixture, signRequest } from '../../helpers/exchange-fixtures';

const sha512 = (data: string | Buffer): Buffer => createHash('sha512').update(data).digest();

describe('xRoadRequestHash (PR-REST 4.3)', () => {
  const { signers } = createExchangeFixture();

  it('is base64 of SHA512(SHA512(headers) + SHA512(body)), the headers the canonical envelope', () => {
    const request = signRequest(signers.consumer);
    const expected = sha512(
      Buffer.concat([sha512(canonicalJson(request.envelope)), sha512(canonicalJson(request.body))]),
    ).toString('base64');
    expect(xRoadRequestHash(request)).toBe(expected);
  });

  it('is base64 of SHA512(headers) without a body', () => {
    const request = signRequest(signers.consumer, { method: 'GET', body: undefined });
    expect(request.envelope.bodyDigest).toBeUndefined();
    expect(xRoadRequestHash(request)).toBe(sha512(canonicalJson(request.envelope)).toString('base64'));
  });

  it('hashes a body of another media type as its bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10]);
    const request = signRequest(signers.consumer, { body: { contentType: 'application/pdf', bytes } });
    const expected = sha512(Buffer.concat([sha512(canonicalJson(request.envelope)), sha512(bytes)])).toString(
      'base64',
    );
    expect(xRoadRequestHash(request)).toBe(expected);
  });

  it('is standard base64 of 64 bytes', () => {
    const hash = xRoadRequestHash(signRequest(signers.consumer));
    expect(hash).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });
});
