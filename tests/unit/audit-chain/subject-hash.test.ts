import { subjectHash } from '../../../core/src/audit-chain';

const SECRET = Buffer.alloc(32, 7);

describe('subjectHash', () => {
  test('is HMAC-SHA256 in base64url, stable for one secret', () => {
    const hash = subjectHash(SECRET, 'УБ99112233');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(subjectHash(SECRET, 'УБ99112233')).toBe(hash);
    expect(subjectHash(SECRET, 'УБ99112234')).not.toBe(hash);
  });

  test('differs with another secret', () => {
    expect(subjectHash(Buffer.alloc(32, 8), 'УБ99112233')).not.toBe(subjectHash(SECRET, 'УБ99112233'));
  });
});
