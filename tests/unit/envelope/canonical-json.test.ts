import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, jsonBodyDigest, sha256 } from '../../../core/src/envelope';
import { isOrtooError } from '../../../core/src/errors';

/** A double from the IEEE 754 bit pattern RFC 8785 Appendix B lists it by. */
function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('RFC 8785 canonical JSON', () => {
  it('serialises the example of section 3.2.2 exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units (section 3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
        '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",' +
        '"\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    // Compared as text: Object.keys would move the integer-like key "1" first.
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the number with bits %s as %s (Appendix B)', (bits, expected) => {
    expect(canonicalJson(fromBits(bits))).toBe(expected);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
  ])('refuses the number with bits %s (%s) with a typed error', (bits) => {
    expect(() => canonicalJson(fromBits(bits))).toThrow(
      expect.objectContaining({ code: 'BadRequest', name: 'OrtooError' }),
    );
  });

  it('keeps Cyrillic text as UTF-8 characters, not escapes', () => {
    const citizen = { нэр: 'Бат-Эрдэнэ', регистр: 'УБ99010112', age: 35 };
    expect(canonicalJson(citizen)).toBe('{"age":35,"нэр":"Бат-Эрдэнэ","регистр":"УБ99010112"}');
  });

  it('does not depend on the order or spacing a sender used', () => {
    const a = JSON.parse('{ "b": [1, {"y": 2, "x": 1}], "a": "Улаанбаатар" }');
    const b = JSON.parse('{"a":"Улаанбаатар","b":[1,{"x":1,"y":2}]}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(jsonBodyDigest(a)).toBe(jsonBodyDigest(b));
  });

  it('refuses a value JSON cannot carry', () => {
    let caught: unknown;
    try {
      canonicalJson(undefined);
    } catch (error) {
      caught = error;
    }
    expect(isOrtooError(caught, 'BadRequest')).toBe(true);
  });

  it('digests as SHA-256 base64url without padding', () => {
    // Known SHA-256 of the empty string.
    expect(sha256('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(jsonBodyDigest({})).toBe(sha256('{}'));
  });
});

describe('canonical JSON against the RFC authors’ reference implementation', () => {
  it('agrees with the canonicalize package on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on strings and member names of any UTF-16 code units, lone surrogates and controls included', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    const text = fc.string({ unit: codeUnit, maxLength: 20 });
    fc.assert(
      fc.property(fc.dictionary(text, text), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses nesting too deep to walk with a typed error, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(expect.objectContaining({ code: 'BadRequest' }));
  });
});
