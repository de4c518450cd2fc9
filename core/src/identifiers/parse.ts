import { OrtooError } from '../errors';
import {
  type IdentifierKind,
  type MemberId,
  type SecurityServerId,
  type ServiceId,
  type SubsystemId,
  isValidPart,
} from './identifier';

const SHAPES: Record<IdentifierKind, string> = {
  member: 'INSTANCE/CLASS/CODE',
  subsystem: 'INSTANCE/CLASS/CODE/SUBSYSTEM',
  service: 'INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE',
  securityServer: 'INSTANCE/CLASS/CODE/SERVER',
};

/** Longest input quoted back in an error message, so a huge input cannot flood logs. */
const QUOTE_LIMIT = 120;

function invalid(kind: IdentifierKind, text: unknown, reason: string): OrtooError {
  const shown =
    typeof text === 'string'
      ? JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text)
      : typeof text;
  return new OrtooError('InvalidIdentifier', `Invalid ${kind} identifier ${shown}: ${reason}`, {
    detail: { kind, expected: SHAPES[kind] },
  });
}

/** Splits `text` into exactly `count` valid parts or throws `InvalidIdentifier`. */
function parts(kind: IdentifierKind, text: unknown, count: number): string[] {
  if (typeof text !== 'string') throw invalid(kind, text, 'not a string');
  // No identifier can be longer than this, so longer input is refused before any splitting.
  if (text.length > count * 65) throw invalid(kind, text, 'too long');
  const found = text.split('/');
  if (found.length !== count) {
    throw invalid(kind, text, `expected ${count} parts (${SHAPES[kind]}), found ${found.length}`);
  }
  found.forEach((part, index) => {
    if (!isValidPart(part)) {
      throw invalid(kind, text, `part ${index + 1} must be 1-64 of A-Z a-z 0-9 . _ - and not only dots`);
    }
  });
  return found;
}

/** Parses `INSTANCE/CLASS/CODE`; throws `OrtooError('InvalidIdentifier')` on anything else. */
export function parseMemberId(text: unknown): MemberId {
  const [instance = '', memberClass = '', memberCode = ''] = parts('member', text, 3);
  return { instance, memberClass, memberCode };
}

/** Parses `INSTANCE/CLASS/CODE/SUBSYSTEM`; throws `OrtooError('InvalidIdentifier')` on anything else. */
export function parseSubsystemId(text: unknown): SubsystemId {
  const [instance = '', memberClass = '', memberCode = '', subsystemCode = ''] = parts('subsystem', text, 4);
  return { instance, memberClass, memberCode, subsystemCode };
}

/** Parses `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`; throws `OrtooError('InvalidIdentifier')` on anything else. */
export function parseServiceId(text: unknown): ServiceId {
  const [instance = '', memberClass = '', memberCode = '', subsystemCode = '', serviceCode = ''] = parts(
    'service',
    text,
    5,
  );
  return { instance, memberClass, memberCode, subsystemCode, serviceCode };
}

/** Parses `INSTANCE/CLASS/CODE/SERVER`; throws `OrtooError('InvalidIdentifier')` on anything else. */
export function parseSecurityServerId(text: unknown): SecurityServerId {
  const [instance = '', memberClass = '', memberCode = '', serverCode = ''] = parts(
    'securityServer',
    text,
    4,
  );
  return { instance, memberClass, memberCode, serverCode };
}
