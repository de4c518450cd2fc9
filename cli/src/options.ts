import { InvalidArgumentError, type Command } from 'commander';
// Only the identifiers of the core: its index loads the database drivers and the PKI, seconds a CLI should not wait.
import {
  isValidPart,
  parseMemberId,
  parseSecurityServerId,
  parseServiceId,
  parseSubsystemId,
} from '../../core/src/identifiers';
import { formatEndpoint, parseEndpointText } from '../../core/src/exchange/endpoint-pattern';

/**
 * Argument and option parsers. A value they refuse is a usage error (exit 2)
 * that names the argument, found before anything is sent to the gateway.
 */

/** Wraps one of core's identifier parsers: keeps the text, refuses what it cannot parse. */
function identifier(parse: (text: string) => unknown): (value: string) => string {
  return (value) => {
    try {
      parse(value);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
    return value;
  };
}

/** `INSTANCE/CLASS/CODE`. */
export const memberId = identifier(parseMemberId);
/** `INSTANCE/CLASS/CODE/SUBSYSTEM`. */
export const subsystemId = identifier(parseSubsystemId);
/** `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`. */
export const serviceId = identifier(parseServiceId);
/** `INSTANCE/CLASS/CODE/SERVER`. */
export const securityServerId = identifier(parseSecurityServerId);

/** `METHOD /path`, an endpoint of a REST service: `GET /persons/*`; kept in its normalised spelling. */
export const endpoint = (value: string): string => {
  try {
    return formatEndpoint(parseEndpointText(value));
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

/** `INSTANCE/GROUP`, a global group (core has no parser: groups live only in the registry). */
export function groupId(value: string): string {
  const parts = value.split('/');
  if (parts.length !== 2 || !parts.every(isValidPart)) {
    throw new InvalidArgumentError(
      `Invalid group identifier ${JSON.stringify(value)}: expected INSTANCE/GROUP, each part 1-64 of A-Z a-z 0-9 . _ -`,
    );
  }
  return value;
}

/** A whole number from 1 up. */
export function positiveInteger(value: string): number {
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number from 1 up, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A whole number from 0 up. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new InvalidArgumentError(`expected a whole number from 0 up, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Text that is not empty. */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/** The paging options every list command has. */
export interface PagingOptions {
  limit?: number;
  cursor?: string;
}

/** Adds `--limit` and `--cursor` to a list command. */
export function withPaging(command: Command): Command {
  return command
    .option('--limit <n>', 'print only one page of at most n items (default: every page)', positiveInteger)
    .option('--cursor <cursor>', 'start after this cursor (printed under a page cut short by --limit)');
}
