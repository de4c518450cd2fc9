import fc from 'fast-check';

import { normalizeSerialNumber, randomSerialNumber } from '../../../core/src/pki';
import { ortooError } from '../../helpers/pki-matchers';

describe('normalizeSerialNumber', () => {
  it('writes serials as lowercase hex without leading zeros or separators', () => {
    expect(normalizeSerialNumber('00A1B2')).toBe('a1b2');
    expect(normalizeSerialNumber('00:a1:B2')).toBe('a1b2');
    expect(normalizeSerialNumber('0000')).toBe('0');
  });

  it('gives one form for every spelling of the same number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 160n) - 1n }), fc.nat(4), (value, zeros) => {
        const spelled = '0'.repeat(zeros) + value.toString(16).toUpperCase();
        expect(normalizeSerialNumber(spelled)).toBe(value.toString(16));
      }),
    );
  });

  it('refuses what is not hex with BadRequest', () => {
    expect(() => normalizeSerialNumber('')).toThrow(ortooError('BadRequest'));
    expect(() => normalizeSerialNumber('12-34')).toThrow(ortooError('BadRequest'));
  });
});

describe('randomSerialNumber', () => {
  it('makes normalised serials of at most 128 bits that differ each time', () => {
    const serials = Array.from({ length: 50 }, randomSerialNumber);
    for (const serial of serials) {
      expect(serial).toMatch(/^[1-9a-f][0-9a-f]{0,31}$/);
    }
    expect(new Set(serials).size).toBe(serials.length);
  });
});
