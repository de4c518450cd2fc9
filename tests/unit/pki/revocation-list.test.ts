import { RevocationList } from '../../../core/src/pki';
import { ortooError } from '../../helpers/pki-matchers';

const MARCH = new Date('2025-03-01T00:00:00Z');
const APRIL = new Date('2025-04-01T00:00:00Z');
const MAY = new Date('2025-05-01T00:00:00Z');

describe('RevocationList', () => {
  it('knows a revoked certificate by any spelling of its serial number', () => {
    const list = new RevocationList();
    list.revoke('00AB:CD', { revokedAt: APRIL, reason: 'keyCompromise' });

    expect(list.get('abcd')).toEqual({ serialNumber: 'abcd', revokedAt: APRIL, reason: 'keyCompromise' });
    expect(list.isRevoked('ABCD')).toBe(true);
    expect(list.isRevoked('abce')).toBe(false);
    expect(list.get('abce')).toBeUndefined();
  });

  it('counts a revocation only from when it takes effect', () => {
    const list = new RevocationList();
    list.revoke('ab', { revokedAt: APRIL, reason: 'superseded' });

    expect(list.isRevoked('ab', MARCH)).toBe(false);
    expect(list.isRevoked('ab', APRIL)).toBe(true);
    expect(list.isRevoked('ab', MAY)).toBe(true);
  });

  it('keeps the earliest revocation when a certificate is revoked twice', () => {
    const list = new RevocationList();
    list.revoke('ab', { revokedAt: APRIL, reason: 'superseded' });

    expect(list.revoke('ab', { revokedAt: MAY, reason: 'later' }).revokedAt).toEqual(APRIL);
    expect(list.revoke('ab', { revokedAt: MARCH, reason: 'keyCompromise' }).reason).toBe('keyCompromise');
    expect(list.size).toBe(1);
    expect(list.get('ab')?.revokedAt).toEqual(MARCH);
  });

  it('starts from given revocations and lists them in order', () => {
    const list = new RevocationList([
      { serialNumber: '02', revokedAt: MARCH, reason: 'superseded' },
      { serialNumber: '01', revokedAt: APRIL, reason: 'cessationOfOperation' },
    ]);

    expect(list.entries().map((entry) => entry.serialNumber)).toEqual(['2', '1']);
    expect(new RevocationList(list.entries()).entries()).toEqual(list.entries());
  });

  it('is not changed through what it hands out', () => {
    const revokedAt = new Date(APRIL);
    const list = new RevocationList();
    const entry = list.revoke('ab', { revokedAt, reason: 'superseded' });
    revokedAt.setFullYear(2030);

    expect(Object.isFrozen(entry)).toBe(true);
    expect(list.get('ab')?.revokedAt).toEqual(APRIL);
    list.entries().pop();
    expect(list.size).toBe(1);
  });

  it('refuses a serial number that is not hex', () => {
    expect(() => new RevocationList().revoke('serial-1', { revokedAt: APRIL, reason: 'x' })).toThrow(
      ortooError('BadRequest'),
    );
  });
});
