import fc from 'fast-check';
import {
  formatMemberId,
  formatSecurityServerId,
  formatServiceId,
  formatSubsystemId,
  parseMemberId,
  parseSecurityServerId,
  parseServiceId,
  parseSubsystemId,
} from '../../../core/src/identifiers';
import { OrtooError, isOrtooError } from '../../../core/src/errors';

const partChar = fc.constantFrom(...'ABCXYZabcxyz0189._-'.split(''));
const part = fc.string({ unit: partChar, minLength: 1, maxLength: 64 }).filter((text) => !/^\.+$/.test(text));

const parsers = [
  ['member', parseMemberId],
  ['subsystem', parseSubsystemId],
  ['service', parseServiceId],
  ['security server', parseSecurityServerId],
] as const;

function expectInvalid(parse: (text: unknown) => unknown, input: unknown): OrtooError {
  try {
    parse(input);
  } catch (error) {
    expect(isOrtooError(error, 'InvalidIdentifier')).toBe(true);
    return error as OrtooError;
  }
  throw new Error(`expected ${String(input)} to be refused`);
}

describe('identifiers', () => {
  it('parse the parts of a service identifier', () => {
    expect(parseServiceId('MN/GOV/9011311/civil-registry/person')).toEqual({
      instance: 'MN',
      memberClass: 'GOV',
      memberCode: '9011311',
      subsystemCode: 'civil-registry',
      serviceCode: 'person',
    });
  });

  it('tell a subsystem from a security server only by what the caller asks for', () => {
    expect(parseSubsystemId('MN/GOV/9011311/ss1')).toMatchObject({ subsystemCode: 'ss1' });
    expect(parseSecurityServerId('MN/GOV/9011311/ss1')).toMatchObject({ serverCode: 'ss1' });
  });

  it('format the owning member of a subsystem, service or server', () => {
    const service = parseServiceId('MN/GOV/9011311/civil-registry/person');
    expect(formatMemberId(service)).toBe('MN/GOV/9011311');
    expect(formatSubsystemId(service)).toBe('MN/GOV/9011311/civil-registry');
  });

  it.each([
    ['', 'empty'],
    ['MN/GOV', 'too few parts'],
    ['MN/GOV/9011311/x/y/z', 'too many parts'],
    ['MN//9011311/x/y', 'an empty part'],
    ['MN/GOV/9011311/civil registry/person', 'a space'],
    ['MN/GOV/9011311/иргэн/person', 'Cyrillic letters'],
    ['MN/GOV/9011311/../person', 'a dots-only part'],
    [`MN/GOV/9011311/${'a'.repeat(65)}/person`, 'a part over 64 characters'],
    ['MN/GOV/9011311/civil-registry/person/', 'a trailing slash'],
  ])('refuse %j (%s) with a typed error', (input) => {
    const error = expectInvalid(parseServiceId, input);
    expect(error.type).toBe('Client.InvalidIdentifier');
    expect(error.status).toBe(400);
  });

  it('refuse values that are not strings', () => {
    for (const input of [undefined, null, 42, {}, ['MN', 'GOV', '1']]) expectInvalid(parseMemberId, input);
  });

  it('quote at most a short prefix of a huge input in the message', () => {
    const error = expectInvalid(parseMemberId, `MN/GOV/${'x'.repeat(1_000_000)}`);
    expect(error.message.length).toBeLessThan(300);
  });

  describe('properties', () => {
    it('format after parse is the identity for every kind', () => {
      fc.assert(
        fc.property(fc.tuple(part, part, part, part, part), ([a, b, c, d, e]) => {
          const member = `${a}/${b}/${c}`;
          expect(formatMemberId(parseMemberId(member))).toBe(member);
          expect(formatSubsystemId(parseSubsystemId(`${member}/${d}`))).toBe(`${member}/${d}`);
          expect(formatSecurityServerId(parseSecurityServerId(`${member}/${d}`))).toBe(`${member}/${d}`);
          expect(formatServiceId(parseServiceId(`${member}/${d}/${e}`))).toBe(`${member}/${d}/${e}`);
        }),
      );
    });

    it('no input crashes a parser: each either parses or throws InvalidIdentifier', () => {
      const inputs = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.array(fc.oneof(part, fc.string({ maxLength: 10 })), { maxLength: 7 }).map((p) => p.join('/')),
        fc.anything(),
      );
      fc.assert(
        fc.property(inputs, (input) => {
          for (const [, parse] of parsers) {
            try {
              parse(input);
            } catch (error) {
              expect(isOrtooError(error, 'InvalidIdentifier')).toBe(true);
            }
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
